/**
 * Keeps the send time of every message in a batch and the latency of its
 * answer; prints progress once a second while waiting for the batch, and
 * fails when an answer is overdue or when told something went wrong.
 */
import { performance } from 'node:perf_hooks';
import { type LatencySummary, summarise } from './stats.js';

export class Tracker {
  /** Answers that came for a key already answered. */
  duplicates = 0;
  /** Answers that match no key of this batch. */
  unexpected = 0;
  private readonly pending = new Map<string, number>();
  private readonly answered = new Set<string>();
  private readonly latencies: number[] = [];
  private firstSent = Number.POSITIVE_INFINITY;
  private lastAnswered = 0;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;

  constructor(
    readonly label: string,
    readonly total: number,
  ) {}

  /** Call just before sending: the latency clock starts here. */
  sent(key: string): void {
    const now = performance.now();
    this.pending.set(key, now);
    this.firstSent = Math.min(this.firstSent, now);
  }

  /** Call when the answer for key arrives. */
  received(key: string, at = performance.now()): void {
    const sentAt = this.pending.get(key);
    if (sentAt === undefined) {
      if (this.answered.has(key)) this.duplicates += 1;
      else this.unexpected += 1;
      return;
    }
    this.pending.delete(key);
    this.answered.add(key);
    this.latencies.push(at - sentAt);
    this.lastAnswered = Math.max(this.lastAnswered, at);
    if (this.latencies.length >= this.total) this.wake?.();
  }

  fail(error: Error): void {
    this.failure ??= error;
    this.wake?.();
  }

  get done(): number {
    return this.latencies.length;
  }

  /**
   * Resolves once every message of the batch has its answer. Prints a progress
   * line every second; rejects when an answer is more than timeoutMs overdue.
   */
  async waitForAll(timeoutMs = 60_000): Promise<void> {
    const started = performance.now();
    while (this.done < this.total) {
      if (this.failure) throw this.failure;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1_000);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
      if (this.failure) throw this.failure;
      const elapsed = ((performance.now() - started) / 1000).toFixed(1);
      console.log(`  ${this.label}: ${this.done}/${this.total} answered after ${elapsed} s`);
      this.checkOverdue(timeoutMs);
    }
  }

  private checkOverdue(timeoutMs: number): void {
    // Map order is send order, so the first pending entry is the oldest.
    const oldest = this.pending.entries().next();
    if (oldest.done) return;
    const [key, sentAt] = oldest.value;
    const waited = performance.now() - sentAt;
    if (waited > timeoutMs) {
      throw new Error(
        `${this.label}: no answer to "${key}" after ${Math.round(waited / 1000)} s ` +
          `(${this.done}/${this.total} answered, ${this.pending.size} outstanding)`,
      );
    }
  }

  summary(): LatencySummary {
    return summarise(this.latencies, this.lastAnswered - this.firstSent);
  }
}
