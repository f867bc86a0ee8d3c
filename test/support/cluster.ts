/**
 * A gateway process and N worker processes against one Redis and one
 * PostgreSQL database, as a user scales out. For the end-to-end tests.
 */

import { bullmqQueueName, connectRedis, QUEUE, type Redis } from '@passerelle/core';
import { Queue } from 'bullmq';
import { type GatewayProcess, startGateway } from './gateway-process.js';
import { createTempDatabase, deletePrefix, openRedis, scanKeys, uniquePrefix } from './services.js';

export interface Cluster {
  prefix: string;
  databaseUrl: string;
  gateway: GatewayProcess;
  workers: GatewayProcess[];
  redis: Redis;
  startWorker(): Promise<GatewayProcess>;
  /** Another gateway process on the same Redis and database (as a second replica behind a load balancer). */
  startGateway(): Promise<GatewayProcess>;
  /** BullMQ's own count of jobs being worked on right now, both stages. */
  activeJobs(): Promise<number>;
  deadLetterCount(): Promise<number>;
  /** Conversation locks currently held, with their owner (host:pid:instance:job). */
  heldLocks(): Promise<string[]>;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  /** The DATABASE_URL the processes get for the test database's URL (e.g. through a proxy). */
  databaseUrl?: (url: string) => string;
}

export async function startCluster(
  name: string,
  workers: number,
  env: Record<string, string> = {},
  options: ClusterOptions = {},
): Promise<Cluster> {
  const prefix = uniquePrefix(name);
  const database = await createTempDatabase();
  // A test with a Redis of its own (env.REDIS_URL, or a cluster's REDIS_CLUSTER_NODES) looks at that one, not the shared one.
  const redis = env.REDIS_CLUSTER_NODES
    ? connectRedis({ url: '', clusterNodes: env.REDIS_CLUSTER_NODES.split(',') }, `${name}-admin`)
    : env.REDIS_URL
      ? connectRedis(env.REDIS_URL, `${name}-admin`)
      : openRedis(`${name}-admin`);
  const common = {
    DATABASE_URL: options.databaseUrl?.(database.url) ?? database.url,
    REDIS_KEY_PREFIX: prefix,
    LOG_LEVEL: 'info',
    BOT_DIR: ECHO_BOT_DIR,
    ...env,
  };
  const started: GatewayProcess[] = [];
  const queues = [QUEUE.inbound, QUEUE.outbound].map(
    (queue) => new Queue(bullmqQueueName(queue), { connection: redis, prefix }),
  );
  const deadLetters = new Queue(bullmqQueueName(QUEUE.deadLetters), { connection: redis, prefix });
  queues.push(deadLetters);
  // These queues only read depths for the test. While a test stops its own Redis on purpose they
  // get connection errors and reconnect; unlistened, BullMQ prints each one to the test's output.
  for (const queue of queues) queue.on('error', () => {});
  const startWorker = async () => {
    const worker = await startGateway({ command: ['worker'], env: common });
    started.push(worker);
    return worker;
  };
  try {
    // Gateway first: it runs the migrations; workers started at once would race for them (and serialise).
    const gateway = await startGateway({ command: ['gateway'], env: common });
    started.push(gateway);
    const workerProcesses = await Promise.all(Array.from({ length: workers }, startWorker));
    return {
      prefix,
      databaseUrl: database.url,
      gateway,
      workers: workerProcesses,
      redis,
      startWorker,
      async startGateway() {
        const another = await startGateway({ command: ['gateway'], env: common });
        started.push(another);
        return another;
      },
      async activeJobs() {
        const counts = await Promise.all(queues.slice(0, 2).map((queue) => queue.getActiveCount()));
        return counts.reduce((a, b) => a + b, 0);
      },
      deadLetterCount: () => deadLetters.getWaitingCount(),
      async heldLocks() {
        const owners: string[] = [];
        for (const key of await scanKeys(redis, `${prefix}:*:lock`)) {
          const owner = await redis.get(key);
          if (owner) owners.push(owner);
        }
        return owners;
      },
      async stop() {
        await Promise.all(started.map((process) => process.stop('SIGKILL')));
        await Promise.all(queues.map((queue) => queue.close()));
        await deletePrefix(redis, prefix);
        await redis.quit();
        await database.drop();
      },
    };
  } catch (error) {
    await Promise.all(started.map((process) => process.stop('SIGKILL')));
    await Promise.all(queues.map((queue) => queue.close()));
    await redis.quit();
    await database.drop();
    throw error;
  }
}

/** The bot of the pipeline tests and the bench: it answers every message with its text. */
export const ECHO_BOT_DIR = 'test/fixtures/echo-bot';

/** `You said: "<text>".` is how the echo bot answers; this returns <text>. */
export function echoed(reply: string): string | undefined {
  return /^You said: "(.*)"\./.exec(reply)?.[1];
}
