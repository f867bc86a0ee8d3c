import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Db, existsLocally, localToInstant, migrate, resolveContact } from '@passerelle/core';
import { createDemoConnectors, type DemoSeed, loadDemoSeed, SlotTakenError } from '@passerelle/crm-connectors';
import { DATABASE_BACKENDS, type DatabaseBackend } from '../../../test/support/databases.js';

// Every assert.ok here has a message: without one, node builds it by re-reading the source at the
// failing column, which on tsx's one-line output can spin for minutes instead of failing.

const SEED_FILE = fileURLToPath(new URL('../../../bots/demo/seed.yaml', import.meta.url));
const LOADED_AT = new Date('2027-03-01T12:00:00Z');
const DAY = 86_400_000;

/** 'YYYY-MM-DD HH:MM' on a Paris wall clock. */
function paris(iso: string): string {
  const part: Record<string, string> = {};
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: 'Europe/Paris',
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  });
  for (const { type, value } of format.formatToParts(new Date(iso))) part[type] = value;
  return `${part.year}-${part.month}-${part.day} ${part.hour}:${part.minute}`;
}

/** The showroom's day: visits of 45 minutes from 10:00, the last one ending by 18:00. */
const SHOWROOM_TIMES = ['10:00', '10:45', '11:30', '12:15', '13:00', '13:45', '14:30', '15:15', '16:00', '16:45'];

describe('wall-clock time in a zone', () => {
  it('converts wall times to instants next to both changes, and knows the skipped hour', () => {
    const at = (date: string, time: string, zone = 'Europe/Paris') => {
      const minutes = Number(time.slice(0, 2)) * 60 + Number(time.slice(3));
      const instant = localToInstant(date, minutes, zone);
      return existsLocally(instant, date, minutes, zone) ? instant.toISOString() : 'skipped';
    };
    // Paris, Sunday 28 March 2027: 02:00 CET becomes 03:00 CEST.
    assert.equal(at('2027-03-28', '01:30'), '2027-03-28T00:30:00.000Z');
    assert.equal(at('2027-03-28', '02:30'), 'skipped');
    assert.equal(at('2027-03-28', '03:00'), '2027-03-28T01:00:00.000Z');
    // Sunday 31 October 2027: 03:00 CEST becomes 02:00 CET; 02:30 happens twice, either is a right answer.
    assert.ok(['2027-10-31T00:30:00.000Z', '2027-10-31T01:30:00.000Z'].includes(at('2027-10-31', '02:30')), 'twice');
    assert.equal(at('2027-10-31', '03:30'), '2027-10-31T02:30:00.000Z');
    // Another zone, another date: New York springs forward on 14 March 2027.
    assert.equal(at('2027-03-14', '01:30', 'America/New_York'), '2027-03-14T06:30:00.000Z');
    assert.equal(at('2027-03-14', '02:30', 'America/New_York'), 'skipped');
    assert.equal(at('2027-03-14', '03:30', 'America/New_York'), '2027-03-14T07:30:00.000Z');
  });
});

function demoSuite({ name, open, skipReason: skip }: DatabaseBackend) {
  describe(`demo connector on ${name}`, async () => {
    const skipReason = await skip();
    let db: Db;
    let cleanup: () => Promise<void>;
    let seed: DemoSeed;
    const at = (iso: string) => createDemoConnectors(db, seed, { now: () => new Date(iso) });
    const connectors = () => at('2027-03-01T00:00:00Z');
    const contactWithPhone = async (userId: string, phone?: string) =>
      (await resolveContact(db, { channel: 'sms', account: 'shop', userId, ...(phone ? { phone } : {}) })).id;
    const orderCount = async () =>
      Number((await db.query<{ n: string }>('select count(*) as n from demo_orders')).rows[0]?.n);

    before(async () => {
      if (skipReason) return;
      ({ db, cleanup } = await open());
      await migrate(db);
      seed = await loadDemoSeed(db, SEED_FILE, { now: () => LOADED_AT });
    });
    after(async () => {
      if (!skipReason) await cleanup();
    });

    it('loads the seed once: loading it again leaves the same rows, dated from the new load', {
      skip: skipReason,
    }, async () => {
      assert.ok(seed.orders.length >= 10, `only ${seed.orders.length} orders in the seed`);
      assert.equal(await orderCount(), seed.orders.length);
      const later = new Date(LOADED_AT.getTime() + 7 * DAY);
      await loadDemoSeed(db, SEED_FILE, { now: () => later });
      assert.equal(await orderCount(), seed.orders.length);
      const order = await connectors().orders.findOrder('ML-10234');
      assert.equal(order?.placedAt, new Date(later.getTime() - 3 * DAY).toISOString(), 'placed: -3d, from the load');
      await loadDemoSeed(db, SEED_FILE, { now: () => LOADED_AT });
    });

    it('finds an order by its number in any case', { skip: skipReason }, async () => {
      const { orders } = connectors();
      for (const typed of ['ml-10234', 'ML-10234', ' Ml-10234 ']) {
        const order = await orders.findOrder(typed);
        assert.equal(order?.number, 'ML-10234', typed);
      }
      assert.deepEqual(await orders.findOrder('ml-10234'), {
        number: 'ML-10234',
        status: 'shipped',
        placedAt: new Date(LOADED_AT.getTime() - 3 * DAY).toISOString(),
        total: { amount: 129.9, currency: 'EUR' },
        trackingUrl: 'https://www.laposte.fr/outils/suivre-vos-envois?code=6A10234000017',
        carrier: 'Colissimo',
        items: [
          { name: 'Lampe de chevet Cosy', quantity: 2 },
          { name: 'Ampoule LED filament E27 2700 K', quantity: 4 },
        ],
      });
      assert.equal(await orders.findOrder('ML-99999'), undefined);
    });

    it("shows an order to its customer only, never someone else's", { skip: skipReason }, async () => {
      const { orders, crm } = connectors();
      // Known by the SMS identity alone (no phone on the contact), by phone, and by email.
      const bySmsIdentity = await contactWithPhone('+33600000001');
      const byPhone = (await crm.upsertContact({ firstName: 'Zoé', phone: '+33 6 00 00 00 01' })).id;
      const byEmail = (await crm.upsertContact({ email: 'Zoe@Example.com' })).id;
      const stranger = await contactWithPhone('+33639980999', '+33639980999');
      for (const contactId of [bySmsIdentity, byPhone, byEmail]) {
        assert.equal((await orders.findOrder('ml-10234', { owner: { id: contactId } }))?.number, 'ML-10234', contactId);
      }
      assert.equal(await orders.findOrder('ML-10234', { owner: { id: stranger } }), undefined);
      assert.equal(await orders.findOrder('ML-10234', { owner: { id: 'ct_nobody' } }), undefined);
      // Any other customer's order is refused as well, and shown to that customer.
      assert.equal(await orders.findOrder('ML-10287', { owner: { id: stranger } }), undefined);
      const ines = await contactWithPhone('+33639980245');
      assert.equal((await orders.findOrder('ML-10287', { owner: { id: ines } }))?.number, 'ML-10287');
    });

    it("lists a contact's recent orders, newest first", { skip: skipReason }, async () => {
      const { orders } = connectors();
      const zoe = await contactWithPhone('33600000001@c.us');
      const numbers = async (contactId: string, limit?: number) =>
        (await orders.recentOrders({ id: contactId }, limit)).map((order) => order.number);
      assert.deepEqual(await numbers(zoe), ['ML-10311', 'ML-10234', 'ML-10198']);
      assert.deepEqual(await numbers(zoe, 2), ['ML-10311', 'ML-10234']);
      assert.deepEqual(await numbers(await contactWithPhone('+33639980998')), []);
    });

    it('keeps 10:00, 10:45 ... on Paris clocks across the change to summer time', { skip: skipReason }, async () => {
      // Clocks go forward on Sunday 28 March 2027; the showroom is open Tuesday to Saturday.
      const slots = await connectors().bookings.freeSlots('showroom-visit', { from: '2027-03-26', to: '2027-03-30' });
      const expected = ['2027-03-26', '2027-03-27', '2027-03-30'].flatMap((date) =>
        SHOWROOM_TIMES.map((time) => `${date} ${time}`),
      );
      assert.deepEqual(
        slots.map((slot) => paris(slot.start)),
        expected,
      );
      // The same wall time is a different UTC hour on each side of the change.
      assert.equal(slots[0]?.start, '2027-03-26T09:00:00.000Z');
      assert.equal(slots.at(-1)?.start, '2027-03-30T14:45:00.000Z');
      for (const slot of slots) {
        assert.equal(Date.parse(slot.end) - Date.parse(slot.start), 45 * 60_000);
        assert.equal(slot.id, `showroom-visit@${slot.start}`);
        assert.equal(slot.service, 'showroom-visit');
      }
    });

    it('offers nothing on a closed date, in the past, or past 50 slots', { skip: skipReason }, async () => {
      const christmas = await at('2026-12-01T00:00:00Z').bookings.freeSlots('showroom-visit', {
        from: '2026-12-24',
        to: '2026-12-26',
      });
      const days = christmas.map((slot) => paris(slot.start).slice(0, 10));
      assert.equal(days.filter((day) => day === '2026-12-24').length, 10);
      assert.equal(days.filter((day) => day === '2026-12-25').length, 0, 'Christmas is closed');
      assert.equal(days.filter((day) => day === '2026-12-26').length, 10);

      // 11:00 in Paris: the 10:00 and 10:45 visits have started.
      const today = await at('2027-03-26T10:00:00Z').bookings.freeSlots('showroom-visit', {
        from: '2027-03-26',
        to: '2027-03-26',
      });
      assert.deepEqual(
        today.map((slot) => paris(slot.start).slice(11)),
        SHOWROOM_TIMES.slice(2),
      );

      const month = await connectors().bookings.freeSlots('lighting-advice', { from: '2027-04-01', to: '2027-04-30' });
      assert.equal(month.length, 50);
      assert.equal(paris(month[0]?.start ?? ''), '2027-04-01 09:00');
    });

    it('refuses an unknown service, naming the ones there are', { skip: skipReason }, async () => {
      await assert.rejects(connectors().bookings.freeSlots('massage', { from: '2027-04-01', to: '2027-04-02' }), {
        message: /unknown service "massage".*showroom-visit/,
      });
    });

    it('takes a booked slot out of the free ones', { skip: skipReason }, async () => {
      const { bookings } = connectors();
      const range = { from: '2027-04-06', to: '2027-04-06' };
      const before = await bookings.freeSlots('showroom-visit', range);
      const chosen = before[3];
      assert.ok(chosen, 'a free slot on 6 April');
      const contactId = await contactWithPhone('+33639980301');
      const { bookingId } = await bookings.book({
        service: 'showroom-visit',
        slotId: chosen.id,
        contact: { id: contactId },
      });
      const afterBooking = await bookings.freeSlots('showroom-visit', range);
      assert.deepEqual(
        afterBooking.map((slot) => slot.id),
        before.filter((slot) => slot.id !== chosen.id).map((slot) => slot.id),
      );
      const { rows } = await db.query<{ contact_id: string; starts_at: Date; status: string }>(
        'select contact_id, starts_at, status from demo_bookings where id = $1',
        [bookingId],
      );
      assert.equal(rows[0]?.contact_id, contactId);
      assert.equal(rows[0]?.status, 'booked');
      assert.equal(new Date(rows[0]?.starts_at ?? 0).toISOString(), chosen.start);
    });

    it('lets exactly one of two people booking the same slot at once have it', { skip: skipReason }, async () => {
      const { bookings } = connectors();
      const [slot] = await bookings.freeSlots('showroom-visit', { from: '2027-04-07', to: '2027-04-07' });
      assert.ok(slot, 'a free slot on 7 April');
      const people = [await contactWithPhone('+33639980302'), await contactWithPhone('+33639980303')];
      const results = await Promise.allSettled(
        people.map((contactId) =>
          bookings.book({ service: 'showroom-visit', slotId: slot.id, contact: { id: contactId } }),
        ),
      );
      assert.equal(results.filter((result) => result.status === 'fulfilled').length, 1);
      const lost = results.find((result) => result.status === 'rejected');
      assert.ok(lost?.reason instanceof SlotTakenError, String(lost?.reason));
      assert.equal(lost.reason.slotId, slot.id);
      const { rows } = await db.query<{ n: string }>(
        "select count(*) as n from demo_bookings where service = 'showroom-visit' and starts_at = $1 and status = 'booked'",
        [slot.start],
      );
      assert.equal(Number(rows[0]?.n), 1);
    });

    it('frees the slot of a cancelled booking', { skip: skipReason }, async () => {
      const { bookings } = connectors();
      const range = { from: '2027-04-08', to: '2027-04-08' };
      const [slot] = await bookings.freeSlots('showroom-visit', range);
      assert.ok(slot, 'a free slot on 8 April');
      const { bookingId } = await bookings.book({
        service: 'showroom-visit',
        slotId: slot.id,
        contact: { id: await contactWithPhone('+33639980304') },
      });
      assert.notEqual((await bookings.freeSlots('showroom-visit', range))[0]?.id, slot.id);
      await bookings.cancel(bookingId);
      await bookings.cancel(bookingId); // a retried step
      assert.equal((await bookings.freeSlots('showroom-visit', range))[0]?.id, slot.id);
      const again = await bookings.book({
        service: 'showroom-visit',
        slotId: slot.id,
        contact: { id: await contactWithPhone('+33639980305') },
      });
      assert.notEqual(again.bookingId, bookingId);
      await assert.rejects(bookings.cancel('bk_unknown'), { message: /no booking bk_unknown/ });
    });

    it('moves a booking to a free slot, and not onto a taken one', { skip: skipReason }, async () => {
      const { bookings } = connectors();
      const range = { from: '2027-04-09', to: '2027-04-09' };
      const [first, second, third] = await bookings.freeSlots('showroom-visit', range);
      assert.ok(first && second && third, 'three free slots on 9 April');
      const mine = await bookings.book({
        service: 'showroom-visit',
        slotId: first.id,
        contact: { id: await contactWithPhone('+33639980306') },
      });
      await bookings.book({
        service: 'showroom-visit',
        slotId: third.id,
        contact: { id: await contactWithPhone('+33639980307') },
      });

      await bookings.reschedule(mine.bookingId, second.id);
      const free = (await bookings.freeSlots('showroom-visit', range)).map((slot) => slot.id);
      assert.ok(free.includes(first.id), 'the old slot is free again');
      assert.ok(!free.includes(second.id), 'the new slot is taken');

      await assert.rejects(bookings.reschedule(mine.bookingId, third.id), SlotTakenError);
      const { rows } = await db.query<{ starts_at: Date }>('select starts_at from demo_bookings where id = $1', [
        mine.bookingId,
      ]);
      assert.equal(new Date(rows[0]?.starts_at ?? 0).toISOString(), second.start, 'a refused move changes nothing');

      await bookings.cancel(mine.bookingId);
      await assert.rejects(bookings.reschedule(mine.bookingId, first.id), { message: /cancelled/ });
    });

    it('refuses a slot id that is not a future slot of that service', { skip: skipReason }, async () => {
      const { bookings } = connectors();
      const contactId = await contactWithPhone('+33639980308');
      const refused = async (service: string, slotId: string, message: RegExp) => {
        const attempt = bookings.book({ service, slotId, contact: { id: contactId } });
        await assert.rejects(attempt, (error: unknown) => {
          assert.ok(error instanceof Error && !(error instanceof SlotTakenError), String(error));
          assert.match(error.message, message);
          return true;
        });
      };
      await refused('showroom-visit', 'garbage', /not a slot id/);
      await refused('showroom-visit', 'showroom-visit@2027-04-13T08:10:00.000Z', /not in the hours/);
      await refused('showroom-visit', 'showroom-visit@2027-04-12T08:00:00.000Z', /not in the hours/); // a Monday
      await refused('showroom-visit', 'showroom-visit@2027-12-25T09:00:00.000Z', /not in the hours/); // closed
      await refused('showroom-visit', 'lighting-advice@2027-04-13T07:00:00.000Z', /not one of the service/);
      await refused('showroom-visit', 'showroom-visit@2027-02-23T09:00:00.000Z', /in the past/);
      await refused('massage', 'massage@2027-04-13T08:00:00.000Z', /unknown service/);
    });

    it('finds, creates and updates CRM contacts, and records leads and notes', { skip: skipReason }, async () => {
      const { crm } = connectors();
      const identity = { channel: 'whatsapp' as const, account: 'shop', userId: '33639980401@c.us' };
      const known = await resolveContact(db, { ...identity, name: 'Léa Garnier' });
      assert.equal((await crm.findContact({ identity }))?.id, known.id);
      assert.equal((await crm.findContact({ phone: '+33 6 39 98 04 01' }))?.id, known.id, 'by the WhatsApp id');
      assert.equal(await crm.findContact({ identity: { ...identity, userId: 'nobody@c.us' } }), undefined);

      const updated = await crm.upsertContact({ id: known.id, email: 'lea.garnier@example.com' });
      assert.deepEqual(updated, {
        id: known.id,
        firstName: 'Léa',
        lastName: 'Garnier',
        email: 'lea.garnier@example.com',
        phone: undefined,
        fields: undefined,
      });
      assert.equal((await crm.findContact({ email: 'LEA.GARNIER@example.com' }))?.id, known.id);

      const created = await crm.upsertContact({
        firstName: 'Paul',
        lastName: 'de la Tour',
        phone: '+33 6 39 98 04 02',
      });
      assert.notEqual(created.id, known.id);
      assert.equal(created.lastName, 'de la Tour');
      assert.equal((await crm.findContact({ phone: '+33639980402' }))?.id, created.id);

      const lead = await crm.recordLead({
        contact: { id: known.id },
        subject: 'Quote for 12 pendant lamps',
        details: 'Café',
      });
      await crm.logConversation({
        contact: { id: known.id },
        summary: 'Asked about delivery',
        transcriptUrl: 'https://x/t/1',
      });
      const { rows } = await db.query<{ id: string; kind: string; subject: string; details: string | null }>(
        'select id, kind, subject, details from demo_crm_records where contact_id = $1 order by kind',
        [known.id],
      );
      assert.equal(rows[0]?.id, lead.id);
      assert.deepEqual(
        rows.map(({ kind, subject, details }) => ({ kind, subject, details })),
        [
          { kind: 'lead', subject: 'Quote for 12 pendant lamps', details: 'Café' },
          { kind: 'note', subject: 'Asked about delivery', details: 'https://x/t/1' },
        ],
      );
    });

    it('names the file, the line and the path of a bad value in the seed', { skip: skipReason }, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'demo-seed-'));
      try {
        const file = join(dir, 'seed.yaml');
        await writeFile(
          file,
          [
            'timeZone: Europe/Paris',
            'orders:',
            '  - { number: ML-1, status: processing, placed: -1d, customer: { email: a@example.com }, total: { amount: 1, currency: EUR } }',
            '  - number: ML-2',
            '    status: lost',
            '    placed: yesterday',
            '    customer: { phone: +33600000009 }',
            '    total: { amount: 1, currency: EUR }',
            '  - { number: ML-3, status: processing, placed: -1d, customer: { email: c@example.com } }',
          ].join('\n'),
        );
        await assert.rejects(loadDemoSeed(db, file), (error: Error) => {
          assert.ok(error.message.startsWith(`${file}: the demo seed file is not valid`), error.message);
          assert.match(error.message, new RegExp(`${file}:5:13: orders\\[1\\]\\.status: `));
          assert.match(
            error.message,
            new RegExp(`${file}:6:13: orders\\[1\\]\\.placed: expected a time before loading`),
          );
          assert.match(error.message, /orders\[1\]\.customer\.phone: .*quoted/);
          assert.match(error.message, new RegExp(`${file}:9:5: orders\\[2\\]\\.total: is required`));
          return true;
        });
        await writeFile(file, 'timeZone: Europe/Paris\norders: [\n');
        await assert.rejects(loadDemoSeed(db, file), { message: new RegExp(`^${file}:\\d+:\\d+: `) });
        assert.equal(await orderCount(), seed.orders.length, 'a bad file loads nothing');
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
}

for (const backend of DATABASE_BACKENDS) demoSuite(backend);
