/**
 * The shared table-driven harness for webhook channels: a real express app
 * on 127.0.0.1 with the channel's routes mounted exactly as the gateway
 * mounts them, fed each case's raw request over real HTTP. It checks the
 * HTTP answer, the events the channel accepted (field by field), and that a
 * refused request queues nothing.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { it } from 'node:test';
import {
  type ChannelCases,
  type ChannelContext,
  type ChannelModule,
  jsonErrorHandler,
  type WebhookRequest,
} from '@passerelle/channels';
import { type Config, createLogger, type InboundEvent, InboundEventSchema, type Redis } from '@passerelle/core';
import express from 'express';
import { assertMatches } from '../../../../test/support/match.js';

export interface WebhookHarness {
  url: string;
  /** Events accepted so far, in order. */
  events: InboundEvent[];
  refusals: string[];
  send(request: WebhookRequest): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

export async function startWebhookHarness(
  module: ChannelModule,
  config: Config,
  redis: Redis,
): Promise<WebhookHarness> {
  const events: InboundEvent[] = [];
  const refusals: string[] = [];
  const seen = new Set<string>();
  const logger = createLogger({ level: 'silent' });
  const context: ChannelContext = {
    config,
    redis,
    logger,
    // The gateway's accept, minus BullMQ: validate and deduplicate by event id.
    async accept(event) {
      InboundEventSchema.parse(event);
      if (seen.has(event.id)) return 'duplicate';
      seen.add(event.id);
      events.push(event);
      return 'accepted';
    },
    refused: (_channel, reason) => refusals.push(reason),
  };
  const app = express();
  const router = express.Router();
  module.mountWebhooks?.(router, context);
  app.use(router);
  app.use((_req, res) => {
    res.status(404).json({ error: 'not found' });
  });
  app.use(jsonErrorHandler(logger));
  const server: Server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    events,
    refusals,
    async send(request) {
      const response = await fetch(`${url}${request.path}`, {
        method: request.method ?? 'POST',
        headers: request.headers,
        body: request.method === 'GET' ? undefined : request.body,
      });
      return { status: response.status, body: await response.text() };
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * One node:test case per inbound case of a cases file. harness() is called
 * lazily so that the caller's before() hook can start it.
 */
export function inboundWebhookCases(cases: ChannelCases<WebhookRequest, unknown>, harness: () => WebhookHarness): void {
  for (const testCase of cases.inbound) {
    it(`inbound: ${testCase.name}`, async () => {
      const h = harness();
      const before = h.events.length;
      const response = await h.send(testCase.request);
      if ('refused' in testCase.expect) {
        const { status, reason } = testCase.expect.refused;
        if (status !== undefined) assert.equal(response.status, status, `status; body: ${response.body}`);
        assert.ok(response.status >= 400 && response.status < 500, `a refusal is a 4xx, got ${response.status}`);
        assert.match(response.body, reason);
        assert.equal(h.events.length, before, 'a refused request must not queue anything');
        return;
      }
      assert.ok(
        response.status >= 200 && response.status < 300,
        `expected 2xx, got ${response.status}: ${response.body}`,
      );
      const events = h.events.slice(before);
      assert.equal(events.length, testCase.expect.events.length, `events: ${JSON.stringify(events, null, 1)}`);
      for (const [index, event] of events.entries()) assertMatches(event, testCase.expect.events[index]);
    });
  }
}

/** One node:test case per outbound case: render() must produce exactly the provider requests listed. */
export function outboundRenderCases<P>(
  cases: ChannelCases<unknown, P>,
  render: (message: ChannelCases<unknown, P>['outbound'][number]['message']) => P[],
): void {
  for (const testCase of cases.outbound) {
    it(`outbound: ${testCase.name}`, () => {
      assert.deepEqual(render(testCase.message), testCase.expect.requests);
    });
  }
}
