/**
 * The raw BullMQ two-stage ceiling: queue A -> a Worker that adds a job to
 * queue B -> a Worker on B that notes the time. No mailbox, no locks, no
 * database, no socket: what the gateway's two queues could do at best on
 * this Redis. Latency per job: add(A) called -> B's processor running.
 */
import { connectRedis } from '@passerelle/core';
import { type JobsOptions, Queue, Worker } from 'bullmq';
import { deletePrefix, REDIS_URL } from '../../test/support/services.js';
import { Teardown } from './teardown.js';
import { Tracker } from './tracker.js';

export interface CeilingOptions {
  jobs: number;
  warmup: number;
  /** Concurrency of the worker on A and on B (the gateway's WORKER_ and SENDER_CONCURRENCY). */
  concurrencyA: number;
  concurrencyB: number;
  timeoutMs: number;
}

interface JobData {
  key: string;
}

/** As the gateway's queues keep them (see OrderedQueue). */
const JOB_OPTIONS: JobsOptions = { removeOnComplete: { count: 1000 }, removeOnFail: { count: 10_000 } };

export async function runCeilingBench(options: CeilingOptions): Promise<Tracker> {
  const teardown = new Teardown();
  try {
    let tracker = new Tracker('ceiling warm-up', options.warmup);
    const queueA = await openStages(options, teardown, () => tracker);

    await sendJobs(queueA, tracker, 'warmup');
    await tracker.waitForAll(options.timeoutMs);

    tracker = new Tracker('ceiling', options.jobs);
    await sendJobs(queueA, tracker, 'bench');
    await tracker.waitForAll(options.timeoutMs);
    return tracker;
  } finally {
    await teardown.run();
  }
}

/** Opens both queues and both workers on one shared connection, as the gateway does; returns queue A. */
async function openStages(
  options: CeilingOptions,
  teardown: Teardown,
  current: () => Tracker,
): Promise<Queue<JobData>> {
  const prefix = `bench-bullmq-${process.pid}-${Date.now().toString(36)}`;
  const redis = connectRedis(REDIS_URL, 'bench-bullmq');
  teardown.add('close the Redis connection', () => redis.quit());
  teardown.add(`delete Redis keys under ${prefix}`, () => deletePrefix(redis, prefix));

  const queueA = new Queue<JobData>('a', { connection: redis, prefix, defaultJobOptions: JOB_OPTIONS });
  const queueB = new Queue<JobData>('b', { connection: redis, prefix, defaultJobOptions: JOB_OPTIONS });
  teardown.add('close the queues', () => Promise.all([queueA.close(), queueB.close()]));

  const workerA = new Worker<JobData>(
    'a',
    async (job) => {
      await queueB.add('b', job.data, { jobId: `b-${job.data.key}` });
    },
    { connection: redis, prefix, concurrency: options.concurrencyA },
  );
  const workerB = new Worker<JobData>(
    'b',
    async (job) => {
      current().received(job.data.key);
    },
    { connection: redis, prefix, concurrency: options.concurrencyB },
  );
  teardown.add('close the workers', () => Promise.all([workerA.close(), workerB.close()]));
  for (const worker of [workerA, workerB]) {
    worker.on('error', (error) => current().fail(error));
    worker.on('failed', (job, error) => current().fail(new Error(`job ${job?.id} failed: ${error.message}`)));
  }
  await Promise.all([workerA.waitUntilReady(), workerB.waitUntilReady()]);
  return queueA;
}

/** Open loop: every add is started at once; each job's clock starts just before its add. */
async function sendJobs(queueA: Queue<JobData>, tracker: Tracker, tag: string): Promise<void> {
  const adds: Array<Promise<unknown>> = [];
  for (let n = 0; n < tracker.total; n++) {
    const key = `${tag}-${n}`;
    tracker.sent(key);
    adds.push(queueA.add('a', { key }, { jobId: `a-${key}` }));
  }
  await Promise.all(adds);
}
