/**
 * The ordered queue against a real Redis: dedup, order per conversation
 * with several workers, parallelism across conversations, retries that
 * honour a delay, and dead letters.
 */
import assert from 'node:assert/strict';
import { after, afterEach, describe, it } from 'node:test';
import {
  createLogger,
  DeadLetters,
  GiveUp,
  type HandlerContext,
  OrderedQueue,
  OrderedWorker,
  type Redis,
  RetryLater,
} from '@passerelle/core';
import { deletePrefix, openRedis, uniquePrefix, waitFor } from '../../../test/support/services.js';

interface Item {
  id: string;
  conversationId: string;
  n: number;
}

const logger = createLogger({ level: 'silent' });
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
const admin = openRedis('ordered-queue-admin');
after(() => admin.quit());

function setup(name: string, options: { workers?: number; concurrency?: number; maxAttempts?: number } = {}) {
  const prefix = uniquePrefix(name);
  // One connection per worker, as separate processes would have.
  const connections: Redis[] = Array.from({ length: options.workers ?? 1 }, () => openRedis(name));
  const producer = openRedis(name);
  const queueFor = (redis: Redis) =>
    new OrderedQueue<Item>({
      redis,
      prefix,
      name: 'items',
      identify: (item) => ({ id: item.id, conversationId: item.conversationId }),
      dedupTtlSeconds: 600,
    });
  const queue = queueFor(producer);
  const deadLetters = new DeadLetters(producer, prefix);
  const workers: OrderedWorker<Item>[] = [];
  const start = (handle: (item: Item, context: HandlerContext) => Promise<void>) => {
    for (const redis of connections) {
      workers.push(
        new OrderedWorker<Item>(queueFor(redis), {
          concurrency: options.concurrency ?? 4,
          lockMs: 5_000,
          stalledIntervalMs: 5_000,
          maxAttempts: options.maxAttempts ?? 3,
          backoff: { baseMs: 20, maxMs: 100 },
          deadLetters: new DeadLetters(redis, prefix),
          logger,
          handle,
          busyRetryMs: 10,
        }),
      );
    }
  };
  cleanups.push(async () => {
    await Promise.all(workers.map((worker) => worker.close()));
    await queue.close();
    await deadLetters.close();
    await deletePrefix(admin, prefix);
    await Promise.all([producer, ...connections].map((redis) => redis.quit()));
  });
  return { queue, deadLetters, start, prefix };
}

const item = (conversation: string, n: number): Item => ({
  id: `${conversation}-${n}`,
  conversationId: conversation,
  n,
});

describe('ordered queue', () => {
  it('accepts a redelivered item once and handles it once', async () => {
    const { queue, start } = setup('dedup');
    const handled: string[] = [];
    start(async (it) => {
      handled.push(it.id);
    });
    assert.equal(await queue.enqueue(item('c1', 1)), 'accepted');
    assert.equal(await queue.enqueue(item('c1', 1)), 'duplicate');
    await waitFor('the item to be handled', async () => (await queue.status(item('c1', 1))) === 'done');
    assert.equal(await queue.enqueue(item('c1', 1)), 'duplicate', 'still a duplicate once handled');
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(handled, ['c1-1']);
  });

  it('tells a handler whether it still holds the conversation', async () => {
    const { queue, start, prefix } = setup('still-owner');
    const answers: boolean[] = [];
    start(async (_it, context) => {
      answers.push(await context.stillOwner());
      // Another process took the conversation over (this one stalled past the lock's time).
      await admin.set(`${prefix}:items:{c-owner}:lock`, 'someone-else');
      answers.push(await context.stillOwner());
    });
    await queue.enqueue(item('c-owner', 1));
    await waitFor('both answers', () => answers.length === 2);
    assert.deepEqual(answers, [true, false]);
  });

  it('handles each conversation in arrival order, one at a time, conversations in parallel, across workers', async () => {
    const { queue, start } = setup('order', { workers: 2, concurrency: 6 });
    const conversations = 30;
    const perConversation = 25;
    const seen = new Map<string, number[]>();
    const active = new Set<string>();
    let maxParallel = 0;
    const overlaps: string[] = [];
    start(async (it) => {
      if (active.has(it.conversationId)) overlaps.push(it.conversationId);
      active.add(it.conversationId);
      maxParallel = Math.max(maxParallel, active.size);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 4));
      const list = seen.get(it.conversationId) ?? [];
      list.push(it.n);
      seen.set(it.conversationId, list);
      active.delete(it.conversationId);
    });
    // Interleaved arrivals, as from many customers writing at once.
    for (let n = 1; n <= perConversation; n++) {
      await Promise.all(Array.from({ length: conversations }, (_, c) => queue.enqueue(item(`conv${c}`, n))));
    }
    await waitFor(
      'every item to be handled',
      () => [...seen.values()].reduce((sum, list) => sum + list.length, 0) >= conversations * perConversation,
      60_000,
    );
    const expected = Array.from({ length: perConversation }, (_, i) => i + 1);
    for (let c = 0; c < conversations; c++) assert.deepEqual(seen.get(`conv${c}`), expected, `conv${c} out of order`);
    assert.deepEqual(overlaps, [], 'two items of one conversation were handled at the same time');
    assert.ok(maxParallel > 1, `conversations should run in parallel (max ${maxParallel} at once)`);
  });

  it('retries after the delay a handler asks for, holding the conversation back meanwhile', async () => {
    const { queue, start } = setup('retry-after');
    const calls: Array<{ id: string; at: number; attempt: number }> = [];
    start(async (it, context) => {
      calls.push({ id: it.id, at: Date.now(), attempt: context.attempt });
      if (it.n === 1 && context.attempt === 1) throw new RetryLater('429', { afterMs: 400 });
    });
    await queue.enqueue(item('c1', 1));
    await queue.enqueue(item('c1', 2));
    await waitFor('both items', async () => (await queue.status(item('c1', 2))) === 'done');
    assert.deepEqual(
      calls.map((c) => `${c.id}#${c.attempt}`),
      ['c1-1#1', 'c1-1#2', 'c1-2#1'],
    );
    const waited = (calls[1]?.at ?? 0) - (calls[0]?.at ?? 0);
    assert.ok(waited >= 400, `retried after ${waited} ms, before the 400 ms asked for`);
  });

  it('keeps an item that keeps failing as a dead letter after the last attempt, then moves on', async () => {
    const { queue, deadLetters, start } = setup('dead-letter', { maxAttempts: 3 });
    const attempts: number[] = [];
    start(async (it, context) => {
      if (it.n === 1) {
        attempts.push(context.attempt);
        throw new Error('provider exploded');
      }
    });
    await queue.enqueue(item('c1', 1));
    await queue.enqueue(item('c1', 2));
    await waitFor('the next item', async () => (await queue.status(item('c1', 2))) === 'done');
    assert.deepEqual(attempts, [1, 2, 3]);
    const letters = await deadLetters.list();
    assert.equal(letters.length, 1);
    assert.equal(letters[0]?.itemId, 'c1-1');
    assert.equal(letters[0]?.attempts, 3);
    assert.match(letters[0]?.error ?? '', /provider exploded/);
  });

  it('dead-letters at once what cannot succeed (GiveUp)', async () => {
    const { queue, deadLetters, start } = setup('give-up');
    let calls = 0;
    start(async () => {
      calls += 1;
      throw new GiveUp('unknown recipient');
    });
    await queue.enqueue(item('c1', 1));
    await waitFor('the dead letter', async () => (await deadLetters.count()) === 1);
    assert.equal(calls, 1);
  });

  it('handles a job whose mailbox push never happened (producer died in between)', async () => {
    const { queue, start } = setup('self-heal');
    const handled: string[] = [];
    start(async (it) => {
      handled.push(it.id);
    });
    // What enqueue() does first, without the second step.
    await queue.queue.add('items', item('c9', 1), { jobId: 'c9-1' });
    await waitFor('the orphan job to be handled', () => handled.length === 1);
    assert.equal(await queue.enqueue(item('c9', 1)), 'duplicate');
  });
});
