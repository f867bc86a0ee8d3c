/**
 * One SQL layer for both back ends. PGlite *is* PostgreSQL (compiled to WASM),
 * so the same SQL, parameters ($1...) and types run on both; this file only
 * hides how each one is opened, queried and closed.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { RetryLater } from '../pipeline/retry.js';

export interface Queryable {
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: Row[] }>;
}

export interface Db extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** Runs several statements (migrations); no parameters. */
  exec(sql: string): Promise<void>;
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface OpenDbOptions {
  /** postgres://... ; unset opens PGlite in dataDir. */
  databaseUrl?: string | undefined;
  dataDir?: string;
  /** PGlite in memory, for tests. */
  inMemory?: boolean;
}

export async function openDb(options: OpenDbOptions): Promise<Db> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl);
  return openPglite(options.inMemory ? undefined : resolve(options.dataDir ?? './data', 'pglite'));
}

function openPostgres(connectionString: string): Db {
  const pool = new pg.Pool({ connectionString, max: 10, connectionTimeoutMillis: 5_000 });
  // An idle client losing its connection (database restarted) must not crash the process;
  // the next query gets a fresh client and its own error if the database is still away.
  pool.on('error', () => {});
  return {
    kind: 'postgres',
    query: (sql, params) => pool.query(sql, params as unknown[]).catch(rethrow) as never,
    async exec(sql) {
      await pool.query(sql).catch(rethrow);
    },
    async transaction(work) {
      const client = await pool.connect().catch(rethrow);
      // A connection lost mid-transaction is an 'error' event on the checked-out client: without
      // a listener it would kill the process. The query in hand fails with it; the client is dropped.
      let broken: unknown;
      const onError = (error: unknown) => {
        broken = error;
      };
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const result = await work({ query: (sql, params) => client.query(sql, params as unknown[]) as never });
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch((failed: unknown) => {
          broken ??= failed;
        });
        return rethrow(error);
      } finally {
        client.off('error', onError);
        client.release(broken ? (broken instanceof Error ? broken : true) : undefined);
      }
    },
    close: () => pool.end(),
  };
}

/**
 * The database cannot be reached (refused, dropped, restarting). A message
 * handled then is not at fault: it waits for the database without using up
 * its tries, so a database away for a while loses nothing to the dead letters.
 */
export class DatabaseUnavailable extends RetryLater {
  constructor(cause: unknown) {
    super(`the database cannot be reached: ${(cause as Error)?.message ?? String(cause)}`, {
      afterMs: 1_000,
      countsAsAttempt: false,
      cause,
    });
    this.name = 'DatabaseUnavailable';
  }
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND']);
// SQLSTATE class 08 (connection exception), and the server shutting down or starting up.
const CONNECTION_STATES = /^(08...|57P01|57P02|57P03)$/;
const CONNECTION_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|not queryable|Client was closed|Connection closed/i;

export function isDatabaseUnreachable(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (CONNECTION_CODES.has(code) || CONNECTION_STATES.test(code))) return true;
  return typeof message === 'string' && CONNECTION_MESSAGES.test(message);
}

function rethrow(error: unknown): never {
  throw isDatabaseUnreachable(error) && !(error instanceof DatabaseUnavailable)
    ? new DatabaseUnavailable(error)
    : error;
}

async function openPglite(dataDir: string | undefined): Promise<Db> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const lite = await PGlite.create(dataDir);
  return {
    kind: 'pglite',
    query: (sql, params) => lite.query(sql, params) as never,
    async exec(sql) {
      await lite.exec(sql);
    },
    transaction: (work) => lite.transaction((tx) => work({ query: (sql, params) => tx.query(sql, params) as never })),
    close: () => lite.close(),
  };
}
