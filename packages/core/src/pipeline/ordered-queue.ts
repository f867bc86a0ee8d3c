/**
 * A BullMQ queue whose items are handled one at a time per conversation, in
 * arrival order, by any number of worker processes, while different
 * conversations run in parallel.
 *
 * BullMQ alone cannot do this (per-group ordering is a BullMQ Pro feature),
 * so each conversation also gets a mailbox in Redis:
 *
 *   enqueue:  BullMQ job (durable, retried, stall-detected) + ACCEPT script
 *             (dedup status key + push onto the conversation's mailbox).
 *   process:  the job's worker tries to own the conversation (TRY_LOCK). The
 *             owner drains the mailbox head first, popping each item only after
 *             it was handled (COMPLETE), and lets go only when the mailbox is
 *             empty (RELEASE). A job that finds the conversation owned moves
 *             itself to delayed and comes back; by then its item is usually
 *             done and the job just completes.
 *
 * A crash leaves the item at the head of the mailbox and the BullMQ job
 * active; the lock expires, BullMQ's stall check requeues the job, and the
 * next owner handles the item again. Handlers are therefore written to be
 * idempotent (the dialog keeps its last step, the sender its send marker).
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { DelayedError, type Job, Queue, Worker } from 'bullmq';
import type { Logger } from '../logging/logger.js';
import { bullmqQueueName, conversationKeys } from '../queues/names.js';
import type { Redis } from '../queues/redis.js';
import type { DeadLetter, DeadLetters } from './dead-letters.js';
import { defineScript, type LuaScript } from './lua.js';
import { backoffDelay, GiveUp, RetryLater } from './retry.js';
import { ACCEPT, COMPLETE, RELEASE, RENEW, TRY_LOCK } from './scripts.js';

export interface OrderedQueueOptions<T> {
  redis: Redis;
  /** Key prefix shared with BullMQ (REDIS_KEY_PREFIX). */
  prefix: string;
  /** The stage: in the conversations' keys as is, and as the BullMQ queue's hash tag (bullmqQueueName). */
  name: string;
  /** Tells the queue which item this is (dedup) and which conversation it belongs to (ordering). */
  identify: (item: T) => { id: string; conversationId: string };
  dedupTtlSeconds: number;
}

export type EnqueueResult = 'accepted' | 'duplicate';

export class OrderedQueue<T> {
  readonly queue: Queue;
  private readonly accept: LuaScript;

  constructor(readonly options: OrderedQueueOptions<T>) {
    this.queue = new Queue(bullmqQueueName(options.name), {
      connection: options.redis,
      prefix: options.prefix,
      defaultJobOptions: {
        // Job-level retries only cover the processor itself failing (Redis blip);
        // a handler's failures are retried inside the mailbox with their own policy.
        attempts: 25,
        backoff: { type: 'exponential', delay: 500 },
        removeOnComplete: { count: 1000 },
        removeOnFail: { count: 10_000 },
      },
    });
    this.accept = defineScript(options.redis, 'accept', 2, ACCEPT);
  }

  keys(conversationId: string, itemId = '') {
    return conversationKeys(this.options.prefix, this.options.name, conversationId, itemId);
  }

  /**
   * Puts an item on the queue once. The BullMQ job goes first: if we die before
   * the mailbox push, the job's worker pushes it (see process()); the other way
   * round, an item could sit in a mailbox with no job to ever drive it.
   */
  async enqueue(item: T): Promise<EnqueueResult> {
    const { id, conversationId } = this.options.identify(item);
    const keys = this.keys(conversationId, id);
    if ((await this.options.redis.exists(keys.status)) === 1) return 'duplicate';
    await this.queue.add(this.options.name, item, { jobId: id });
    return (await this.pushToMailbox(item)) ? 'accepted' : 'duplicate';
  }

  /** 'queued', 'done', or undefined when never seen (or forgotten after the dedup TTL). */
  async status(item: T): Promise<'queued' | 'done' | undefined> {
    const { id, conversationId } = this.options.identify(item);
    const value = await this.options.redis.get(this.keys(conversationId, id).status);
    return value === 'q' ? 'queued' : value === 'd' ? 'done' : undefined;
  }

  async pushToMailbox(item: T): Promise<boolean> {
    const { id, conversationId } = this.options.identify(item);
    const keys = this.keys(conversationId, id);
    return (await this.accept([keys.status, keys.mailbox], [this.options.dedupTtlSeconds, JSON.stringify(item)])) === 1;
  }

  /**
   * Forgets that an item was ever seen, so that enqueue() takes it again.
   * Only for a human retrying a dead letter: it lifts the at-most-once guard.
   */
  async forget(item: T): Promise<void> {
    const { id, conversationId } = this.options.identify(item);
    const status = this.keys(conversationId, id).status;
    // A dead letter is listed a moment before its job completes; while the job is still active
    // BullMQ will not remove it, and a new job with its id would then be ignored: wait for it.
    for (let tries = 0; tries < 50 && (await this.queue.getJob(id)); tries++) {
      if ((await this.queue.remove(id).catch(() => 0)) === 1) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await this.options.redis.del(status, `${status}:progress`, `${status}:inflight`);
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}

export interface HandlerContext {
  /** 1 on the first try. */
  attempt: number;
  /** The BullMQ job that drove this item here (not always the item's own job). */
  jobId: string;
  /**
   * True while this process still holds the conversation. A handler about to do something that
   * cannot be undone after a wait (a provider call after pacing) asks first: a process stalled
   * past the lock's time may have been replaced, and the other one is doing it.
   */
  stillOwner(): Promise<boolean>;
}

export interface OrderedWorkerOptions<T> {
  concurrency: number;
  lockMs: number;
  stalledIntervalMs: number;
  maxAttempts: number;
  backoff: { baseMs: number; maxMs: number };
  handle: (item: T, context: HandlerContext) => Promise<void>;
  /**
   * Called once when an item is given up on, before it is stored as a dead letter; what it
   * returns is kept on the dead letter (the sender says whether the provider may have it).
   */
  onGiveUp?: (item: T, error: Error, attempts: number) => Promise<Pick<DeadLetter, 'outcome'> | undefined>;
  deadLetters: DeadLetters;
  logger: Logger;
  /** Bounce delay when a conversation is busy; jittered so bounced jobs do not come back in lockstep. */
  busyRetryMs?: number;
}

type Outcome = { holdMs?: number };

export class OrderedWorker<T> {
  readonly worker: Worker;
  /** Who holds a conversation lock, readable by an operator: host, pid, instance. */
  private readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private closing = false;
  private readonly tryLock: LuaScript;
  private readonly renew: LuaScript;
  private readonly complete: LuaScript;
  private readonly release: LuaScript;

  constructor(
    private readonly source: OrderedQueue<T>,
    private readonly options: OrderedWorkerOptions<T>,
  ) {
    const { redis } = source.options;
    this.tryLock = defineScript(redis, 'try_lock', 2, TRY_LOCK);
    this.renew = defineScript(redis, 'renew', 1, RENEW);
    this.complete = defineScript(redis, 'complete', 4, COMPLETE);
    this.release = defineScript(redis, 'release', 3, RELEASE);
    this.worker = new Worker(bullmqQueueName(source.options.name), (job, token) => this.process(job, token), {
      connection: redis,
      prefix: source.options.prefix,
      concurrency: options.concurrency,
      lockDuration: options.lockMs,
      stalledInterval: options.stalledIntervalMs,
      // A SIGKILLed worker leaves its jobs active; let them come back more than once.
      maxStalledCount: 10,
    });
    this.worker.on('error', (error) =>
      options.logger.error({ err: error, queue: source.options.name }, 'worker error'),
    );
  }

  private async process(job: Job, token: string | undefined): Promise<string> {
    const item = job.data as T;
    const { id, conversationId } = this.source.options.identify(item);
    const keys = this.source.keys(conversationId, id);
    const redis = this.source.options.redis;

    const status = await redis.get(keys.status);
    if (status === 'd') return 'done-before';
    // The gateway died between adding the job and pushing to the mailbox.
    if (status === null) await this.source.pushToMailbox(item);

    const lockOwner = `${this.owner}:${job.id}`;
    const locked = await this.tryLock([keys.lock, keys.hold], [lockOwner, this.options.lockMs]);
    if (locked === 1) await this.drain(conversationId, lockOwner, String(job.id));

    if ((await redis.get(keys.status)) === 'd') return 'done';
    const wait = locked === -1 ? Math.max(10, await redis.pttl(keys.hold)) : this.busyDelay();
    await job.moveToDelayed(Date.now() + wait, token);
    throw new DelayedError();
  }

  private busyDelay(): number {
    const base = this.options.busyRetryMs ?? 40;
    return base + Math.round(Math.random() * base);
  }

  /** Handles the conversation's mailbox from its head until it is empty, or until told to stop. */
  private async drain(conversationId: string, lockOwner: string, jobId: string): Promise<void> {
    const keys = this.source.keys(conversationId);
    const redis = this.source.options.redis;
    let lost = false;
    const renewal = setInterval(
      () => {
        this.renew([keys.lock], [lockOwner, this.options.lockMs])
          .then((owned) => {
            if (owned !== 1) lost = true;
          })
          .catch(() => {});
      },
      Math.max(50, Math.floor(this.options.lockMs / 3)),
    );
    try {
      for (;;) {
        if (lost) return;
        const head = await redis.lindex(keys.mailbox, 0);
        if (head === null) {
          const released = await this.release([keys.lock, keys.mailbox, keys.hold], [lockOwner, '0', 0]);
          if (released === 0) continue; // something arrived while we looked: keep going
          return;
        }
        const outcome = await this.handleOne(conversationId, head, lockOwner, jobId);
        if (outcome === 'lost') return;
        if (outcome.holdMs !== undefined || this.closing) {
          // Retry delay, or shutting down: let go now; the items' own jobs will come back for them.
          await this.release([keys.lock, keys.mailbox, keys.hold], [lockOwner, '1', outcome.holdMs ?? 0]);
          return;
        }
      }
    } finally {
      clearInterval(renewal);
    }
  }

  private async handleOne(
    conversationId: string,
    head: string,
    lockOwner: string,
    jobId: string,
  ): Promise<Outcome | 'lost'> {
    const item = JSON.parse(head) as T;
    const { id } = this.source.options.identify(item);
    const keys = this.source.keys(conversationId, id);
    const redis = this.source.options.redis;
    const attempt = Number((await redis.hget(keys.tries, id)) ?? 0) + 1;
    const finish = async () =>
      (await this.complete(
        [keys.lock, keys.mailbox, keys.status, keys.tries],
        [lockOwner, head, id, this.source.options.dedupTtlSeconds],
      )) === 1
        ? {}
        : ('lost' as const);

    try {
      const stillOwner = async () => (await redis.get(keys.lock)) === lockOwner;
      await this.options.handle(item, { attempt, jobId, stillOwner });
      return finish();
    } catch (caught) {
      const error = caught instanceof Error ? caught : new Error(String(caught));
      const retry = error instanceof RetryLater ? error.options : error instanceof GiveUp ? undefined : {};
      const counts = retry?.countsAsAttempt !== false;
      if (retry && (!counts || attempt < this.options.maxAttempts)) {
        if (counts) {
          await redis.hincrby(keys.tries, id, 1);
          await redis.expire(keys.tries, this.source.options.dedupTtlSeconds);
        }
        const holdMs = Math.max(retry.afterMs ?? 0, counts ? backoffDelay(attempt, this.options.backoff) : 0);
        this.options.logger.warn(
          { queue: this.source.options.name, itemId: id, conversationId, attempt, holdMs, err: error },
          'handling failed, will retry',
        );
        return { holdMs: Math.max(1, holdMs) };
      }
      this.options.logger.error(
        { queue: this.source.options.name, itemId: id, conversationId, attempt, err: error },
        'giving up, kept as dead letter',
      );
      const noted = await this.options.onGiveUp?.(item, error, attempt);
      await this.options.deadLetters.add({
        ...(noted?.outcome ? { outcome: noted.outcome } : {}),
        stage: this.source.options.name,
        itemId: id,
        conversationId,
        item,
        error: error.message,
        attempts: attempt,
        failedAt: new Date().toISOString(),
      });
      return finish();
    }
  }

  /** Finishes the items in hand, takes no new ones, then closes. Jobs not started stay queued. */
  async close(): Promise<void> {
    this.closing = true;
    await this.worker.close();
  }
}
