/**
 * Calls to the HubSpot API with the private app token, and HubSpot's errors
 * turned into what the resilience layer and an operator need: a 401 says the
 * token is wrong (naming the variable, never the token) and is not retried;
 * a 429 of the daily quota is marked as not worth waiting for, while the
 * ten-secondly one stays a plain retryable 429.
 */
import { ConnectorHttpError } from '../errors.js';
import { requestJson } from '../http.js';

export interface HubspotClient {
  call<T>(method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown): Promise<T>;
}

export interface HubspotClientOptions {
  baseUrl: string;
  token: string;
  /** The environment variable the token came from, for error messages. */
  tokenEnv: string;
}

/**
 * HubSpot resets the daily quota at midnight in the account's time zone,
 * which we do not know; any wait longer than a customer would bear does.
 */
const DAILY_LIMIT_WAIT_MS = 60 * 60_000;

export function hubspotClient(options: HubspotClientOptions): HubspotClient {
  const base = options.baseUrl.replace(/\/+$/, '');
  return {
    async call<T>(method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown): Promise<T> {
      try {
        const response = await requestJson<T>({
          method,
          url: `${base}${path}`,
          headers: { authorization: `Bearer ${options.token}` },
          body,
        });
        return response.body;
      } catch (error) {
        throw explain(error, `${method} ${path.split('?')[0]}`, options.tokenEnv);
      }
    },
  };
}

function explain(error: unknown, where: string, tokenEnv: string): unknown {
  if (!(error instanceof ConnectorHttpError)) return error;
  switch (error.status) {
    case 401:
      return new ConnectorHttpError(
        `${where}: HubSpot refused the access token (HTTP 401): ${tokenEnv} does not hold a valid private app access token`,
        401,
        false,
      );
    case 403:
      return new ConnectorHttpError(
        `${error.message} (the private app lacks a scope this call needs; see its scopes in HubSpot)`,
        403,
        false,
      );
    case 429:
      // HubSpot says which limit in the body: "You have reached your daily limit." or "... ten_secondly_rolling limit."
      if (/daily/i.test(error.message)) {
        return new ConnectorHttpError(
          `${where}: HubSpot's daily API quota is used up (HTTP 429)`,
          429,
          true,
          Math.max(error.retryAfterMs ?? 0, DAILY_LIMIT_WAIT_MS),
        );
      }
      return error;
    default:
      return error;
  }
}
