/**
 * A real Redis Cluster of a test's own: three redis-server masters on free
 * ports (cluster mode, nothing kept on disk), joined with
 * `redis-cli --cluster create`, the 16384 slots split between them. Torn down
 * with its temporary folder afterwards. Tests that need it are skipped when
 * redis-server or redis-cli is missing, unless REQUIRE_SERVICES=1 (CI), where
 * they fail instead.
 */
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { connectRedis, isCluster, type Redis, type RedisSettings } from '@passerelle/core';
import { waitFor } from './services.js';

const run = promisify(execFile);

export const REDIS_SERVER_BIN = process.env.REDIS_SERVER_PATH ?? '/usr/bin/redis-server';
export const REDIS_CLI_BIN = process.env.REDIS_CLI_PATH ?? '/usr/bin/redis-cli';
const MASTERS = 3;

export interface RedisCluster {
  /** host:port of every master. */
  nodes: string[];
  /** What connectRedis takes, and what the gateway gets as REDIS_CLUSTER_NODES. */
  settings: RedisSettings;
  env: { REDIS_CLUSTER_NODES: string };
  /** A cluster client (ioredis Cluster) on it. */
  connect(name: string): Redis;
  /** Which master (host:port) serves a key's slot, from CLUSTER SLOTS. */
  nodeOfSlot(slot: number): string;
  /** The servers' own output, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/** Undefined when a cluster can be started here; otherwise why not (a skip reason). Throws in CI. */
export function redisClusterSkipReason(): string | undefined {
  const works = (bin: string) => spawnSync(bin, ['--version']).status === 0;
  if (works(REDIS_SERVER_BIN) && works(REDIS_CLI_BIN)) return undefined;
  const message =
    `a Redis Cluster cannot be started: ${REDIS_SERVER_BIN} or ${REDIS_CLI_BIN} is missing ` +
    '(apt-get install redis-server, or set REDIS_SERVER_PATH and REDIS_CLI_PATH)';
  if (process.env.REQUIRE_SERVICES === '1') throw new Error(`REQUIRE_SERVICES=1 and ${message}`);
  return message;
}

export async function startRedisCluster(name: string): Promise<RedisCluster> {
  const dir = await mkdtemp(join(tmpdir(), `passerelle-cluster-${name}-`));
  const children: ChildProcess[] = [];
  let raw = '';
  const stop = async () => {
    await Promise.all(
      children.map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = once(child, 'exit');
        child.kill('SIGKILL');
        await exited;
      }),
    );
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const ports = await clusterPorts(MASTERS);
    for (const port of ports) {
      const child = spawn(
        REDIS_SERVER_BIN,
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          join(dir, `nodes-${port}.conf`),
          '--cluster-node-timeout',
          '5000',
          '--dir',
          dir,
          '--save',
          '',
          '--appendonly',
          'no',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      children.push(child);
      const collect = (chunk: Buffer) => {
        raw += `[${port}] ${chunk.toString()}`;
      };
      child.stdout?.on('data', collect);
      child.stderr?.on('data', collect);
    }
    const nodes = ports.map((port) => `127.0.0.1:${port}`);
    for (const [index, port] of ports.entries()) {
      await waitFor(
        `redis-server ${nodes[index]} to answer`,
        async () => {
          const child = children[index];
          if (child && child.exitCode !== null) throw new Error(`redis-server ${port} exited:\n${raw}`);
          return (await cli(port, 'PING')) === 'PONG';
        },
        15_000,
        100,
      );
    }
    await run(REDIS_CLI_BIN, ['--cluster', 'create', ...nodes, '--cluster-replicas', '0', '--cluster-yes'], {
      timeout: 60_000,
    });
    // Every node must see every slot served before a client is let loose on it.
    for (const port of ports) {
      await waitFor(
        `node ${port} to report cluster_state:ok`,
        async () => /cluster_state:ok/.test(await cli(port, 'CLUSTER', 'INFO')),
        60_000,
        200,
      );
    }
    const slots = await slotTable(ports[0] as number);
    const settings: RedisSettings = { url: '', clusterNodes: nodes };
    return {
      nodes,
      settings,
      env: { REDIS_CLUSTER_NODES: nodes.join(',') },
      connect(clientName) {
        const client = connectRedis(settings, clientName);
        if (!isCluster(client)) throw new Error('expected a cluster client');
        return client;
      },
      nodeOfSlot(slot) {
        const owner = slots.find((range) => slot >= range.from && slot <= range.to);
        if (!owner) throw new Error(`no node serves slot ${slot}`);
        return owner.node;
      },
      output: () => raw,
      stop,
    };
  } catch (error) {
    await stop();
    throw new Error(`could not start a Redis Cluster: ${(error as Error).message}\n${raw.slice(-3000)}`);
  }
}

async function cli(port: number, ...command: string[]): Promise<string> {
  const { stdout } = await run(REDIS_CLI_BIN, ['-h', '127.0.0.1', '-p', String(port), ...command], {
    timeout: 5_000,
  });
  return stdout.trim();
}

/** CLUSTER SLOTS as ranges with the master serving each. */
async function slotTable(port: number): Promise<Array<{ from: number; to: number; node: string }>> {
  const redis = connectRedis(`redis://127.0.0.1:${port}`, 'cluster-slots');
  try {
    const reply = (await redis.call('CLUSTER', 'SLOTS')) as Array<[number, number, [string, number, ...unknown[]]]>;
    return reply.map(([from, to, [host, nodePort]]) => ({ from, to, node: `${host}:${nodePort}` }));
  } finally {
    redis.disconnect();
  }
}

/** Free ports whose cluster bus port (port + 10000) is free too. */
async function clusterPorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  for (let tries = 0; ports.length < count && tries < 200; tries++) {
    const port = 20_000 + Math.floor(Math.random() * 30_000);
    if (ports.includes(port) || ports.includes(port + 10_000) || ports.includes(port - 10_000)) continue;
    if ((await isFree(port)) && (await isFree(port + 10_000))) ports.push(port);
  }
  if (ports.length < count) throw new Error('no free ports for the cluster nodes');
  return ports;
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
