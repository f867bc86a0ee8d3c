/**
 * The system under load, as a user scales it out: G gateway processes
 * (webhooks and sockets) and W worker processes (dialog and senders), each
 * `gateway <role>` run from the CLI, against one Redis and one PostgreSQL
 * database made for the run. The echo bot answers.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ECHO_BOT_DIR } from '../../../test/support/cluster.js';
import { type GatewayProcess, startGateway } from '../../../test/support/gateway-process.js';
import { createTempDatabase, deletePrefix, openRedis } from '../../../test/support/services.js';
import type { Teardown } from '../teardown.js';

export interface Topology {
  prefix: string;
  /** The run's own database, so its commits can be counted. */
  databaseUrl: string;
  gateways: GatewayProcess[];
  workers: GatewayProcess[];
}

export interface TopologyOptions {
  gateways: number;
  workers: number;
  /** Provider settings (fakes) shared by every process. */
  env: Record<string, string>;
  workerConcurrency: number;
  senderConcurrency: number;
}

export async function startTopology(options: TopologyOptions, teardown: Teardown): Promise<Topology> {
  const prefix = `bench-load-${process.pid}-${Date.now().toString(36)}`;
  const database = await createTempDatabase();
  teardown.add('drop the benchmark database', () => database.drop());
  const redis = openRedis('bench-load-admin');
  teardown.add('close the admin Redis connection', () => redis.quit());
  teardown.add(`delete Redis keys under ${prefix}`, () => deletePrefix(redis, prefix));
  const sessionDir = await mkdtemp(join(tmpdir(), 'passerelle-bench-whatsapp-'));
  teardown.add(`remove ${sessionDir}`, () => rm(sessionDir, { recursive: true, force: true }));

  const env = {
    ...options.env,
    DATABASE_URL: database.url,
    REDIS_KEY_PREFIX: prefix,
    BOT_DIR: ECHO_BOT_DIR,
    WHATSAPP_SESSION_DIR: sessionDir,
    WORKER_CONCURRENCY: String(options.workerConcurrency),
    SENDER_CONCURRENCY: String(options.senderConcurrency),
    // info: startGateway learns the port and readiness from the ready line; warn and above otherwise.
    LOG_LEVEL: 'info',
  };
  const start = async (role: 'gateway' | 'worker') => {
    const process = await startGateway({ command: [role], env, timeoutMs: 90_000 });
    teardown.add(`stop ${role} ${process.child.pid}`, () => stop(process));
    return process;
  };
  // The first gateway runs the migrations; the others would only wait for its lock.
  const gateways = [await start('gateway')];
  for (let g = 1; g < options.gateways; g++) gateways.push(await start('gateway'));
  const workers = await Promise.all(Array.from({ length: options.workers }, () => start('worker')));
  return { prefix, databaseUrl: database.url, gateways, workers };
}

/** SIGTERM, as an operator stops a process; SIGKILL if it has not exited 30 s later. */
async function stop(process: GatewayProcess): Promise<void> {
  const timer = setTimeout(() => process.child.kill('SIGKILL'), 30_000);
  await process.stop('SIGTERM');
  clearTimeout(timer);
}
