/**
 * Where the tests find their real services, and what they do when one is
 * missing: on a developer's machine the test is skipped with a message that
 * says what to install; in CI (REQUIRE_SERVICES=1) it fails, because a
 * skipped test proves nothing.
 */
import { existsSync } from 'node:fs';
import { connectRedis, isCluster, type Redis } from '@passerelle/core';
import pg from 'pg';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const required = process.env.REQUIRE_SERVICES === '1';

/** Returns a skip reason for node:test, or undefined when the service is there. Throws in CI. */
function missing(what: string, howToGet: string): string {
  const message = `${what} is not available: ${howToGet}`;
  if (required) throw new Error(`REQUIRE_SERVICES=1 and ${message}`);
  return message;
}

export async function postgresSkipReason(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    return undefined;
  } catch {
    return missing(`PostgreSQL at ${POSTGRES_URL}`, 'install postgresql or set TEST_DATABASE_URL');
  } finally {
    await client.end().catch(() => {});
  }
}

export function chromiumSkipReason(): string | undefined {
  return existsSync(CHROMIUM_PATH) ? undefined : missing(`Chromium at ${CHROMIUM_PATH}`, 'apt-get install chromium');
}

let counter = 0;
/** A key prefix of its own per test, so tests share one Redis without seeing each other. */
export function uniquePrefix(name: string): string {
  counter += 1;
  return `t-${name}-${process.pid}-${counter}-${Date.now().toString(36)}`;
}

/**
 * Set (host:port,...), openRedis() connects to that Redis Cluster instead: how
 * test/redis-cluster.test.ts runs the unit tests of what uses Redis directly on a cluster.
 */
export const TEST_REDIS_CLUSTER_NODES = process.env.TEST_REDIS_CLUSTER_NODES?.trim() || undefined;

export function openRedis(name = 'test'): Redis {
  if (TEST_REDIS_CLUSTER_NODES)
    return connectRedis({ url: REDIS_URL, clusterNodes: TEST_REDIS_CLUSTER_NODES.split(',') }, name);
  return connectRedis(REDIS_URL, name);
}

/** Every key matching a SCAN pattern; on a Redis Cluster, of every master (SCAN sees one node's keys). */
export async function scanKeys(redis: Redis, pattern: string): Promise<string[]> {
  const found: string[] = [];
  for (const node of isCluster(redis) ? redis.nodes('master') : [redis]) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      found.push(...keys);
    } while (cursor !== '0');
  }
  return found;
}

/** Deletes every key under a prefix (tests clean up after themselves; Redis is shared). */
export async function deletePrefix(redis: Redis, prefix: string): Promise<void> {
  if (isCluster(redis)) {
    // One UNLINK cannot take keys of different slots.
    for (const key of await scanKeys(redis, `${prefix}:*`)) await redis.unlink(key);
    return;
  }
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
}

/** A database of its own on the test PostgreSQL server, dropped afterwards. */
export async function createTempDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `passerelle_test_${process.pid}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

/** Polls until check() is truthy; fails with what it was waiting for. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T> | T,
  timeoutMs = 30_000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
}
