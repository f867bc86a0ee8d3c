/**
 * Campaign storage on both back ends: importing a list with its consent
 * (a list never undoes a STOP), broadcasts and their recipients (what the
 * dispatcher reads, its marks, the states and their refusals, a cancel
 * overtaken by an event already on its way), and the results counted from
 * campaign events (by day in the campaign's zone, steps in flow order).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  addRecipients,
  BroadcastStateError,
  broadcastProgress,
  campaignResults,
  changeBroadcastStatus,
  consentHistory,
  consentOf,
  conversationIdFor,
  createBroadcast,
  type Db,
  EVENT_FORMAT_VERSION,
  importAudience,
  inboundEventId,
  markRecipients,
  migrate,
  pendingRecipients,
  recordBroadcastOutcome,
  recordCampaignEvent,
  recordInbound,
  recordOptOut,
  resolveContact,
} from '@passerelle/core';
import { DATABASE_BACKENDS } from '../../../test/support/databases.js';

const SMS = { channel: 'sms' as const, account: '+33700000000' };
const phone = (n: number) => `+3361000000${n}`;

for (const backend of DATABASE_BACKENDS) {
  describe(`campaign storage on ${backend.name}`, async () => {
    const skip = await backend.skipReason();
    let db: Db;
    let cleanup: () => Promise<void>;
    before(async () => {
      if (skip) return;
      ({ db, cleanup } = await backend.open());
      await migrate(db);
    });
    after(async () => {
      if (!skip) await cleanup();
    });

    it('imports a list: people found or created once, consent with its proof, never over a STOP', {
      skip,
    }, async () => {
      // Someone who wrote STOP before the list was made, and someone already known.
      await resolveContact(db, { ...SMS, userId: phone(1) });
      await recordOptOut(db, { ...SMS, userId: phone(1) }, 'keyword');
      const known = await resolveContact(db, { ...SMS, userId: phone(2), name: 'Zoé' });

      const imported = await importAudience(db, SMS, [
        { userId: phone(1), consent: { kind: 'opt_in', detail: 'list.csv:2' } },
        {
          userId: phone(2),
          email: 'zoe@example.com',
          name: 'Zoé Martin',
          consent: { kind: 'opt_in', givenAt: new Date('2026-10-12T00:00:00Z'), detail: 'list.csv:3' },
        },
        { userId: phone(3), name: 'Tom', locale: 'en', consent: { kind: 'opt_out', detail: 'list.csv:4' } },
        { userId: phone(4), name: 'Ana' },
      ]);
      assert.deepEqual(
        imported.map((m) => [m.userId, m.created, m.consentChanged]),
        [
          [phone(1), false, undefined],
          [phone(2), false, 'opt_in'],
          [phone(3), true, 'opt_out'],
          [phone(4), true, undefined],
        ],
      );
      assert.equal(imported[1]?.contactId, known.id, 'the known person keeps their contact');
      assert.equal(await consentOf(db, { ...SMS, userId: phone(1) }), 'opted_out', 'the STOP stands');
      assert.equal(await consentOf(db, { ...SMS, userId: phone(2) }), 'opted_in');
      assert.equal(await consentOf(db, { ...SMS, userId: phone(4) }), 'unknown');
      const { rows } = await db.query<{ display_name: string; email: string }>(
        'select display_name, email from contacts where id = $1',
        [known.id],
      );
      assert.deepEqual(rows[0], { display_name: 'Zoé', email: 'zoe@example.com' }, 'gaps filled, nothing overwritten');
      const proof = (await consentHistory(db, { contactId: known.id })).map((c) => [c.kind, c.source, c.detail]);
      assert.deepEqual(proof, [['opt_in', 'import', 'list.csv:3']]);
      assert.equal(
        (await consentHistory(db, { contactId: known.id }))[0]?.givenAt?.toISOString(),
        '2026-10-12T00:00:00.000Z',
      );

      // The same list again changes nothing.
      const again = await importAudience(db, SMS, [{ userId: phone(2), consent: { kind: 'opt_in' } }]);
      assert.equal(again[0]?.consentChanged, undefined);
      assert.equal((await consentHistory(db, { contactId: known.id })).length, 1);
    });

    it('walks a broadcast: what the dispatcher reads, its marks, the outcomes, the progress', { skip }, async () => {
      const people = await importAudience(
        db,
        SMS,
        [5, 6, 7].map((n) => ({ userId: phone(n), consent: { kind: 'opt_in' as const } })),
      );
      const broadcast = await createBroadcast(db, {
        id: 'bc_storage',
        campaignId: 'soldes',
        ...SMS,
        ratePerSecond: 10,
      });
      const added = await addRecipients(db, broadcast.id, [
        ...people.map((p, i) => ({ seq: i + 1, userId: p.userId, contactId: p.contactId, timeZone: 'Europe/Paris' })),
        { seq: 9, userId: phone(5), contactId: people[0]?.contactId as string },
      ]);
      assert.equal(added, 3, 'someone listed twice is kept once');

      // Phone 5 wrote to us: their conversation and its last message are what the 24-hour rule reads.
      const conversationId = conversationIdFor('sms', SMS.account, phone(5));
      await recordInbound(
        db,
        {
          version: EVENT_FORMAT_VERSION,
          id: inboundEventId('sms', SMS.account, 'SM1'),
          channel: 'sms',
          account: SMS.account,
          providerMessageId: 'SM1',
          conversationId,
          sender: { id: phone(5) },
          receivedAt: new Date().toISOString(),
          kind: 'message',
          content: { text: 'bonjour' },
        },
        people[0]?.contactId as string,
      );
      const pending = await pendingRecipients(db, broadcast, 10);
      assert.deepEqual(
        pending.map((r) => [r.seq, r.userId, Boolean(r.optedInAt), r.conversationId, r.lastInboundAt !== null]),
        [
          [1, phone(5), true, conversationId, true],
          [2, phone(6), true, null, false],
          [3, phone(7), true, null, false],
        ],
      );

      await assert.rejects(changeBroadcastStatus(db, broadcast.id, 'pause'), BroadcastStateError);
      await assert.rejects(
        changeBroadcastStatus(db, broadcast.id, 'resume'),
        /cannot resume broadcast bc_storage: it is draft/,
      );
      const running = await changeBroadcastStatus(db, broadcast.id, 'send');
      assert.equal(running.status, 'running');
      assert.ok(running.startedAt, 'the start is stamped');

      await markRecipients(db, broadcast.id, [
        { seq: 1, status: 'queued' },
        { seq: 2, status: 'skipped', reason: 'quiet_hours' },
      ]);
      // A second mark of the same people (a dispatcher taking over) changes nothing.
      await markRecipients(db, broadcast.id, [{ seq: 2, status: 'queued' }]);
      await recordBroadcastOutcome(db, broadcast.id, phone(5), { messageId: 'out_1' });
      assert.deepEqual(
        (await pendingRecipients(db, broadcast, 10)).map((r) => r.seq),
        [3],
      );

      // Cancelled while phone 7's event was already on its way: the list says cancelled, then what happened.
      const cancelled = await changeBroadcastStatus(db, broadcast.id, 'cancel');
      assert.equal(cancelled.status, 'cancelled');
      let progress = await broadcastProgress(db, broadcast.id);
      assert.deepEqual(progress.skippedBy, { cancelled: 1, quiet_hours: 1 });
      await recordBroadcastOutcome(db, broadcast.id, phone(7), { messageId: 'out_3' });
      progress = await broadcastProgress(db, broadcast.id);
      assert.equal(progress.total, 3);
      assert.equal(progress.pending, 0);
      assert.equal(progress.messaged, 2);
      assert.deepEqual(progress.skippedBy, { quiet_hours: 1 });
      await assert.rejects(changeBroadcastStatus(db, broadcast.id, 'send'), /it is cancelled/);
      await assert.rejects(changeBroadcastStatus(db, 'bc_none', 'send'), /no broadcast bc_none/);
    });

    it('counts results once per conversation, by day in the campaign’s zone, steps in flow order', {
      skip,
    }, async () => {
      const contacts = await importAudience(
        db,
        SMS,
        [8, 9].map((n) => ({ userId: phone(n) })),
      );
      const conversations = contacts.map((c) => conversationIdFor('sms', SMS.account, c.userId));
      for (const [index, contact] of contacts.entries()) {
        await recordInbound(
          db,
          {
            version: EVENT_FORMAT_VERSION,
            id: inboundEventId('sms', SMS.account, `SMr${index}`),
            channel: 'sms',
            account: SMS.account,
            providerMessageId: `SMr${index}`,
            conversationId: conversations[index] as string,
            sender: { id: contact.userId },
            receivedAt: new Date().toISOString(),
            kind: 'message',
            content: { text: 'VIP' },
          },
          contact.contactId,
        );
      }
      const moment = (i: number, kind: 'entered' | 'step' | 'completed' | 'converted', node?: string, at?: string) =>
        recordCampaignEvent(db, {
          campaignId: 'vip',
          conversationId: conversations[i] as string,
          contactId: contacts[i]?.contactId as string,
          channel: 'sms',
          kind,
          node,
          entry: kind === 'entered' ? (i === 0 ? 'keyword' : 'broadcast') : undefined,
          at: at ? new Date(at) : undefined,
        });
      // 23:30 UTC on the 14th is already the 15th in Paris.
      await moment(0, 'entered', undefined, '2027-01-14T23:30:00Z');
      await moment(0, 'entered', undefined, '2027-01-14T23:31:00Z');
      await moment(0, 'step', 'annonce');
      await moment(0, 'step', 'code');
      await moment(0, 'converted');
      await moment(0, 'completed');
      await moment(1, 'entered', undefined, '2027-01-16T10:00:00Z');
      await moment(1, 'step', 'annonce');

      const results = await campaignResults(db, 'vip', { timeZone: 'Europe/Paris', steps: ['annonce', 'code', 'fin'] });
      assert.deepEqual(
        { ...results.totals },
        { entered: 2, completed: 1, converted: 1, handoff: 0, opted_out: 0, completionRate: 0.5, conversionRate: 0.5 },
      );
      assert.deepEqual(
        results.byDay.filter((d) => d.entered > 0).map((d) => [d.day, d.entered]),
        [
          ['2027-01-15', 1],
          ['2027-01-16', 1],
        ],
      );
      assert.deepEqual(results.byEntry, [
        { entry: 'broadcast', entered: 1 },
        { entry: 'keyword', entered: 1 },
      ]);
      assert.deepEqual(results.steps, [
        { node: 'annonce', reached: 2, dropped: 1 },
        { node: 'code', reached: 1, dropped: 0 },
      ]);
    });
  });
}
