/**
 * The handoff queue's guarded changes, on PostgreSQL with real concurrency
 * (several connections at once): an operator's maximum holds when many
 * assignments race, and a conversation is given once.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  assignHandoff,
  closeHandoff,
  createOperator,
  type Db,
  expireWaiting,
  inboundEvent,
  migrate,
  openDb,
  queuePosition,
  recordInbound,
  requestHandoff,
  resolveContact,
} from '@passerelle/core';
import { createTempDatabase, postgresSkipReason } from '../../../test/support/services.js';

const skip = await postgresSkipReason();

describe('handoff queue under concurrency (PostgreSQL)', { skip }, () => {
  let temp: { url: string; drop(): Promise<void> };
  let dbs: Db[];
  let operatorId = '';
  let other = '';
  const handoffs: string[] = [];

  before(async () => {
    temp = await createTempDatabase();
    dbs = await Promise.all(Array.from({ length: 5 }, () => openDb({ databaseUrl: temp.url })));
    const db = dbs[0] as Db;
    await migrate(db);
    operatorId = (
      await createOperator(db, { email: 'a@example.com', name: 'A', maxConversations: 2, password: 'long-enough-1' })
    ).id;
    other = (
      await createOperator(db, { email: 'b@example.com', name: 'B', maxConversations: 5, password: 'long-enough-2' })
    ).id;
    for (let i = 0; i < 5; i++) {
      const event = inboundEvent({
        channel: 'sms',
        account: '+33700000000',
        providerMessageId: `m${i}`,
        thread: `+3360000000${i}`,
        sender: { id: `+3360000000${i}` },
        receivedAt: new Date(Date.now() - (10 - i) * 60_000),
        kind: 'message',
        content: { text: 'conseiller' },
      });
      const contact = await resolveContact(db, { channel: 'sms', account: event.account, userId: event.sender.id });
      await recordInbound(db, event, contact.id);
      const id = `ho_${i}`;
      await requestHandoff(db, { id, conversationId: event.conversationId, contactId: contact.id, reason: 'test' });
      await db.query('update handoffs set requested_at = $2 where id = $1', [id, event.receivedAt]);
      handoffs.push(id);
    }
  });
  after(async () => {
    await Promise.all(dbs.map((db) => db.close()));
    await temp.drop();
  });

  it('gives the queue in order of arrival', async () => {
    const db = dbs[0] as Db;
    assert.deepEqual(
      await Promise.all(handoffs.map((id) => queuePosition(db, { id, team: 'support' }))),
      [1, 2, 3, 4, 5],
    );
  });

  it('never gives an operator more than their maximum, even when five assignments race', async () => {
    const results = await Promise.all(handoffs.map((id, i) => assignHandoff(dbs[i] as Db, id, operatorId)));
    assert.equal(results.filter(Boolean).length, 2, `assigned: ${JSON.stringify(results)}`);
    const { rows } = await (dbs[0] as Db).query<{ n: string }>(
      "select count(*) as n from handoffs where operator_id = $1 and status = 'assigned'",
      [operatorId],
    );
    assert.equal(Number(rows[0]?.n), 2);
  });

  it('gives one conversation to one operator when two take it at once', async () => {
    const waiting = (
      await (dbs[0] as Db).query<{ id: string }>(
        "select id from handoffs where status = 'waiting' order by requested_at limit 1",
      )
    ).rows[0]?.id as string;
    const [a, b] = await Promise.all([
      assignHandoff(dbs[1] as Db, waiting, other),
      assignHandoff(dbs[2] as Db, waiting, operatorId),
    ]);
    assert.equal([a, b].filter(Boolean).length, 1, 'both or neither got it');
  });

  it('closes once, and expires only what still waits', async () => {
    const db = dbs[0] as Db;
    const assigned = (await db.query<{ id: string }>("select id from handoffs where status = 'assigned' limit 1"))
      .rows[0]?.id as string;
    assert.equal(
      await closeHandoff(db, assigned, other === operatorId ? undefined : 'ope_nobody'),
      false,
      'closed by someone else',
    );
    assert.equal(await closeHandoff(db, assigned), true);
    assert.equal(await closeHandoff(db, assigned), false, 'closed twice');
    const expired = await expireWaiting(db, 'support', new Date());
    const { rows } = await db.query<{ n: string }>("select count(*) as n from handoffs where status = 'waiting'");
    assert.equal(Number(rows[0]?.n), 0);
    assert.ok(expired.length >= 1, 'nothing expired');
    assert.ok(
      expired.every((handoff) => handoff.status === 'expired'),
      'an expired handoff has another status',
    );
  });
});
