/**
 * Calls to Cal.com API v2 with the API key, each with the `cal-api-version`
 * its endpoint needs (without it Cal.com silently answers an older version,
 * in another shape). Answers are unwrapped from Cal.com's
 * `{ status: "success", data }` and checked; errors stay ConnectorHttpError
 * so the resilience layer can tell a 429 (retried) from a 401 (not: the key
 * is wrong, said with the variable's name, never the key).
 */
import type { z } from 'zod';
import { ConnectorHttpError } from '../errors.js';
import { requestJson } from '../http.js';

export interface CalcomRequest {
  method: 'GET' | 'POST';
  path: string;
  version: string;
  query?: Record<string, string>;
  body?: unknown;
}

export interface CalcomClient {
  call<T>(request: CalcomRequest, data: z.ZodType<T>): Promise<T>;
}

export interface CalcomClientOptions {
  baseUrl: string;
  apiKey: string;
  /** The environment variable the key came from, for error messages. */
  apiKeyEnv: string;
}

export function calcomClient(options: CalcomClientOptions): CalcomClient {
  const base = options.baseUrl.replace(/\/+$/, '');
  return {
    async call<T>(request: CalcomRequest, data: z.ZodType<T>): Promise<T> {
      const where = `${request.method} ${request.path}`;
      const query = request.query ? `?${new URLSearchParams(request.query).toString()}` : '';
      let body: unknown;
      try {
        ({ body } = await requestJson({
          method: request.method,
          url: `${base}${request.path}${query}`,
          headers: { authorization: `Bearer ${options.apiKey}`, 'cal-api-version': request.version },
          body: request.body,
        }));
      } catch (error) {
        throw explain(error, where, options.apiKeyEnv);
      }
      const envelope = (body ?? {}) as { status?: unknown; data?: unknown };
      const parsed = data.safeParse(envelope.data);
      if (envelope.status !== 'success' || !parsed.success) {
        const problem = parsed.success ? `status ${String(envelope.status)}` : parsed.error.issues[0]?.message;
        throw new Error(`${where}: Cal.com answered in an unexpected shape (${problem})`);
      }
      return parsed.data;
    },
  };
}

function explain(error: unknown, where: string, apiKeyEnv: string): unknown {
  if (error instanceof ConnectorHttpError && error.status === 401) {
    return new ConnectorHttpError(
      `${where}: Cal.com refused the API key (HTTP 401): ${apiKeyEnv} does not hold a valid Cal.com API key`,
      401,
      false,
    );
  }
  return error;
}
