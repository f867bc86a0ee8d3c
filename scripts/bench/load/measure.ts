/**
 * Bookkeeping of one measured phase: when each message left, its ack
 * latency, and the time its reply reached the provider (or the web chat
 * socket). Reports per channel and overall; a reply that comes twice is
 * counted, one that never comes fails the phase.
 */
import { performance } from 'node:perf_hooks';
import { type LatencySummary, summarise } from '../stats.js';
import type { LoadChannel } from './customers.js';

export interface ChannelFigures {
  messages: number;
  ack?: LatencySummary;
  endToEnd: LatencySummary;
}

export interface PhaseFigures {
  label: string;
  messages: number;
  /** Replies per second, from the first message sent to the last reply received. */
  throughput: number;
  durationMs: number;
  ack: LatencySummary;
  endToEnd: LatencySummary;
  byChannel: Partial<Record<LoadChannel, ChannelFigures>>;
  duplicates: number;
}

interface Pending {
  channel: LoadChannel;
  at: number;
}

export class Phase {
  private readonly pending = new Map<string, Pending>();
  private readonly answered = new Set<string>();
  private readonly endToEnd = new Map<LoadChannel, number[]>();
  private readonly acks = new Map<LoadChannel, number[]>();
  private first = Number.POSITIVE_INFINITY;
  private last = 0;
  private expected = 0;
  private duplicates = 0;
  private failure: Error | undefined;

  constructor(readonly label: string) {}

  /** Called just before the message leaves: its reply may reach a provider before the webhook's answer is read. */
  sending(token: string, channel: LoadChannel, at: number): void {
    this.expected += 1;
    this.pending.set(token, { channel, at });
    this.first = Math.min(this.first, at);
  }

  acknowledged(channel: LoadChannel, ackMs: number): void {
    push(this.acks, channel, ackMs);
  }

  /** A reply seen at a provider; tokens of other phases are ignored. */
  replied(token: string, at: number): void {
    const pending = this.pending.get(token);
    if (!pending) {
      if (this.answered.has(token)) this.duplicates += 1;
      return;
    }
    this.pending.delete(token);
    this.answered.add(token);
    push(this.endToEnd, pending.channel, at - pending.at);
    this.last = Math.max(this.last, at);
  }

  fail(error: Error): void {
    this.failure ??= error;
  }

  get done(): number {
    return this.answered.size;
  }

  /** Waits for every reply, printing progress every second; fails when one is overdue. */
  async settle(sentAll: Promise<unknown>, overdueMs: number): Promise<void> {
    let allSent = false;
    void sentAll.then(
      () => {
        allSent = true;
      },
      (error: Error) => this.fail(error),
    );
    const started = performance.now();
    let lastLine = 0;
    while (!allSent || this.pending.size > 0) {
      if (this.failure) throw this.failure;
      await new Promise((resolve) => setTimeout(resolve, 50));
      const now = performance.now();
      if (now - lastLine >= 5_000) {
        lastLine = now;
        const elapsed = ((now - started) / 1000).toFixed(0);
        console.log(`    ${this.label}: ${this.done}/${this.expected} answered after ${elapsed} s`);
      }
      const oldest = this.pending.entries().next();
      if (!oldest.done && now - oldest.value[1].at > overdueMs) {
        throw new Error(
          `${this.label}: no reply to ${oldest.value[0]} (${oldest.value[1].channel}) after ` +
            `${Math.round(overdueMs / 1000)} s; ${this.pending.size} outstanding`,
        );
      }
    }
    if (this.failure) throw this.failure;
  }

  figures(): PhaseFigures {
    const duration = this.last - this.first;
    const byChannel: PhaseFigures['byChannel'] = {};
    for (const [channel, latencies] of this.endToEnd) {
      const acks = this.acks.get(channel);
      byChannel[channel] = {
        messages: latencies.length,
        ...(acks ? { ack: summarise(acks, duration) } : {}),
        endToEnd: summarise(latencies, duration),
      };
    }
    const endToEnd = summarise([...this.endToEnd.values()].flat(), duration);
    return {
      label: this.label,
      messages: endToEnd.count,
      throughput: endToEnd.throughput,
      durationMs: duration,
      ack: summarise([...this.acks.values()].flat(), duration),
      endToEnd,
      byChannel,
      duplicates: this.duplicates,
    };
  }
}

function push(map: Map<LoadChannel, number[]>, channel: LoadChannel, value: number): void {
  const list = map.get(channel);
  if (list) list.push(value);
  else map.set(channel, [value]);
}
