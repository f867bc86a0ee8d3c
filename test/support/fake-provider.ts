/**
 * A fake provider: a real HTTP server on 127.0.0.1 that records every request
 * and answers as the test scripts it to (status, headers, body, or no answer
 * at all). Channel fakes build on it to speak each provider's documented API.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  at: number;
}

export type FakeAnswer =
  | { status: number; headers?: Record<string, string>; body?: unknown }
  /** Accept the request and never answer: the caller's timeout decides. */
  | 'hang';

export type Responder = (request: RecordedRequest, index: number) => FakeAnswer | Promise<FakeAnswer>;

export interface FakeProvider {
  url: string;
  requests: RecordedRequest[];
  respondWith(responder: Responder): void;
  close(): Promise<void>;
}

export async function startFakeProvider(
  responder: Responder = () => ({ status: 200, body: {} }),
): Promise<FakeProvider> {
  let current = responder;
  const requests: RecordedRequest[] = [];
  const hanging = new Set<ServerResponse>();
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: req.headers,
      body: Buffer.concat(chunks).toString(),
      at: Date.now(),
    };
    requests.push(recorded);
    const answer = await current(recorded, requests.length - 1);
    if (answer === 'hang') {
      hanging.add(res);
      return;
    }
    const body = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? {});
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    res.end(body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    respondWith(next) {
      current = next;
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
