/**
 * Calling a provider's HTTP API and reading its answer the same way for
 * every channel: what counts as "try again" (429, 5xx, and a request that
 * never left the process: refused connection, DNS, TLS, a time limit reached
 * while still connecting; with the provider's Retry-After), "never" (other
 * 4xx) and "we cannot know" (the request went out and no answer came back
 * before the timeout).
 */
import { parseRetryAfter } from '@passerelle/core';
import { trackFetch } from './departure.js';
import { ProviderError } from './types.js';

export interface ProviderCall {
  url: string;
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  headers?: Record<string, string>;
  body?: string | URLSearchParams;
  timeoutMs?: number;
  /** For error messages: "Twilio send", "Telegram sendMessage". */
  what: string;
}

export interface ProviderResponse {
  status: number;
  headers: Headers;
  text: string;
}

/** How long a provider call may take before it is given up (unless the call says otherwise). */
export const PROVIDER_CALL_TIMEOUT_MS = 15_000;

/** Performs the call; resolves on 2xx, otherwise throws a classified ProviderError. */
export async function callProvider(call: ProviderCall): Promise<ProviderResponse> {
  let response: Response;
  const { init, departure } = trackFetch();
  try {
    response = await fetch(call.url, {
      method: call.method ?? 'POST',
      headers: call.headers,
      body: call.body,
      signal: AbortSignal.timeout(call.timeoutMs ?? PROVIDER_CALL_TIMEOUT_MS),
      ...(init as RequestInit),
    });
  } catch (error) {
    throw networkFailure(call.what, error, departure.mayHaveLeft());
  }
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    // The provider answered with a status but the body broke off: it did receive the request.
    if (response.ok) return { status: response.status, headers: response.headers, text: '' };
    throw networkFailure(call.what, error);
  }
  if (response.ok) return { status: response.status, headers: response.headers, text };
  throw failureFromStatus(call.what, response.status, response.headers, text);
}

export function failureFromStatus(what: string, status: number, headers: Headers, body: string): ProviderError {
  const detail = `${what} answered ${status}${body ? `: ${body.slice(0, 200)}` : ''}`;
  if (status === 429 || status === 408 || status >= 500) {
    return new ProviderError(detail, 'retry', { status, retryAfterMs: parseRetryAfter(headers.get('retry-after')) });
  }
  return new ProviderError(detail, 'reject', { status });
}

/** Failures of opening the connection, before any byte of the request: when the call was not tracked. */
export const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  // the TLS handshake failed: it comes before the request
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * `mayHaveLeft` is what the call's tracking saw (departure.ts): false means no connection ever
 * opened for it, so the provider cannot have it, whatever the error (a time limit included);
 * true means the request may have been written, whatever the error. Untracked, the error's code
 * says whether it failed while connecting.
 */
export function networkFailure(what: string, error: unknown, mayHaveLeft?: boolean): ProviderError {
  const code = errorCode(error);
  const name = (error as Error)?.name;
  if (mayHaveLeft === false || (mayHaveLeft === undefined && code !== undefined && NOT_SENT_CODES.has(code))) {
    // The connection never opened: the provider cannot have the request.
    const why = code ?? (name === 'TimeoutError' ? 'time limit reached while connecting' : (name ?? 'unknown'));
    return new ProviderError(`${what}: cannot connect (${why}); nothing was sent`, 'retry', { cause: error });
  }
  const reason =
    name === 'TimeoutError' ? 'no answer before the timeout' : `connection lost (${code ?? name ?? 'unknown'})`;
  return new ProviderError(`${what}: ${reason}; the provider may have the message`, 'ambiguous', { cause: error });
}

function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
