/**
 * What a phase cost the shared servers, counted by the servers themselves:
 * Redis commands (INFO commandstats, which counts the commands that Lua
 * scripts run as well as the scripts) and PostgreSQL commits in the run's own
 * database (pg_stat_database). Divided by the messages of the phase, it says
 * where a message's time goes when the workers are CPU-bound.
 *
 * PostgreSQL's backends publish their counts at most once a second while
 * busy and within ten seconds once idle (PGSTAT_IDLE_INTERVAL), so both reads
 * wait for the counts to settle first.
 */

import type { Redis } from '@passerelle/core';
import pg from 'pg';

export interface ServerCounts {
  redisCommands: number;
  redisScripts: number;
  pgCommits: number;
}

export interface ServerCostPerMessage {
  redisCommands: number;
  redisScripts: number;
  pgCommits: number;
}

/** PGSTAT_IDLE_INTERVAL (10 s) and a margin. */
const PG_STATS_SETTLE_MS = 11_000;

export async function readServerCounts(redis: Redis, databaseUrl: string): Promise<ServerCounts> {
  await new Promise((resolve) => setTimeout(resolve, PG_STATS_SETTLE_MS));
  const stats = await redis.info('commandstats');
  let redisCommands = 0;
  let redisScripts = 0;
  for (const match of stats.matchAll(/^cmdstat_([a-z|_-]+):calls=(\d+)/gm)) {
    const [, command, calls] = match;
    if (command === 'info') continue;
    redisCommands += Number(calls);
    if (command === 'evalsha' || command === 'eval') redisScripts += Number(calls);
  }
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ commits: string }>(
      'select xact_commit::text as commits from pg_stat_database where datname = current_database()',
    );
    return { redisCommands, redisScripts, pgCommits: Number(rows[0]?.commits ?? 0) };
  } finally {
    await client.end();
  }
}

export function costPerMessage(before: ServerCounts, after: ServerCounts, messages: number): ServerCostPerMessage {
  const per = (field: keyof ServerCounts) => (after[field] - before[field]) / Math.max(1, messages);
  return { redisCommands: per('redisCommands'), redisScripts: per('redisScripts'), pgCommits: per('pgCommits') };
}
