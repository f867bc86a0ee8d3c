/**
 * A fake Telegram Bot API on 127.0.0.1, answering like the real one
 * (https://core.telegram.org/bots/api#making-requests):
 * - POST /bot<token>/<method> with a JSON (or form / query string) payload;
 * - `{ ok: true, result }` on success, `{ ok: false, error_code, description,
 *   parameters? }` otherwise: 401 for a wrong token, 404 for an unknown method,
 *   400 for a bad chat or file id, 429 with parameters.retry_after;
 * - getUpdates with offset confirmation (updates below the offset are gone for
 *   good) and long polling (held open until an update comes or `timeout` ends);
 * - GET /file/bot<token>/<file_path> for files registered with addFile().
 * Every call is recorded; failures can be scripted per method.
 */
import { type FakeAnswer, type FakeProvider, type RecordedRequest, startFakeProvider } from '../fake-provider.js';

export interface BotApiCall {
  method: string;
  payload: Record<string, unknown>;
  at: number;
}

interface StoredFile {
  fileId: string;
  path: string;
  content: string;
  contentType: string;
}

export interface FakeBotApi {
  url: string;
  token: string;
  botId: number;
  /** Every Bot API call, in order (file downloads are not calls). */
  calls: BotApiCall[];
  callsTo(method: string): BotApiCall[];
  /** The next answers to `method`, in order, instead of a success. */
  failNext(method: string, ...answers: FakeAnswer[]): void;
  /**
   * Answers `method` only `ms` after taking the call (it is recorded at once: Telegram has it),
   * as a slow Bot API does; a client that dies meanwhile never hears that it went through.
   */
  answerAfter(method: string, ms: number): void;
  /** Calls taken and not answered yet (held by answerAfter). */
  held(): number;
  /** Makes updates available to getUpdates; update_id is assigned when missing. */
  queueUpdates(...updates: Array<Record<string, unknown>>): number[];
  /** Updates not yet confirmed by a getUpdates offset. */
  pendingUpdates(): Array<Record<string, unknown>>;
  /** A file getFile knows and /file/ serves (text content: the base fake answers strings). */
  addFile(fileId: string, path: string, content: string, contentType?: string): void;
  /** Counts file downloads, which carry the token in their path. */
  downloads: string[];
  provider: FakeProvider;
  close(): Promise<void>;
}

export const FAKE_BOT_USERNAME = 'maison_lumiere_bot';

/** The Bot API's error body, as Telegram sends it. */
export function botApiError(
  errorCode: number,
  description: string,
  parameters?: Record<string, unknown>,
): { status: number; body: unknown } {
  return {
    status: errorCode,
    body: { ok: false, error_code: errorCode, description, ...(parameters ? { parameters } : {}) },
  };
}

export const tooManyRequests = (retryAfter: number) =>
  botApiError(429, `Too Many Requests: retry after ${retryAfter}`, { retry_after: retryAfter });

export async function startFakeBotApi(token = '123456789:AAHfake-token_for-tests'): Promise<FakeBotApi> {
  const botId = Number(token.split(':')[0]);
  const calls: BotApiCall[] = [];
  const scripted = new Map<string, FakeAnswer[]>();
  const updates: Array<Record<string, unknown>> = [];
  const files = new Map<string, StoredFile>();
  const downloads: string[] = [];
  const waiters = new Set<() => void>();
  let nextUpdateId = 500_000_001;
  let nextMessageId = 1;
  const latency = new Map<string, number>();
  let held = 0;

  const wake = () => {
    for (const waiter of [...waiters]) waiter();
  };

  async function getUpdates(payload: Record<string, unknown>): Promise<FakeAnswer> {
    const offset = Number(payload.offset ?? 0);
    const limit = Math.min(100, Math.max(1, Number(payload.limit ?? 100)));
    const timeout = Math.max(0, Number(payload.timeout ?? 0));
    // An offset confirms every update below it: Telegram forgets them.
    if (offset > 0) {
      for (let i = updates.length - 1; i >= 0; i--) {
        if (Number(updates[i]?.update_id) < offset) updates.splice(i, 1);
      }
    }
    if (updates.length === 0 && timeout > 0) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, timeout * 1000);
        waiters.add(done);
      });
    }
    return ok(updates.slice(0, limit));
  }

  function sentMessage(payload: Record<string, unknown>, extra: Record<string, unknown>): FakeAnswer {
    const chatId = Number(payload.chat_id);
    if (!Number.isSafeInteger(chatId) || chatId === 0) return botApiError(400, 'Bad Request: chat not found');
    return ok({
      message_id: nextMessageId++,
      from: { id: botId, is_bot: true, first_name: 'Maison Lumière', username: FAKE_BOT_USERNAME },
      chat: { id: chatId, first_name: 'Customer', type: 'private' },
      date: Math.floor(Date.now() / 1000),
      ...(payload.reply_markup ? { reply_markup: payload.reply_markup } : {}),
      ...extra,
    });
  }

  function answer(method: string, payload: Record<string, unknown>): FakeAnswer | Promise<FakeAnswer> {
    switch (method) {
      case 'getMe':
        return ok({ id: botId, is_bot: true, first_name: 'Maison Lumière', username: FAKE_BOT_USERNAME });
      case 'getUpdates':
        return getUpdates(payload);
      case 'setWebhook':
        if (!String(payload.url ?? '').startsWith('https://')) {
          return botApiError(400, 'Bad Request: bad webhook: An HTTPS URL must be provided for webhook');
        }
        return ok(true, 'Webhook was set');
      case 'deleteWebhook':
        return ok(true, 'Webhook was deleted');
      case 'answerCallbackQuery':
        return payload.callback_query_id ? ok(true) : botApiError(400, 'Bad Request: query is too old');
      case 'getFile': {
        const file = files.get(String(payload.file_id));
        if (!file) return botApiError(400, 'Bad Request: invalid file_id');
        return ok({
          file_id: file.fileId,
          file_unique_id: `u${file.fileId.slice(-6)}`,
          file_size: Buffer.byteLength(file.content),
          file_path: file.path,
        });
      }
      case 'sendMessage':
        if (typeof payload.text !== 'string' || payload.text.trim() === '') {
          return botApiError(400, 'Bad Request: message text is empty');
        }
        if (payload.text.length > 4096) return botApiError(400, 'Bad Request: message is too long');
        return sentMessage(payload, { text: payload.text });
      case 'sendPhoto':
        return sentMessage(payload, {
          photo: [{ file_id: 'AgACAgfakePhoto', file_unique_id: 'AQADfake', width: 800, height: 600 }],
          ...(payload.caption ? { caption: payload.caption } : {}),
        });
      case 'sendDocument':
      case 'sendVideo':
      case 'sendAudio':
      case 'sendVoice':
      case 'sendAnimation': {
        const field = method.slice(4).toLowerCase();
        return sentMessage(payload, {
          [field]: { file_id: `BQACAgfake${field}`, file_unique_id: 'AgADfake' },
          ...(payload.caption ? { caption: payload.caption } : {}),
        });
      }
      default:
        return botApiError(404, 'Not Found');
    }
  }

  const filePrefix = `/file/bot${token}/`;
  const provider = await startFakeProvider(async (request: RecordedRequest) => {
    const url = new URL(request.path, 'http://fake');
    if (request.method === 'GET' && url.pathname.startsWith('/file/')) {
      if (!url.pathname.startsWith(filePrefix))
        return { status: 404, body: { ok: false, error_code: 404, description: 'Not Found' } };
      const path = decodeURIComponent(url.pathname.slice(filePrefix.length));
      downloads.push(path);
      const file = [...files.values()].find((candidate) => candidate.path === path);
      if (!file) return { status: 404, body: { ok: false, error_code: 404, description: 'Not Found' } };
      return { status: 200, headers: { 'content-type': file.contentType }, body: file.content };
    }
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    if (!match) return botApiError(404, 'Not Found');
    if (match[1] !== token) return botApiError(401, 'Unauthorized');
    const method = match[2] ?? '';
    const payload = readPayload(request, url);
    calls.push({ method, payload, at: Date.now() });
    const wait = latency.get(method);
    if (wait) {
      held += 1;
      await new Promise((resolve) => setTimeout(resolve, wait));
      held -= 1;
    }
    const queued = scripted.get(method);
    if (queued && queued.length > 0) return queued.shift() as FakeAnswer;
    return answer(method, payload);
  });

  return {
    url: provider.url,
    token,
    botId,
    calls,
    downloads,
    provider,
    callsTo: (method) => calls.filter((call) => call.method === method),
    failNext(method, ...answers) {
      scripted.set(method, [...(scripted.get(method) ?? []), ...answers]);
    },
    answerAfter(method, ms) {
      latency.set(method, ms);
    },
    held: () => held,
    queueUpdates(...queued) {
      const ids: number[] = [];
      for (const update of queued) {
        const updateId = typeof update.update_id === 'number' ? update.update_id : nextUpdateId++;
        updates.push({ ...update, update_id: updateId });
        ids.push(updateId);
      }
      wake();
      return ids;
    },
    pendingUpdates: () => [...updates],
    addFile(fileId, path, content, contentType = 'application/octet-stream') {
      files.set(fileId, { fileId, path, content, contentType });
    },
    async close() {
      wake();
      await provider.close();
    },
  };
}

function ok(result: unknown, description?: string): FakeAnswer {
  return { status: 200, body: { ok: true, result, ...(description ? { description } : {}) } };
}

/** The Bot API takes parameters as a query string, a form, or JSON. */
function readPayload(request: RecordedRequest, url: URL): Record<string, unknown> {
  const payload: Record<string, unknown> = Object.fromEntries(url.searchParams);
  const type = String(request.headers['content-type'] ?? '');
  if (!request.body) return payload;
  if (type.includes('application/json')) {
    try {
      return { ...payload, ...(JSON.parse(request.body) as Record<string, unknown>) };
    } catch {
      return payload;
    }
  }
  if (type.includes('application/x-www-form-urlencoded')) {
    return { ...payload, ...Object.fromEntries(new URLSearchParams(request.body)) };
  }
  return payload;
}
