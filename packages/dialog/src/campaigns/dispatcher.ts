/**
 * Walks running broadcasts and hands each recipient's event to the inbound
 * queue, paced at the broadcast's rate for its channel account. Every worker
 * process runs one; a Redis lease per broadcast lets exactly one of them
 * dispatch it, and another takes over within a lease period if it dies.
 *
 * Nobody gets the message twice: a recipient is marked queued only after
 * their event is on the queue, and an event put on the queue again (the
 * process died before marking) has the same id, so the queue drops it.
 * Pause and cancel are read from the database between small batches (about
 * two seconds of sending), so they take effect within that time.
 */
import {
  type Broadcast,
  type Channel,
  type ChannelCapabilities,
  changeBroadcastStatus,
  type Db,
  type InboundEvent,
  type Lease,
  type Logger,
  listBroadcasts,
  markRecipients,
  pendingRecipients,
  type RecipientUpdate,
  type Redis,
  redisLease,
} from '@passerelle/core';
import type { BotDefinition } from '../bot-folder/load-bot.js';
import { windowState } from './campaign-file.js';
import { broadcastEvent, decideRecipient } from './decide.js';

/**
 * The pacing shared by every process (a Redis meter): books the next slot if
 * it comes within `longestWaitMs` (then the caller goes in `waitMs`), or says
 * how long until one is free.
 */
export interface PaceMeter {
  reserve(key: string, perSecond: number, longestWaitMs: number): Promise<{ reserved: boolean; waitMs: number }>;
}

/** Recipients handled side by side, so the Redis and database round trips of one do not slow the rate. */
const LANES_PER_50_PER_SECOND = 1;
const MAX_LANES = 8;

export interface DispatcherDeps {
  db: Db;
  redis: Redis;
  prefix: string;
  /** The bot folder as currently loaded (reloads included). */
  bot: () => BotDefinition;
  /** Puts one event on the inbound queue; 'duplicate' when it was already there. */
  enqueue: (event: InboundEvent) => Promise<'accepted' | 'duplicate'>;
  pace: PaceMeter;
  /** What each channel allows (reply window, writing first, tags), from its folder. */
  capabilities: (channel: Channel) => ChannelCapabilities;
  logger: Logger;
  /** How often running broadcasts are looked for when there is nothing to do. */
  idleMs?: number;
  leaseMs?: number;
  now?: () => Date;
}

export class BroadcastDispatcher {
  private stopped = false;
  private loop: Promise<void> | undefined;
  /** Sleeping waits, woken at once by stop(). */
  private readonly wakers = new Set<() => void>();
  private readonly owner = `${process.pid}:${Math.random().toString(36).slice(2, 10)}`;
  private readonly leases = new Map<string, Lease>();

  constructor(private readonly deps: DispatcherDeps) {}

  start(): void {
    this.loop ??= this.run();
  }

  /** Finishes the batch in hand and lets go of the leases, so another process can go on at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const wake of this.wakers) wake();
    await this.loop;
    await Promise.all([...this.leases.values()].map((lease) => lease.release().catch(() => {})));
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let worked = false;
      try {
        for (const broadcast of await listBroadcasts(this.deps.db, { status: 'running' })) {
          if (this.stopped) break;
          if (await this.lease(broadcast.id).hold()) worked = (await this.dispatchBatch(broadcast)) || worked;
        }
      } catch (error) {
        this.deps.logger.error({ err: error }, 'broadcast dispatch failed, will try again');
      }
      if (!worked) await this.sleep(this.deps.idleMs ?? 1000);
    }
  }

  private lease(broadcastId: string): Lease {
    let lease = this.leases.get(broadcastId);
    if (!lease) {
      const key = `${this.deps.prefix}:broadcast:{${broadcastId}}:lease`;
      lease = redisLease(this.deps.redis, key, this.owner, this.deps.leaseMs ?? 15_000);
      this.leases.set(broadcastId, lease);
    }
    return lease;
  }

  /** One batch of a broadcast. True when it did something (so the loop goes on without sleeping). */
  private async dispatchBatch(broadcast: Broadcast): Promise<boolean> {
    const { db, logger } = this.deps;
    const now = this.now();
    const campaign = this.deps.bot().campaigns.get(broadcast.campaignId);
    const window = campaign ? windowState(campaign, now) : 'after';
    // Sent before the campaign opens: the broadcast waits for it.
    if (window === 'before') return false;
    const batchSize = Math.max(1, Math.min(500, Math.ceil(broadcast.ratePerSecond * 2)));
    const recipients = await pendingRecipients(db, broadcast, batchSize);
    if (recipients.length === 0) {
      await changeBroadcastStatus(db, broadcast.id, 'finish').catch(() => undefined);
      logger.info({ broadcast: broadcast.id, campaign: broadcast.campaignId }, 'broadcast dispatched to everyone');
      return true;
    }
    if (!campaign || window === 'after') {
      const reason = campaign ? 'campaign_ended' : 'campaign_removed';
      await markRecipients(
        db,
        broadcast.id,
        recipients.map((r) => ({ seq: r.seq, status: 'skipped', reason })),
      );
      return true;
    }
    const updates: RecipientUpdate[] = [];
    const paceKey = `${broadcast.channel}:${broadcast.account}`;
    const waiting = [...recipients];
    const lanes = Math.min(MAX_LANES, Math.max(1, Math.ceil((broadcast.ratePerSecond / 50) * LANES_PER_50_PER_SECOND)));
    const lane = async () => {
      for (let recipient = waiting.shift(); recipient && !this.stopped; recipient = waiting.shift()) {
        const decision = decideRecipient(recipient, {
          campaign,
          broadcast,
          now: this.now(),
          capabilities: this.deps.capabilities(broadcast.channel),
        });
        if (!decision.send) {
          updates.push({ seq: recipient.seq, status: 'skipped', reason: decision.reason });
          continue;
        }
        if (!(await this.paced(paceKey, broadcast.ratePerSecond))) return;
        await this.deps.enqueue(broadcastEvent(broadcast, recipient, decision, this.now()));
        updates.push({ seq: recipient.seq, status: 'queued' });
      }
    };
    try {
      await Promise.all(Array.from({ length: lanes }, lane));
    } finally {
      await markRecipients(db, broadcast.id, updates);
    }
    return true;
  }

  /** Books the next slot of the account's pace and waits for it; false when the process is stopping. */
  private async paced(key: string, perSecond: number): Promise<boolean> {
    while (!this.stopped) {
      const slot = await this.deps.pace.reserve(key, perSecond, 1_000);
      if (slot.reserved) {
        if (slot.waitMs > 0) await delay(slot.waitMs);
        return true;
      }
      await this.sleep(slot.waitMs - 1_000);
    }
    return false;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakers.add(wake);
    });
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }
}

/** A plain wait (a booked slot is kept even while stopping: the lane finishes its recipient). */
function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
