/**
 * How a provider call's failure is read (callProvider, for Twilio, Teams and
 * Messenger): a request that never left the process (no connection opened,
 * whatever the error, a time limit included) is plainly not sent and tried
 * again; only one that may have been written stays "the provider may have it".
 * Real sockets on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { type AddressInfo, createServer, type Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { callProvider, ProviderError } from '@passerelle/channels';
import { startFakeProvider } from '../../../test/support/fake-provider.js';
import { networkFailure } from '../src/http.js';

const servers: Server[] = [];
after(() => {
  for (const server of servers) server.close();
});

/** Takes TCP connections and never says a word: a TLS handshake with it never ends. */
async function muteServer(): Promise<string> {
  const server = createServer((socket) => socket.resume());
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function failureOf(call: Promise<unknown>): Promise<ProviderError> {
  try {
    await call;
  } catch (error) {
    assert.ok(error instanceof ProviderError, `expected a ProviderError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the call to fail');
}

describe('a provider call that fails', () => {
  before(async () => {
    // The tracking is trusted once it has seen one connection in this process (departure.ts).
    const provider = await startFakeProvider();
    await callProvider({ url: `${provider.url}/warm-up`, body: '', what: 'fake provider' });
    await provider.close();
  });

  it('before its connection opened (TLS handshake unanswered, time limit reached): not sent, retry', async () => {
    const error = await failureOf(
      callProvider({ url: `https://${await muteServer()}/send`, body: 'hi', timeoutMs: 300, what: 'fake provider' }),
    );
    assert.equal(error.outcome, 'retry');
    assert.match(error.message, /time limit reached while connecting\); nothing was sent/);
  });

  it('refused: not sent, retry', async () => {
    const closed = await startFakeProvider();
    const url = closed.url;
    await closed.close();
    const error = await failureOf(
      callProvider({ url: `${url}/send`, body: 'hi', timeoutMs: 1_000, what: 'fake provider' }),
    );
    assert.equal(error.outcome, 'retry');
    assert.match(error.message, /nothing was sent/);
  });

  it('after the provider took the request and gave no answer in time: ambiguous', async () => {
    const provider = await startFakeProvider(() => 'hang');
    try {
      const error = await failureOf(
        callProvider({ url: `${provider.url}/send`, body: 'hi', timeoutMs: 300, what: 'fake provider' }),
      );
      assert.equal(error.outcome, 'ambiguous');
      assert.match(error.message, /no answer before the timeout; the provider may have the message/);
      assert.equal(provider.requests.length, 1, 'the provider has it');
    } finally {
      await provider.close();
    }
  });

  it('untracked, the error code says whether it failed while connecting; tracked, the tracking says', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const badCertificate = new TypeError('fetch failed', {
      cause: Object.assign(new Error('certificate has expired'), { code: 'CERT_HAS_EXPIRED' }),
    });
    assert.equal(networkFailure('x', refused).outcome, 'retry');
    assert.equal(networkFailure('x', badCertificate).outcome, 'retry');
    assert.equal(networkFailure('x', reset).outcome, 'ambiguous');
    assert.equal(networkFailure('x', reset, false).outcome, 'retry', 'no connection was made for it');
    assert.equal(networkFailure('x', refused, true).outcome, 'ambiguous', 'its request may have been written');
  });
});
