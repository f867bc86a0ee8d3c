/**
 * Opens the embedded database (PGlite, when DATABASE_URL is unset) the only
 * safe way: one process owns the data directory and serves it on a local
 * socket; every other process (CLI commands, `gateway gateway` and `gateway
 * worker` beside a `gateway start`) is its guest and speaks PostgreSQL to it.
 * So a command run while the gateway runs writes into the gateway's own copy,
 * and nothing it printed as done is lost when the gateway stops.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, realpathSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import {
  type Holder,
  type HolderIdentity,
  isAlive,
  lockPath,
  readHolder,
  STARTING_GRACE_MS,
  socketPath,
  tryLock,
  unlock,
} from './owner-lock.js';
import { makeSocketDir, serveOverSocket } from './protocol-server.js';
import { SessionGate } from './session-gate.js';

/**
 * owner: must own the directory (`gateway start`); refused at once when another process does.
 * guest: must reach a running owner (`gateway gateway`, `gateway worker`).
 * owner-or-guest: a guest when an owner runs, else the owner for as long as it runs (CLI commands).
 */
export type EmbeddedRole = 'owner' | 'guest' | 'owner-or-guest';

export interface EmbeddedOptions {
  /** The folder given as DATA_DIR; the database itself is in its pglite/ folder. */
  dataDir: string;
  as: EmbeddedRole;
  /** What this process is, for the message another process shows when it is refused. */
  command: string;
  /** An owner kept out by a CLI command waits this long for it to finish (default 30 s). */
  waitForCommandMs?: number;
}

/** What an owner hands back: the database itself, its turns, and how to let it go. */
export interface OwnedDatabase {
  lite: PGlite;
  gate: SessionGate;
  close(): Promise<void>;
}

export type EmbeddedOpening = { owned: OwnedDatabase } | { guestOf: Holder };

/** Another process owns the directory. The message names it and says what to do instead. */
export class EmbeddedDatabaseBusy extends Error {
  constructor(
    readonly directory: string,
    readonly holder: Holder,
  ) {
    const where = holder.host === hostname() ? '' : ` on host ${holder.host}`;
    super(
      `the embedded database in ${directory} is already open in process ${holder.pid}${where} ` +
        `(${holder.command}, since ${holder.startedAt}); only one process may open it. Instead: ` +
        'stop that process first; or, while it runs, run CLI commands (they reach the database through it) ' +
        'and `gateway gateway` / `gateway worker` beside it; or, for several gateways, set DATABASE_URL to a ' +
        'PostgreSQL server.',
    );
    this.name = 'EmbeddedDatabaseBusy';
  }
}

/** A guest found no owner to reach. */
export class NoEmbeddedOwner extends Error {
  constructor(readonly directory: string) {
    super(
      `no running \`gateway start\` holds the embedded database in ${directory}, and this process only reaches it ` +
        'through one: start `gateway start` first (it serves the database to the other processes), or set ' +
        'DATABASE_URL to a PostgreSQL server.',
    );
    this.name = 'NoEmbeddedOwner';
  }
}

const POLL_MS = 200;

export async function openEmbedded(options: EmbeddedOptions): Promise<EmbeddedOpening> {
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const identity: HolderIdentity = {
    command: options.command,
    role: options.as === 'owner-or-guest' ? 'command' : 'service',
    socketDir: chooseSocketDir(dataDir),
  };
  const deadline = Date.now() + (options.waitForCommandMs ?? 30_000);
  for (;;) {
    if (options.as === 'guest') {
      const holder = await readHolder(dataDir);
      if (holder && (await isAlive(holder, lockPath(dataDir)))) return { guestOf: holder };
      throw new NoEmbeddedOwner(join(dataDir, 'pglite'));
    }
    const attempt = await tryLock(dataDir, identity);
    if ('acquired' in attempt) return { owned: await becomeOwner(dataDir, attempt.acquired) };
    const holder = attempt.heldBy;
    if (options.as === 'owner-or-guest') return { guestOf: holder };
    // A CLI command holds it for a moment (it found no gateway running): wait for it rather than fail.
    if (holder.role === 'command' && Date.now() < deadline) {
      await sleep(POLL_MS);
      continue;
    }
    throw new EmbeddedDatabaseBusy(join(dataDir, 'pglite'), holder);
  }
}

/**
 * How long a guest keeps trying to reach an owner whose socket does not answer yet:
 * it may be starting (the lock is taken before the database is open).
 */
export const GUEST_CONNECT_PATIENCE_MS = STARTING_GRACE_MS;

async function becomeOwner(dataDir: string, holder: Holder): Promise<OwnedDatabase> {
  let lite: PGlite | undefined;
  try {
    // The socket's folder first: a refusal there comes before the slow opening of the database.
    await makeSocketDir(holder.socketDir);
    const databaseDir = join(dataDir, 'pglite');
    mkdirSync(databaseDir, { recursive: true });
    lite = await PGlite.create(databaseDir);
    const gate = new SessionGate();
    const server = await serveOverSocket(lite, gate, socketPath(holder.socketDir));
    const opened = lite;
    return {
      lite: opened,
      gate,
      async close() {
        await server.close();
        await gate.run(() => opened.close());
        await unlock(dataDir, holder);
      },
    };
  } catch (error) {
    await lite?.close().catch(() => {});
    await unlock(dataDir, holder);
    throw error;
  }
}

/**
 * The socket lives beside the data (DATA_DIR/pglite-socket), unless that path is too long for a
 * Unix socket (about 100 bytes): then in the temporary folder, named after the data directory.
 */
function chooseSocketDir(dataDir: string): string {
  const beside = join(dataDir, 'pglite-socket');
  if (Buffer.byteLength(socketPath(beside)) <= 100) return beside;
  const real = realpathSync(dataDir);
  return join(tmpdir(), `passerelle-pglite-${createHash('sha256').update(real).digest('hex').slice(0, 16)}`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}
