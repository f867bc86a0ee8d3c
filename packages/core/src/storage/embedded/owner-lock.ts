/**
 * Who owns an embedded (PGlite) data directory. PGlite is PostgreSQL in one
 * process: two processes opening the same directory each keep their own copy
 * in memory and overwrite each other's writes, or corrupt the files. So one
 * process owns it, recorded in a lock file beside it, and serves it to the
 * others (see protocol-server.ts).
 *
 * The lock file is created with link(2), which is atomic and fails when the
 * file exists, so two starters cannot both win. A holder is alive when its
 * process exists on this host and its socket answers (a pid alone can be
 * reused after a crash, for one by a container's next pid 1); a dead holder's
 * lock is taken over. Taking over renames the stale file first, so of two
 * processes that judged it stale only one removes it.
 */
import { randomUUID } from 'node:crypto';
import { link, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';

export interface Holder {
  pid: number;
  host: string;
  /** What the process is, in a person's words: "gateway start", "gateway operators add". */
  command: string;
  /** A long-running owner (a gateway) or a command that will be done in a moment. */
  role: 'service' | 'command';
  /** The folder holding the PostgreSQL socket (.s.PGSQL.5432) the owner serves the database on. */
  socketDir: string;
  startedAt: string;
  /** Tells this lock from a later one by the same pid. */
  token: string;
}

export type HolderIdentity = Pick<Holder, 'command' | 'role' | 'socketDir'>;

export const LOCK_FILE = 'pglite.lock';

/**
 * A holder younger than this may not be listening on its socket yet: it takes the lock before it
 * opens the database, which on a first start (initdb) takes seconds, more on a busy machine.
 */
export const STARTING_GRACE_MS = 30_000;

export function lockPath(dataDir: string): string {
  return join(dataDir, LOCK_FILE);
}

/** Tries to become the owner: the lock when it is free (or its holder is dead), else who holds it. */
export async function tryLock(
  dataDir: string,
  identity: HolderIdentity,
): Promise<{ acquired: Holder } | { heldBy: Holder }> {
  const path = lockPath(dataDir);
  const mine: Holder = {
    pid: process.pid,
    host: hostname(),
    ...identity,
    startedAt: new Date().toISOString(),
    token: randomUUID(),
  };
  // Written whole under a unique name, then linked into place: a reader never sees half a file.
  const draft = `${path}.${mine.token}`;
  await writeFile(draft, `${JSON.stringify(mine, null, 2)}\n`, { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await link(draft, path);
        return { acquired: mine };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = await readHolder(dataDir);
      if (!holder) continue; // removed between our link and our read: try again
      if (await isAlive(holder, path)) return { heldBy: holder };
      await removeStale(path, holder);
    }
    throw new Error(`could not take the lock ${path}: it keeps changing hands`);
  } finally {
    await unlink(draft).catch(() => {});
  }
}

export async function readHolder(dataDir: string): Promise<Holder | undefined> {
  try {
    return JSON.parse(await readFile(lockPath(dataDir), 'utf8')) as Holder;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    // Unreadable or not JSON: not written by a live owner (it is linked whole), so stale.
    return { pid: 0, host: '', command: 'unknown', role: 'command', socketDir: '', startedAt: '', token: 'unreadable' };
  }
}

/** Removes the lock if it is still this holder's (a later owner's lock is left alone). */
export async function unlock(dataDir: string, holder: Holder): Promise<void> {
  const current = await readHolder(dataDir);
  if (current?.token === holder.token) await unlink(lockPath(dataDir)).catch(() => {});
}

export async function isAlive(holder: Holder, path: string): Promise<boolean> {
  if (holder.token === 'unreadable') return false;
  // Another machine sharing the folder: its processes cannot be seen from here, so it is believed.
  if (holder.host !== hostname()) return true;
  if (!processExists(holder.pid)) return false;
  if (await socketAnswers(holder.socketDir)) return true;
  // A live pid whose socket is silent: still starting, or a reused pid after a crash.
  const since = await stat(path).then(
    (info) => Date.now() - info.mtimeMs,
    () => Number.POSITIVE_INFINITY,
  );
  return since < STARTING_GRACE_MS;
}

function processExists(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function socketPath(socketDir: string): string {
  return join(socketDir, '.s.PGSQL.5432');
}

function socketAnswers(socketDir: string): Promise<boolean> {
  if (!socketDir) return Promise.resolve(false);
  return new Promise((resolve) => {
    const socket = connect(socketPath(socketDir));
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.setTimeout(2_000, () => done(false));
  });
}

async function removeStale(path: string, stale: Holder): Promise<void> {
  const aside = `${path}.stale-${randomUUID()}`;
  try {
    await rename(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // someone else took it over first
    throw error;
  }
  const moved = await readFile(aside, 'utf8')
    .then((text) => (JSON.parse(text) as Holder).token)
    .catch(() => 'unreadable');
  if (moved !== stale.token) {
    // Between our look and our rename, another process took the lock over: give it back.
    await link(aside, path).catch(() => {});
  }
  await unlink(aside).catch(() => {});
}
