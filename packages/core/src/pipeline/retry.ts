/**
 * How a handler tells the pipeline what to do with a failure. Anything that is
 * not a GiveUp is retried: an unexpected error (database away, bug fixed by a
 * redeploy) deserves another try more than it deserves a dead letter.
 */
export class RetryLater extends Error {
  constructor(
    message: string,
    readonly options: {
      /** Wait at least this long (a provider's Retry-After). */
      afterMs?: number | undefined;
      /** A rate-limit wait is not a failed attempt and must not use up the retries. */
      countsAsAttempt?: boolean;
      cause?: unknown;
    } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'RetryLater';
  }
}

export class GiveUp extends Error {
  constructor(
    message: string,
    readonly options: { cause?: unknown; reason?: string } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'GiveUp';
  }
}

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

/** Exponential backoff with full jitter (AWS architecture blog), capped. */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.max(policy.baseMs / 2, Math.round(ceiling * random()));
}

/** Parses an HTTP Retry-After header: seconds or an HTTP date. */
export function parseRetryAfter(header: string | null | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
