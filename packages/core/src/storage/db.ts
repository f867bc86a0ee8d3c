/**
 * One SQL layer for both back ends. PGlite *is* PostgreSQL (compiled to WASM),
 * so the same SQL, parameters ($1...) and types run on both; this file only
 * hides how each one is opened, queried and closed.
 */
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { RetryLater } from '../pipeline/retry.js';
import { type EmbeddedRole, GUEST_CONNECT_PATIENCE_MS, openEmbedded } from './embedded/open-embedded.js';
import type { Holder } from './embedded/owner-lock.js';
import { SessionGate } from './embedded/session-gate.js';

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
  /** postgres://... ; unset opens the embedded PGlite database in dataDir. */
  databaseUrl?: string | undefined;
  /** DATA_DIR: the embedded database is its pglite/ folder (default ./data). */
  dataDir?: string;
  /** PGlite in memory, for tests and the terminal simulator: nobody else can see it. */
  inMemory?: boolean;
  /**
   * The embedded database has one owner process (embedded/open-embedded.ts):
   * `gateway start` owns it, the other roles are its guests, CLI commands are
   * guests of a running gateway or owners while they run. Default owner-or-guest.
   */
  embeddedAs?: EmbeddedRole;
  /** What this process is ("gateway start"), named to a process that is refused. */
  command?: string;
}

export async function openDb(options: OpenDbOptions): Promise<Db> {
  if (options.databaseUrl) return openPostgres({ connectionString: options.databaseUrl });
  if (options.inMemory) return openInMemory();
  const opening = await openEmbedded({
    dataDir: options.dataDir ?? './data',
    as: options.embeddedAs ?? 'owner-or-guest',
    command: options.command ?? describeThisProcess(),
  });
  if ('owned' in opening) {
    const { lite, gate, close } = opening.owned;
    return pgliteDb(lite, gate, close);
  }
  return openGuest(opening.guestOf);
}

function openPostgres(settings: pg.PoolConfig): Db {
  const pool = new pg.Pool({ max: 10, connectionTimeoutMillis: 5_000, ...settings });
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
  const { code, message, syscall } = (error ?? {}) as { code?: unknown; message?: unknown; syscall?: unknown };
  if (typeof code === 'string' && (CONNECTION_CODES.has(code) || CONNECTION_STATES.test(code))) return true;
  // The embedded database's socket is gone (its owner stopped). Only on connect: a missing file
  // anywhere else (inside a transaction's own work) is not the database being away.
  if (code === 'ENOENT' && syscall === 'connect') return true;
  return typeof message === 'string' && CONNECTION_MESSAGES.test(message);
}

function rethrow(error: unknown): never {
  throw isDatabaseUnreachable(error) && !(error instanceof DatabaseUnavailable)
    ? new DatabaseUnavailable(error)
    : error;
}

async function openInMemory(): Promise<Db> {
  const lite = await PGlite.create();
  return pgliteDb(lite, new SessionGate(), () => lite.close());
}

/**
 * PGlite is one session: each query, and each transaction as a whole, takes its turn at the
 * gate, which guests connected through the socket share, so none runs inside another's transaction.
 */
function pgliteDb(lite: PGlite, gate: SessionGate, close: () => Promise<void>): Db {
  return {
    kind: 'pglite',
    query: (sql, params) => gate.run(() => lite.query(sql, params)) as never,
    exec: (sql) => gate.run(async () => void (await lite.exec(sql))),
    transaction: (work) =>
      gate.run(() => lite.transaction((tx) => work({ query: (sql, params) => tx.query(sql, params) as never }))),
    close,
  };
}

/**
 * A guest of the process that owns the embedded database: plain PostgreSQL over its socket.
 * The owner may still be starting (its lock taken, its socket not yet open): the first
 * query is tried for a while before giving up with a message that says so.
 */
async function openGuest(owner: Holder): Promise<Db> {
  const db = openPostgres({ host: owner.socketDir, port: 5432, user: 'postgres', database: 'postgres', max: 4 });
  const deadline = Date.now() + GUEST_CONNECT_PATIENCE_MS;
  for (;;) {
    try {
      await db.query('select 1');
      return { ...db, kind: 'pglite' };
    } catch (error) {
      if (Date.now() > deadline || !(error instanceof DatabaseUnavailable || isDatabaseUnreachable(error))) {
        await db.close().catch(() => {});
        throw new Error(
          `could not reach the embedded database through process ${owner.pid} (${owner.command}), which holds it: ${(error as Error).message}`,
          { cause: error },
        );
      }
      await new Promise((done) => setTimeout(done, 200));
    }
  }
}

/** "gateway operators add": the command words only, never option values (they may be secrets). */
function describeThisProcess(): string {
  const script = process.argv[1]?.split('/').at(-1) ?? 'node';
  const words = process.argv
    .slice(2)
    .filter((word) => /^[a-z][a-z-]*$/.test(word))
    .slice(0, 3);
  return [script.replace(/\.(c|m)?[jt]s$/, '').replace(/^cli$/, 'gateway'), ...words].join(' ');
}
