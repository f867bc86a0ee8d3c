/**
 * An operator at the console, as the console page is one: a cookie session
 * on the JSON API under /console/api, and the live stream (server-sent
 * events) that keeps them online and tells them what changes.
 */
import assert from 'node:assert/strict';
import { runCliToEnd } from './gateway-process.js';
import { waitFor } from './services.js';

export interface ApiAnswer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

/** One conversation as /console/api/queue and /console/api/mine describe it. */
export interface HandoffView {
  id: string;
  conversationId: string;
  status: string;
  team: string;
  operatorId: string | null;
  channel?: string;
  contact?: { id: string; name?: string | null; phone?: string | null; email?: string | null };
  position?: number;
}

export type ConsoleEvent = Record<string, unknown> & { type?: string };

/** `gateway operators add`, as a manager runs it; resolves once it exited 0. */
export async function addOperator(
  env: Record<string, string | undefined>,
  operator: {
    email: string;
    name: string;
    password: string;
    max?: number;
    team?: string;
    role?: 'operator' | 'manager';
  },
): Promise<void> {
  const args = ['operators', 'add', '--email', operator.email, '--name', operator.name];
  if (operator.role !== undefined) args.push('--role', operator.role);
  if (operator.max !== undefined) args.push('--max', String(operator.max));
  if (operator.team !== undefined) args.push('--team', operator.team);
  const run = await runCliToEnd(args, { ...env, OPERATOR_PASSWORD: operator.password });
  assert.equal(
    run.code,
    0,
    `gateway operators add failed:
${run.stdout}${run.stderr}`,
  );
}

export class ConsoleClient {
  /** Every event the live stream delivered so far, in order. */
  readonly events: ConsoleEvent[] = [];
  private cookie = '';
  private stream: AbortController | undefined;

  private constructor(readonly baseUrl: string) {}

  /** Logs in; fails the test unless the gateway answers 200 with the session cookie. */
  static async login(baseUrl: string, email: string, password: string): Promise<ConsoleClient> {
    const client = new ConsoleClient(baseUrl);
    const answer = await client.api('POST', '/console/api/login', { email, password });
    assert.equal(answer.status, 200, `login as ${email}: ${JSON.stringify(answer.body)}`);
    client.cookie = (answer.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    assert.match(client.cookie, /^passerelle_console=./, 'the login sets the console session cookie');
    return client;
  }

  async api(method: string, path: string, body?: unknown): Promise<ApiAnswer> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: Record<string, unknown> = {};
    if (text) {
      try {
        parsed = JSON.parse(text) as Record<string, unknown>;
      } catch {
        parsed = { raw: text };
      }
    }
    return { status: response.status, body: parsed, headers: response.headers };
  }

  /** Opens the live stream (the operator is online while it is open) and collects its events. */
  async openEvents(): Promise<void> {
    assert.equal(this.stream, undefined, 'the live stream is already open');
    const stream = new AbortController();
    this.stream = stream;
    const response = await fetch(`${this.baseUrl}/console/api/events`, {
      headers: { cookie: this.cookie },
      signal: stream.signal,
    });
    assert.equal(response.status, 200, 'the live stream opens');
    assert.equal(response.headers.get('content-type'), 'text/event-stream', 'the live stream is server-sent events');
    void (async () => {
      const decoder = new TextDecoder();
      let buffer = '';
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = /^data: (.*)$/m.exec(frame)?.[1];
          if (data) this.events.push(JSON.parse(data) as ConsoleEvent);
        }
      }
    })().catch(() => {});
  }

  closeEvents(): void {
    this.stream?.abort();
    this.stream = undefined;
  }

  /** Waits for a live event matching the predicate (from the start of the stream) and returns it. */
  async waitForEvent(what: string, matches: (event: ConsoleEvent) => boolean, timeoutMs = 15_000) {
    return waitFor(what, () => this.events.find(matches), timeoutMs).catch((error: Error) => {
      throw new Error(`${error.message}; events so far: ${JSON.stringify(this.events).slice(-3000)}`);
    });
  }

  async queue(): Promise<HandoffView[]> {
    const answer = await this.api('GET', '/console/api/queue');
    assert.equal(answer.status, 200, `GET /console/api/queue: ${JSON.stringify(answer.body)}`);
    return answer.body.waiting as HandoffView[];
  }

  async mine(): Promise<HandoffView[]> {
    const answer = await this.api('GET', '/console/api/mine');
    assert.equal(answer.status, 200, `GET /console/api/mine: ${JSON.stringify(answer.body)}`);
    return answer.body.conversations as HandoffView[];
  }

  conversation(conversationId: string): Promise<ApiAnswer> {
    return this.api('GET', `/console/api/conversations/${encodeURIComponent(conversationId)}`);
  }

  reply(conversationId: string, id: string, text: string): Promise<ApiAnswer> {
    return this.api('POST', `/console/api/conversations/${encodeURIComponent(conversationId)}/reply`, { id, text });
  }

  take(handoffId: string): Promise<ApiAnswer> {
    return this.api('POST', `/console/api/handoffs/${encodeURIComponent(handoffId)}/take`, {});
  }

  close(handoffId: string): Promise<ApiAnswer> {
    return this.api('POST', `/console/api/handoffs/${encodeURIComponent(handoffId)}/close`, {});
  }

  handback(handoffId: string): Promise<ApiAnswer> {
    return this.api('POST', `/console/api/handoffs/${encodeURIComponent(handoffId)}/handback`, {});
  }
}
