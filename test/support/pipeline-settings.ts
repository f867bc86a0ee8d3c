import type { Config } from '@passerelle/core';

/**
 * Pipeline tuning for in-process tests: short locks and backoff so retries
 * happen in milliseconds, three attempts before a dead letter.
 */
export function testPipelineSettings(overrides: Partial<Config['pipeline']> = {}): Config['pipeline'] {
  return {
    workerConcurrency: 4,
    senderConcurrency: 4,
    dedupTtlSeconds: 600,
    conversationLockMs: 5_000,
    stalledIntervalMs: 5_000,
    inboundMaxAttempts: 3,
    outboundMaxAttempts: 3,
    retryBaseMs: 100,
    retryMaxMs: 400,
    shutdownTimeoutMs: 5_000,
    ...overrides,
  };
}
