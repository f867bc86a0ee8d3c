/**
 * The embedded database (PGlite) has one owner process, which serves it to
 * the others over the PostgreSQL protocol on a Unix socket: guests' writes
 * land in the owner's database, clients never run inside one another's
 * transactions, a second owner is refused naming the holder, and a dead
 * owner's lock is taken over.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Db, EmbeddedDatabaseBusy, NoEmbeddedOwner, openDb } from '@passerelle/core';
import pg from 'pg';
import { DatabaseUnavailable } from '../src/storage/db.js';

const OWNER_FIXTURE = fileURLToPath(new URL('../../../test/fixtures/embedded-owner.ts', import.meta.url));

/** Starts the fixture owner in a process of its own; resolves once it serves the database. */
async function startOwnerProcess(dataDir: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--conditions=@passerelle/source', '--import', 'tsx', OWNER_FIXTURE, dataDir],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (/^ready \d+/m.test(output)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`owner fixture exited with ${code}:\n${output}`)));
  });
  return child;
}

async function killed(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  await exited;
}

describe('embedded database: one owner serves it to guests', () => {
  let dataDir: string;
  let owner: Db;
  let guest: Db;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'passerelle-embedded-'));
    owner = await openDb({ dataDir, embeddedAs: 'owner', command: 'test owner' });
    await owner.exec('create table items (id int primary key, note text)');
    guest = await openDb({ dataDir, embeddedAs: 'guest', command: 'test guest' });
  });

  after(async () => {
    await guest?.close();
    await owner?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('records the owner in a lock file beside the data', async () => {
    const lock = JSON.parse(await readFile(join(dataDir, 'pglite.lock'), 'utf8')) as Record<string, unknown>;
    assert.equal(lock.pid, process.pid);
    assert.equal(lock.command, 'test owner');
    assert.equal(lock.role, 'service');
    assert.equal(lock.socketDir, join(dataDir, 'pglite-socket'));
  });

  it("lets a guest write into the owner's database and read the owner's writes", async () => {
    await guest.query('insert into items values ($1, $2)', [1, 'from the guest']);
    await owner.query('insert into items values ($1, $2)', [2, 'from the owner']);
    const seenByOwner = await owner.query<{ note: string }>('select note from items order by id');
    const seenByGuest = await guest.query<{ note: string }>('select note from items order by id');
    assert.deepEqual(
      seenByOwner.rows.map((row) => row.note),
      ['from the guest', 'from the owner'],
    );
    assert.deepEqual(seenByGuest.rows, seenByOwner.rows);
  });

  it('keeps every client to its own statements and transactions under concurrency', async () => {
    const second = await openDb({ dataDir, embeddedAs: 'guest', command: 'second guest' });
    try {
      const clients = [owner, guest, second];
      let wrong = 0;
      const work: Array<Promise<unknown>> = [];
      for (let i = 100; i < 1_300; i++) {
        const db = clients[i % clients.length] as Db;
        if (i % 10 === 0) {
          // A transaction that reads its own write, then commits or (every other one) rolls back.
          work.push(
            db
              .transaction(async (tx) => {
                await tx.query('insert into items values ($1, $2)', [i, `t${i}`]);
                const read = await tx.query<{ note: string }>('select note from items where id = $1', [i]);
                if (read.rows[0]?.note !== `t${i}`) wrong += 1;
                if (i % 20 === 0) throw new Error('roll back');
              })
              .catch((error: Error) => {
                if (error.message !== 'roll back') throw error;
              }),
          );
        } else {
          // Parameterised statements: Parse, Bind, Execute, Sync of two clients must not mix.
          work.push(
            db
              .query<{ sum: number; text: string }>('select $1::int + 1 as sum, $2::text as text', [i, `v${i}`])
              .then(({ rows }) => {
                if (rows[0]?.sum !== i + 1 || rows[0]?.text !== `v${i}`) wrong += 1;
              }),
          );
        }
      }
      await Promise.all(work);
      assert.equal(wrong, 0, 'a statement got another statement’s answer');
      const kept = await owner.query<{ n: number }>('select count(*)::int as n from items where id >= 100');
      assert.equal(kept.rows[0]?.n, 60, 'the 60 committed transactions, none of the 60 rolled back');
    } finally {
      await second.close();
    }
  });

  it('rolls back the transaction of a client that disconnects in the middle, and goes on', async () => {
    const lock = JSON.parse(await readFile(join(dataDir, 'pglite.lock'), 'utf8')) as { socketDir: string };
    const client = new pg.Client({ host: lock.socketDir, port: 5432, user: 'postgres', database: 'postgres' });
    await client.connect();
    await client.query('begin');
    await client.query("insert into items values (9000, 'never committed')");
    // Gone without COMMIT: the owner's next statement must not wait forever, nor see the row.
    client.end().catch(() => {});
    const after = await owner.query<{ n: number }>('select count(*)::int as n from items where id = 9000');
    assert.equal(after.rows[0]?.n, 0);
  });

  it('refuses a second owner at once, naming the process that holds the database and what to do', async () => {
    const refused = await openDb({ dataDir, embeddedAs: 'owner', command: 'second owner' }).then(
      () => assert.fail('a second owner opened the directory'),
      (error: unknown) => error,
    );
    assert.ok(refused instanceof EmbeddedDatabaseBusy);
    assert.match(refused.message, new RegExp(`already open in process ${process.pid} \\(test owner, since `));
    assert.match(refused.message, /stop that process first/);
    assert.match(refused.message, /DATABASE_URL/);
  });

  it('makes a command a guest while an owner runs (it never opens the files itself)', async () => {
    const command = await openDb({ dataDir, command: 'gateway operators add' });
    try {
      await command.query("insert into items values (3, 'from a command')");
      const lock = JSON.parse(await readFile(join(dataDir, 'pglite.lock'), 'utf8')) as { command: string };
      assert.equal(lock.command, 'test owner', 'the lock still names the first owner');
    } finally {
      await command.close();
    }
    const seen = await owner.query<{ note: string }>('select note from items where id = 3');
    assert.equal(seen.rows[0]?.note, 'from a command');
  });
});

describe('embedded database: owners come and go', () => {
  let dataDir: string;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'passerelle-embedded-owners-'));
  });

  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('tells a guest that no gateway serves the database, and what to do', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'passerelle-embedded-none-'));
    try {
      await assert.rejects(
        openDb({ dataDir: empty, embeddedAs: 'guest' }),
        (error: unknown) => error instanceof NoEmbeddedOwner && /start `gateway start` first/.test(error.message),
      );
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it("serves another process's writes, and takes over the lock of an owner that was killed", async () => {
    const first = await startOwnerProcess(dataDir);
    try {
      const guest = await openDb({ dataDir, embeddedAs: 'guest' });
      await guest.query("insert into fixture_rows values (2, 'written by a guest')");
      await guest.close();
      await assert.rejects(
        openDb({ dataDir, embeddedAs: 'owner' }),
        new RegExp(`process ${first.pid} \\(embedded-owner fixture`),
      );
    } finally {
      // Killed without a chance to close: its lock stays behind, naming a dead process.
      await killed(first, 'SIGKILL');
    }
    const next = await openDb({ dataDir, embeddedAs: 'owner', command: 'next owner' });
    try {
      const rows = await next.query<{ note: string }>('select note from fixture_rows order by id');
      assert.deepEqual(
        rows.rows.map((row) => row.note),
        ['written by the first owner', 'written by a guest'],
      );
    } finally {
      await next.close();
    }
  });

  it('tells a guest whose owner stopped that the database is away (a retry), not any missing file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'passerelle-embedded-away-'));
    try {
      const owner = await openDb({ dataDir: dir, embeddedAs: 'owner' });
      const guest = await openDb({ dataDir: dir, embeddedAs: 'guest' });
      // A file missing inside the guest's own work is that work's error, not the database being away.
      const own = await guest
        .transaction(async () => {
          await readFile(join(dir, 'no-such-file'));
        })
        .catch((error: unknown) => error);
      assert.ok(!(own instanceof DatabaseUnavailable) && (own as { code?: string }).code === 'ENOENT');
      await owner.close();
      const away = await guest.query('select 1').catch((error: unknown) => error);
      assert.ok(away instanceof DatabaseUnavailable, `a DatabaseUnavailable, not ${String(away)}`);
      await guest.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('will not serve from a socket folder open to other users, and leaves no lock behind', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'passerelle-embedded-socket-'));
    try {
      await mkdir(join(dir, 'pglite-socket'));
      await chmod(join(dir, 'pglite-socket'), 0o777);
      await assert.rejects(openDb({ dataDir: dir, embeddedAs: 'owner' }), /socket folder .* is open to others/);
      await assert.rejects(readFile(join(dir, 'pglite.lock')), { code: 'ENOENT' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('makes a gateway wait for a command that holds the database for a moment, not fail', async () => {
    const command = await openDb({ dataDir, command: 'gateway migrate' });
    const gateway = openDb({ dataDir, embeddedAs: 'owner', command: 'gateway start' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    await command.query("insert into fixture_rows values (3, 'written by a command alone')");
    await command.close();
    const owner = await gateway;
    try {
      const row = await owner.query<{ note: string }>('select note from fixture_rows where id = 3');
      assert.equal(row.rows[0]?.note, 'written by a command alone');
    } finally {
      await owner.close();
    }
  });
});
