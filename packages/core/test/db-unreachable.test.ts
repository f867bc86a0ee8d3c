/**
 * PostgreSQL going away under the gateway: through a TCP proxy the test cuts,
 * a connection dropped in the middle of a transaction fails that transaction
 * (it does not kill the process with an unhandled 'error' event), and every
 * failure to reach the database is a DatabaseUnavailable: a retry that does
 * not use up a message's tries. Once the proxy is restored, queries work.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Db, openDb, RetryLater } from '@passerelle/core';
import { createTempDatabase, postgresSkipReason } from '../../../test/support/services.js';
import { startTcpProxy, type TcpProxy, throughProxy } from '../../../test/support/tcp-proxy.js';
import { DatabaseUnavailable } from '../src/storage/db.js';

const skip = await postgresSkipReason();

describe('PostgreSQL unreachable', { skip }, () => {
  let database: Awaited<ReturnType<typeof createTempDatabase>>;
  let proxy: TcpProxy;
  let db: Db;

  before(async () => {
    database = await createTempDatabase();
    const target = new URL(database.url);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    db = await openDb({ databaseUrl: throughProxy(database.url, proxy) });
  });

  after(async () => {
    proxy.restore();
    await db?.close();
    await proxy?.close();
    await database?.drop();
  });

  it('fails a transaction whose connection drops, as a retry that costs no try, and recovers', async () => {
    const sleeping = db.transaction(async (tx) => {
      await tx.query('select pg_sleep(5)');
    });
    // The transaction is under way: its client is checked out of the pool.
    await new Promise((resolve) => setTimeout(resolve, 300));
    proxy.cut();
    const error = await sleeping.then(
      () => assert.fail('the transaction cannot succeed without its connection'),
      (caught: unknown) => caught,
    );
    assert.ok(error instanceof DatabaseUnavailable, `a DatabaseUnavailable, not ${String(error)}`);
    assert.ok(error instanceof RetryLater && error.options.countsAsAttempt === false, 'a retry that costs no try');

    const refused = await db.query('select 1').then(
      () => assert.fail('no query gets through while cut'),
      (caught: unknown) => caught,
    );
    assert.ok(refused instanceof DatabaseUnavailable, `a DatabaseUnavailable, not ${String(refused)}`);

    proxy.restore();
    const { rows } = await db.query<{ one: number }>('select 1 as one');
    assert.deepEqual(rows, [{ one: 1 }], 'queries work again once the database is back');
  });
});
