/**
 * One JSON call to a connector's API, with a time limit. Errors come back as
 * ConnectorHttpError saying whether trying again may help (429, 5xx, network,
 * timeout) and after how long when the API said (Retry-After). Messages name
 * the method and path only: query strings and headers may hold secrets.
 */
import { ConnectorHttpError } from './errors.js';

export interface JsonRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  /** Sent as JSON; a URLSearchParams is sent as a form (OAuth token endpoints). */
  body?: unknown;
  timeoutMs?: number;
}

export interface JsonResponse<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

export async function requestJson<T = unknown>(request: JsonRequest): Promise<JsonResponse<T>> {
  const method = request.method ?? 'GET';
  const where = `${method} ${new URL(request.url).pathname}`;
  const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
  let body: string | undefined;
  if (request.body instanceof URLSearchParams) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = request.body.toString();
  } else if (request.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(request.body);
  }
  let response: Response;
  try {
    response = await fetch(request.url, {
      method,
      headers,
      body,
      signal: AbortSignal.timeout(request.timeoutMs ?? 10_000),
    });
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    throw new ConnectorHttpError(
      `${where}: ${timedOut ? 'no answer in time' : `unreachable (${String(error)})`}`,
      undefined,
      true,
    );
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  if (!response.ok) {
    const retryable = response.status === 429 || response.status >= 500;
    throw new ConnectorHttpError(
      `${where}: HTTP ${response.status} ${summary(parsed)}`,
      response.status,
      retryable,
      retryAfterMs(response.headers.get('retry-after')) ?? rateLimitResetMs(response.headers),
    );
  }
  return { status: response.status, body: parsed as T, headers: response.headers };
}

/** Retry-After in seconds or as an HTTP date. */
export function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/**
 * Some APIs say when their rate limit resets instead of Retry-After (Cal.com:
 * X-RateLimit-Reset-Default, in seconds): seconds until, or an epoch when large.
 */
export function rateLimitResetMs(headers: Headers): number | undefined {
  for (const [name, value] of headers) {
    if (!name.startsWith('x-ratelimit-reset')) continue;
    const number = Number(value);
    if (!Number.isFinite(number)) continue;
    return number > 1e9 ? Math.max(0, number * 1000 - Date.now()) : Math.max(0, number * 1000);
  }
  return undefined;
}

function summary(body: unknown): string {
  if (body && typeof body === 'object') {
    const { message, error, errors } = body as { message?: unknown; error?: unknown; errors?: unknown };
    const first = message ?? error ?? errors;
    return String(typeof first === 'string' ? first : JSON.stringify(first ?? body)).slice(0, 200);
  }
  return String(body ?? '').slice(0, 200);
}
