import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  conversationIdFor,
  type Db,
  EVENT_FORMAT_VERSION,
  getDelivery,
  type InboundEvent,
  inboundEventId,
  isOptedOut,
  MIGRATIONS,
  markDelivery,
  markDeliveryByProviderId,
  migrate,
  type OutboundMessage,
  openDb,
  recordInbound,
  recordOptIn,
  recordOptOut,
  recordOutbound,
  resolveContact,
  transcript,
} from '@passerelle/core';
import { DATABASE_BACKENDS, type DatabaseBackend } from '../../../test/support/databases.js';
import { createTempDatabase, postgresSkipReason } from '../../../test/support/services.js';

function event(n: number, userId = 'u1'): InboundEvent {
  return {
    version: EVENT_FORMAT_VERSION,
    id: inboundEventId('telegram', 'bot', `m${n}`),
    channel: 'telegram',
    account: 'bot',
    providerMessageId: `m${n}`,
    conversationId: conversationIdFor('telegram', 'bot', userId),
    sender: { id: userId, name: 'Zoé' },
    receivedAt: new Date(Date.UTC(2026, 10, 23, 10, 0, n)).toISOString(),
    kind: 'message',
    content: { text: `message ${n}` },
  };
}

/** The same behaviour is required of both back ends: one suite, run on each. */
function storageSuite({ name, open, skipReason: skip }: DatabaseBackend) {
  describe(`storage on ${name}`, async () => {
    const skipReason = await skip();
    let db: Db;
    let cleanup: () => Promise<void>;
    before(async () => {
      if (skipReason) return;
      ({ db, cleanup } = await open());
      await migrate(db);
    });
    after(async () => {
      if (!skipReason) await cleanup();
    });

    it('migrates once: a second run applies nothing', { skip: skipReason }, async () => {
      const again = await migrate(db);
      assert.deepEqual(again.applied, []);
      assert.equal(again.current, MIGRATIONS.length);
    });

    it('gives one contact per channel identity, even to two workers racing for it', { skip: skipReason }, async () => {
      const hint = { channel: 'telegram' as const, account: 'bot', userId: 'race-1', name: 'Zoé' };
      const contacts = await Promise.all(Array.from({ length: 8 }, () => resolveContact(db, hint)));
      assert.equal(new Set(contacts.map((c) => c.id)).size, 1);
      assert.equal(contacts[0]?.displayName, 'Zoé');
      const { rows } = await db.query<{ n: string }>(
        "select count(*) as n from channel_identities where user_id = 'race-1'",
      );
      assert.equal(Number(rows[0]?.n), 1);
    });

    it('records a redelivered inbound message once, and keeps the transcript in order', {
      skip: skipReason,
    }, async () => {
      const contact = await resolveContact(db, { channel: 'telegram', account: 'bot', userId: 'u1' });
      for (const n of [1, 2, 2, 3, 1]) await recordInbound(db, event(n), contact.id);
      const lines = await transcript(db, event(1).conversationId);
      assert.deepEqual(
        lines.map((line) => (line.body as { text: string }).text),
        ['message 1', 'message 2', 'message 3'],
      );
    });

    it('keeps an opt-out durably, once, with its source in the consent history', { skip: skipReason }, async () => {
      const identity = { channel: 'sms' as const, account: '+33700000000', userId: '+33611111111' };
      const contact = await resolveContact(db, identity);
      assert.equal(await isOptedOut(db, identity), false);
      assert.equal(await recordOptOut(db, identity, 'provider'), true);
      assert.equal(await recordOptOut(db, identity, 'keyword'), false, 'already opted out');
      assert.equal(await isOptedOut(db, identity), true);
      const { rows } = await db.query<{ kind: string; source: string }>(
        'select kind, source from consent_events where contact_id = $1',
        [contact.id],
      );
      assert.deepEqual(rows, [{ kind: 'opt_out', source: 'provider' }]);

      // START: back in, once; the history keeps both changes in order.
      assert.equal(await recordOptIn(db, identity, 'keyword'), true);
      assert.equal(await recordOptIn(db, identity, 'keyword'), false, 'already opted in');
      assert.equal(await isOptedOut(db, identity), false);
      const history = await db.query<{ kind: string; source: string }>(
        'select kind, source from consent_events where contact_id = $1 order by id',
        [contact.id],
      );
      assert.deepEqual(history.rows, [
        { kind: 'opt_out', source: 'provider' },
        { kind: 'opt_in', source: 'keyword' },
      ]);
    });

    it('never moves a delivery status backwards (a receipt may beat our own "sent")', {
      skip: skipReason,
    }, async () => {
      const message = {
        version: EVENT_FORMAT_VERSION,
        id: 'out_storage_1',
        idempotencyKey: 'out_storage_1',
        conversationId: event(1).conversationId,
        to: { channel: 'telegram' as const, account: 'bot', userId: 'u1' },
        parts: [{ type: 'text' as const, text: 'hello' }],
        purpose: 'reply' as const,
        createdAt: new Date().toISOString(),
      } satisfies OutboundMessage;
      await recordOutbound(db, [message]);
      assert.equal((await getDelivery(db, message.id))?.status, 'queued');
      await markDelivery(db, message.id, { status: 'delivered', providerMessageId: 'p1' });
      await markDelivery(db, message.id, { status: 'sent', attempts: 2 });
      const delivery = await getDelivery(db, message.id);
      assert.equal(delivery?.status, 'delivered');
      assert.equal(delivery?.providerMessageId, 'p1');
      assert.equal(delivery?.attempts, 2);
      // A provider receipt finds the message by the provider's id.
      assert.equal(await markDeliveryByProviderId(db, 'p1', { status: 'read' }), true);
      assert.equal((await getDelivery(db, message.id))?.status, 'read');
      assert.equal(await markDeliveryByProviderId(db, 'p1', { status: 'sent' }), true);
      assert.equal((await getDelivery(db, message.id))?.status, 'read', 'a late "sent" receipt does not undo "read"');
      assert.equal(await markDeliveryByProviderId(db, 'unknown-id', { status: 'delivered' }), false);
    });
  });
}

for (const backend of DATABASE_BACKENDS) storageSuite(backend);

describe('migrations on PostgreSQL from several processes at once', async () => {
  const skip = await postgresSkipReason();
  it('serialise on the advisory lock: the schema is created once', { skip }, async () => {
    const temp = await createTempDatabase();
    const dbs = await Promise.all(Array.from({ length: 4 }, () => openDb({ databaseUrl: temp.url })));
    try {
      const results = await Promise.all(dbs.map((db) => migrate(db)));
      assert.equal(results.filter((r) => r.applied.length > 0).length, 1);
      assert.ok(results.every((r) => r.current === MIGRATIONS.length));
    } finally {
      await Promise.all(dbs.map((db) => db.close()));
      await temp.drop();
    }
  });
});
