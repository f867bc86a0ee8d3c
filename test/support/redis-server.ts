/**
 * A redis-server of a test's own, as a child process on a free port with its
 * own data folder, so a test may stop and restart it without touching the
 * shared Redis on 6379 that every other test uses.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './services.js';

export const REDIS_SERVER_PATH = process.env.REDIS_SERVER_PATH ?? '/usr/bin/redis-server';

/**
 * What docker-compose.yml gives its Redis, exactly:
 * `redis-server --appendonly yes --appendfsync everysec`, every other setting
 * left at its default (so RDB snapshots stay on their default save points too).
 */
export const COMPOSE_REDIS_ARGS = ['--appendonly', 'yes', '--appendfsync', 'everysec'] as const;

export interface RedisServer {
  url: string;
  port: number;
  /** Its --dir: the AOF and RDB files live here and survive a restart. */
  dir: string;
  /** The server's own output, for failure messages. */
  output(): string;
  /**
   * Stops it. SIGTERM is what `docker compose restart` and `docker stop` send: Redis then
   * shuts down as SHUTDOWN does, writing and fsyncing the AOF first. SIGKILL loses what
   * everysec had not yet written (up to about a second).
   */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Starts it again on the same port and folder (after stop()). */
  start(): Promise<void>;
  running(): boolean;
  /** Stops it for good and deletes its folder. */
  dispose(): Promise<void>;
}

export async function startRedisServer(
  name: string,
  args: readonly string[] = COMPOSE_REDIS_ARGS,
): Promise<RedisServer> {
  const dir = await mkdtemp(join(tmpdir(), `passerelle-redis-${name}-`));
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let raw = '';

  const start = async () => {
    const from = raw.length;
    // --save and --appendonly as given; only where it listens and keeps its files are ours.
    const started = spawn(REDIS_SERVER_PATH, [...args, '--port', String(port), '--bind', '127.0.0.1', '--dir', dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = started;
    started.stdout?.on('data', (chunk: Buffer) => {
      raw += chunk.toString();
    });
    started.stderr?.on('data', (chunk: Buffer) => {
      raw += chunk.toString();
    });
    // "Ready to accept connections" comes once the AOF is loaded back, not before.
    await waitFor(
      `redis-server on port ${port} to be ready`,
      () => {
        if (started.exitCode !== null) throw new Error(`redis-server exited with ${started.exitCode}:\n${raw}`);
        return /Ready to accept connections/.test(raw.slice(from));
      },
      15_000,
    );
  };

  const stop = async (signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM') => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = once(running, 'exit');
    running.kill(signal);
    await exited;
  };

  await start();
  return {
    url,
    port,
    dir,
    output: () => raw,
    stop,
    start,
    running: () => child !== undefined && child.exitCode === null && child.signalCode === null,
    async dispose() {
      await stop('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
