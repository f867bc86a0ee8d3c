/**
 * What every connector call goes through, whoever wrote the connector:
 *   read cache -> circuit breaker -> retry (reads, and writes the connector
 *   declares idempotent) -> time limit -> the connector's own code.
 * A slow or failing CRM therefore costs a conversation at most the time
 * limit (and then nothing at all while the breaker is open), and the flow
 * gets an error it turns into a polite message. Built on cockatiel rather
 * than on retry loops of our own.
 */
import type { Logger } from '@passerelle/core';
import {
  BrokenCircuitError,
  ConsecutiveBreaker,
  circuitBreaker,
  type FailureReason,
  handleWhen,
  type IBackoff,
  type IBackoffFactory,
  type IRetryBackoffContext,
  retry,
  TaskCancelledError,
  TimeoutStrategy,
  timeout,
  wrap,
} from 'cockatiel';
import { LRUCache } from 'lru-cache';
import type { ConnectorKind } from './definition.js';
import { ConnectorHttpError } from './errors.js';

export interface ResilienceSettings {
  /** One attempt's time limit. */
  timeoutMs: number;
  /** Extra attempts after a failure that may pass (429, 5xx, timeout, network). */
  retries: number;
  /** How long a read's answer is reused; 0: not cached. */
  cacheMs: number;
  /** Failures in a row that open the breaker, and how long it stays open before one trial call. */
  breakerFailures: number;
  breakerOpenMs: number;
  /** A Retry-After longer than this is not waited for: a customer is waiting. */
  maxRetryWaitMs: number;
}

/** A customer waits for the answer: at worst about 5 s (two attempts of 2.5 s) before "unavailable". */
export const DEFAULT_RESILIENCE: ResilienceSettings = {
  timeoutMs: 2_500,
  retries: 1,
  cacheMs: 30_000,
  breakerFailures: 5,
  breakerOpenMs: 30_000,
  maxRetryWaitMs: 3_000,
};

/** The calls that only read: retried and cached. Everything else is a write. */
const READS: Record<ConnectorKind, readonly string[]> = {
  crm: ['findContact'],
  orders: ['findOrder', 'recentOrders'],
  bookings: ['freeSlots'],
};

/** A failure that says the service is unwell (not "no such order" or "slot taken"). */
export function isOutage(error: unknown): boolean {
  if (error instanceof ConnectorHttpError) return error.retryable;
  return error instanceof TaskCancelledError || (error instanceof TypeError && /fetch/i.test(error.message));
}

export interface ResilienceOptions {
  kind: ConnectorKind;
  /** For logs: "orders (shopify)". */
  name: string;
  settings: ResilienceSettings;
  idempotentWrites?: readonly string[] | undefined;
  logger?: Logger | undefined;
}

export function withResilience<T extends object>(connector: T, options: ResilienceOptions): T {
  const { settings, kind, name, logger } = options;
  const breaker = circuitBreaker(handleWhen(isOutage), {
    halfOpenAfter: settings.breakerOpenMs,
    breaker: new ConsecutiveBreaker(settings.breakerFailures),
  });
  breaker.onBreak(() => logger?.warn({ connector: name }, 'connector circuit open: calls fail at once for a while'));
  breaker.onReset(() => logger?.info({ connector: name }, 'connector circuit closed again'));
  const limit = timeout(settings.timeoutMs, TimeoutStrategy.Aggressive);
  // Not retried: an open breaker, and a Retry-After longer than a customer will wait.
  const retryable = (error: unknown) =>
    isOutage(error) &&
    !(error instanceof BrokenCircuitError) &&
    !(error instanceof ConnectorHttpError && (error.retryAfterMs ?? 0) > settings.maxRetryWaitMs);
  const retrying = retry(handleWhen(retryable), { maxAttempts: settings.retries, backoff: new RetryAfterBackoff() });
  const once = wrap(breaker, limit);
  const again = wrap(retrying, breaker, limit);
  const cache = new LRUCache<string, { value: unknown }>({ max: 1_000, ttl: Math.max(1, settings.cacheMs) });

  const wrapped: Record<string, unknown> = {};
  for (const method of methodsOf(connector)) {
    const original = (connector as Record<string, (...args: unknown[]) => Promise<unknown>>)[method];
    if (typeof original !== 'function') continue;
    const call = original.bind(connector);
    const read = READS[kind].includes(method);
    const policy = read || options.idempotentWrites?.includes(`${kind}.${method}`) ? again : once;
    wrapped[method] = async (...args: unknown[]) => {
      const key = `${method}:${JSON.stringify(args)}`;
      if (read && settings.cacheMs > 0) {
        const hit = cache.get(key);
        if (hit) return hit.value;
      }
      const value = await policy.execute(() => call(...args));
      if (read && settings.cacheMs > 0) cache.set(key, { value });
      // A booking or a change makes the cached free slots (or orders) wrong: forget them.
      if (!read) cache.clear();
      return value;
    };
  }
  return wrapped as T;
}

function methodsOf(connector: object): string[] {
  const names = new Set<string>(Object.keys(connector));
  let proto = Object.getPrototypeOf(connector) as object | null;
  while (proto && proto !== Object.prototype) {
    for (const name of Object.getOwnPropertyNames(proto)) if (name !== 'constructor') names.add(name);
    proto = Object.getPrototypeOf(proto) as object | null;
  }
  return [...names];
}

/** Exponential backoff with jitter (100 ms, 200 ms ... up to 1 s), or the provider's Retry-After when it gave one. */
class RetryAfterBackoff implements IBackoffFactory<IRetryBackoffContext<unknown>> {
  next(context: IRetryBackoffContext<unknown>): IBackoff<IRetryBackoffContext<unknown>> {
    const exponential = Math.min(1_000, 100 * 2 ** Math.max(0, context.attempt - 1)) * (0.5 + Math.random() / 2);
    return { duration: retryAfterOf(context.result) ?? exponential, next: (ctx) => this.next(ctx) };
  }
}

function retryAfterOf(result: FailureReason<unknown>): number | undefined {
  return 'error' in result && result.error instanceof ConnectorHttpError ? result.error.retryAfterMs : undefined;
}
