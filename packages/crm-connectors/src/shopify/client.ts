/**
 * One call to the Admin GraphQL endpoint. Shopify answers most problems with
 * HTTP 200 and an `errors` list, so this turns them into ConnectorHttpError:
 * THROTTLED (the query-cost bucket is empty) may pass later, after the time
 * the bucket needs to refill for this query's cost; any other GraphQL error
 * (a field the token may not read, a query Shopify refuses) will not.
 * HTTP errors (401 bad token, 429 with Retry-After, 5xx) come from
 * requestJson already classified. Messages name the operation and Shopify's
 * message, never the token or the variables (the customer's email or phone).
 */
import { ConnectorHttpError } from '../errors.js';
import { requestJson } from '../http.js';
import type { ShopifyGraphqlError, ShopifyGraphqlResponse, ShopifyQueryCost } from './types.js';

export interface ShopifyClient {
  query<T>(document: string, variables: Record<string, unknown>): Promise<T>;
}

export interface ShopifyClientOptions {
  /** https://<store>/admin/api/<version>/graphql.json */
  endpoint: string;
  accessToken: string;
}

export function shopifyClient({ endpoint, accessToken }: ShopifyClientOptions): ShopifyClient {
  const where = `POST ${new URL(endpoint).pathname}`;
  return {
    async query<T>(document: string, variables: Record<string, unknown>): Promise<T> {
      const { status, body } = await requestJson<ShopifyGraphqlResponse<T> | undefined>({
        method: 'POST',
        url: endpoint,
        headers: { 'X-Shopify-Access-Token': accessToken },
        body: { query: document, variables },
      });
      const operation = /query\s+(\w+)/.exec(document)?.[1] ?? 'query';
      const errors = body?.errors;
      if (typeof errors === 'string')
        throw new ConnectorHttpError(`${where} ${operation}: ${clip(errors)}`, status, false);
      if (errors && errors.length > 0) throw graphqlError(`${where} ${operation}`, errors, body?.extensions?.cost);
      if (!body?.data) throw new ConnectorHttpError(`${where} ${operation}: the answer has no data`, status, false);
      return body.data;
    },
  };
}

function graphqlError(where: string, errors: ShopifyGraphqlError[], cost: ShopifyQueryCost | undefined): Error {
  if (errors.some((error) => error.extensions?.code === 'THROTTLED')) {
    const bucket = cost?.throttleStatus;
    const detail =
      bucket?.currentlyAvailable !== undefined && cost?.requestedQueryCost != null
        ? ` (query cost ${cost.requestedQueryCost}, ${bucket.currentlyAvailable} available)`
        : '';
    // 429 although Shopify said 200: it is the rate limit, and callers read it as one.
    return new ConnectorHttpError(`${where}: throttled by Shopify${detail}`, 429, true, refillMs(cost));
  }
  const first = errors[0];
  const code = first?.extensions?.code ? ` [${first.extensions.code}]` : '';
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  return new ConnectorHttpError(`${where}: ${clip(first?.message ?? 'GraphQL error')}${code}${more}`, 200, false);
}

/**
 * How long until the bucket holds this query's cost again: the points
 * missing divided by the restore rate (points a second). Without a requested
 * cost, the time for one point; without a restore rate, unknown.
 */
export function refillMs(cost: ShopifyQueryCost | undefined): number | undefined {
  const restoreRate = cost?.throttleStatus?.restoreRate;
  if (!restoreRate || restoreRate <= 0) return undefined;
  const available = cost?.throttleStatus?.currentlyAvailable ?? 0;
  const missing = Math.max(1, (cost?.requestedQueryCost ?? 0) - available);
  return Math.ceil((missing / restoreRate) * 1000);
}

function clip(message: string): string {
  return message.length > 200 ? `${message.slice(0, 200)}…` : message;
}
