/**
 * Calls to the Bot API through telegraf's `Telegram` client, and the one
 * place where its failures become our ProviderError outcomes.
 *
 * What telegraf does, read from its sources (telegraf 4.16, core/network/client.ts):
 * - it POSTs JSON to `${apiRoot}/bot${token}/${method}` (a URL relative to the
 *   API root, so TELEGRAM_API_ROOT may point at a local Bot API server);
 * - a 5xx becomes a TelegramError with error_code = the HTTP status (body ignored);
 *   any other answer is read as JSON, and `ok: false` becomes a TelegramError
 *   carrying error_code, description and parameters.retry_after;
 * - a non-JSON answer below 500 becomes a FetchError 'invalid-json' that has
 *   lost the status and whose message holds the full URL, token included;
 * - it never retries and never sleeps (only its Polling class does, which we
 *   do not use): retries are the channel sender's job;
 * - its own timeout is 500 s, so every call here passes an AbortSignal.
 *
 * Telegraf's errors are never passed on as `cause`: TelegramError carries the
 * whole request payload (a customer's text) and FetchError the token.
 *
 * Each call goes through a client of its own whose agent notes whether the
 * request got a connection (departure.ts): one that failed before (refused,
 * DNS, TLS, or its time limit reached while still connecting) was not sent
 * and is simply tried again, never taken for a message Telegram may have.
 */
import { Agent as HttpAgent, globalAgent as httpAgent } from 'node:http';
import { globalAgent as httpsAgent } from 'node:https';
import { Telegram, TelegramError } from 'telegraf';
import { trackAgent } from '../departure.js';
import { NOT_SENT_CODES } from '../http.js';
import { ProviderError } from '../types.js';
import { redactToken, type TelegramSettings } from './settings.js';

export type BotApi = Telegram;

export function createBotApi(settings: Pick<TelegramSettings, 'token' | 'apiRoot'>): BotApi {
  return new Telegram(settings.token, { apiRoot: settings.apiRoot });
}

export interface CallOptions {
  timeoutMs?: number;
  /** Aborts the call early (polling stops on close()). */
  signal?: AbortSignal;
}

/**
 * A client for one call: the same token and options, and an agent that watches this call's
 * connection. Telegraf keeps no state between calls, so a client per call costs an object.
 */
function clientForOneCall(api: BotApi) {
  const client = new Telegram(api.token, { ...api.options });
  const base =
    api.options.agent instanceof HttpAgent
      ? api.options.agent
      : api.options.apiRoot.startsWith('https:')
        ? httpsAgent
        : httpAgent;
  const { agent, departure } = trackAgent(base);
  // Set after construction: telegraf drops the agent option for an http:// API root (a local Bot API server).
  (client.options as { agent?: HttpAgent }).agent = agent;
  return { client, departure };
}

/**
 * One Bot API call. Resolves with the method's result; otherwise throws a
 * ProviderError whose message is safe to log (no token, no customer text).
 */
export async function callBotApi<Result>(
  api: BotApi,
  method: string,
  payload: object,
  options: CallOptions = {},
): Promise<Result> {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 15_000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const { client, departure } = clientForOneCall(api);
  try {
    // The method name is ours (render.ts picks it from a closed list); telegraf's
    // per-method payload typing cannot follow a name chosen at run time, and it
    // types the signal as its abort-controller polyfill (node-fetch takes Node's own).
    const call = client.callApi.bind(client) as unknown as (
      m: string,
      p: object,
      o: { signal: AbortSignal },
    ) => Promise<unknown>;
    return (await call(method, payload, { signal })) as Result;
  } catch (error) {
    throw classifyBotApiError(`Telegram ${method}`, error, api.token, departure.mayHaveLeft());
  }
}

/** `mayHaveLeft`: false when the call's request never got a connection (departure.ts); undefined: not tracked. */
export function classifyBotApiError(what: string, error: unknown, token: string, mayHaveLeft?: boolean): ProviderError {
  if (error instanceof TelegramError) {
    const status = error.code;
    const description = redactToken(error.description ?? '', token);
    const detail = `${what} answered ${status}: ${description}`;
    if (status === 429) {
      const retryAfter = error.parameters?.retry_after;
      return new ProviderError(detail, 'retry', {
        status,
        retryAfterMs: typeof retryAfter === 'number' && retryAfter >= 0 ? retryAfter * 1000 : undefined,
      });
    }
    if (status >= 500) return new ProviderError(detail, 'retry', { status });
    // The user pressed "Stop and block bot": they do not want our messages.
    if (status === 403 && /blocked by the user/i.test(description)) {
      return new ProviderError(detail, 'opted-out', { status });
    }
    return new ProviderError(detail, 'reject', { status });
  }
  const failure = error as { name?: string; type?: string; code?: string; errno?: string } | undefined;
  if (mayHaveLeft === false) {
    // No connection ever opened for this call: whatever the failure (a time limit included), nothing left.
    const why =
      failure?.name === 'AbortError' ? 'time limit reached while connecting' : (failure?.code ?? 'no connection');
    return new ProviderError(`${what}: cannot connect (${why}); nothing was sent`, 'retry');
  }
  if (failure?.name === 'AbortError') {
    return new ProviderError(`${what}: no answer before the timeout; Telegram may have the message`, 'ambiguous');
  }
  if (failure?.name === 'FetchError') {
    const code = failure.code ?? failure.errno;
    if (mayHaveLeft === undefined && failure.type === 'system' && code && NOT_SENT_CODES.has(code)) {
      return new ProviderError(`${what}: cannot connect (${code})`, 'retry');
    }
    if (failure.type === 'invalid-json') {
      // Something answered that is not the Bot API (a proxy's error page?): the status is lost.
      return new ProviderError(`${what}: the answer was not Bot API JSON; Telegram may have the message`, 'ambiguous');
    }
    return new ProviderError(`${what}: connection lost (${code ?? failure.type ?? 'unknown'})`, 'ambiguous');
  }
  // Anything else (a 'null' body, a bug): we cannot tell whether the request went out.
  const message = error instanceof Error ? error.message : String(error);
  return new ProviderError(`${what}: ${redactToken(message, token)}`, 'ambiguous');
}
