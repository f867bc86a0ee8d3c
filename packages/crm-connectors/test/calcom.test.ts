/** The calcom connector against a fake Cal.com API v2 (test/fakes/calcom.ts). */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Db } from '@passerelle/core';
import {
  type BookingConnector,
  ConnectorConfigError,
  type ConnectorContext,
  ConnectorHttpError,
  type ContactRef,
  openConnectors,
  registerConnector,
  SlotTakenError,
} from '@passerelle/crm-connectors';
import { bookingsContract } from '@passerelle/crm-connectors/contract';
import { calLanguage, placeholderEmail } from '../src/calcom/attendee.js';
import { CANCELLATION_REASON, RESCHEDULING_REASON } from '../src/calcom/bookings.js';
import { calcomConnector } from '../src/calcom/definition.js';
import { type FakeCalcom, type FakeEventType, startFakeCalcom } from './fakes/calcom.js';

// Every assert.ok here has a message: without one, node builds it by re-reading the source at the
// failing column, which on tsx's one-line output can spin for minutes instead of failing.

registerConnector(calcomConnector);

const API_KEY = 'cal_live_0123456789abcdef';
/** A Monday: the showroom (Tuesday to Saturday, 10:00 to 18:00 in Paris) has slots all week. */
const NOW = new Date('2027-03-01T08:00:00Z');
const NO_DB = {} as Db;
const TUESDAY = { from: '2027-03-02T00:00:00Z', to: '2027-03-03T00:00:00Z' };

const hours = { timeZone: 'Europe/Paris', hours: [{ days: [2, 3, 4, 5, 6], from: '10:00', to: '18:00' }] };
const SHOWROOM: FakeEventType = {
  id: 4242,
  slug: 'showroom-visit',
  title: 'Visite du showroom',
  lengthInMinutes: 45,
  schedule: hours,
};
const ADVICE: FakeEventType = {
  id: 4343,
  slug: 'lighting-advice',
  title: 'Conseil éclairage',
  lengthInMinutes: 30,
  schedule: hours,
};
const SERVICES = { 'showroom-visit': SHOWROOM.id, 'lighting-advice': ADVICE.id };

const ZOE: ContactRef = {
  id: 'ct_zoe',
  name: 'Zoé Martin',
  email: 'zoe.martin@example.com',
  phone: '+33612345678',
  locale: 'fr-FR',
};

function fakeCalcom(): Promise<FakeCalcom> {
  return startFakeCalcom({ apiKey: API_KEY, eventTypes: [SHOWROOM, ADVICE], now: () => NOW });
}

function context(env: Record<string, string | undefined>): ConnectorContext {
  return { db: NO_DB, botDir: '.', env, now: () => NOW };
}

/** The connector as create() makes it, without the registry's retries and cache: every call reaches the fake. */
async function direct(fake: FakeCalcom, settings: Record<string, unknown> = {}): Promise<BookingConnector> {
  const parsed = calcomConnector.settings.parse({
    api_key: { env: 'CALCOM_API_KEY' },
    base_url: fake.url,
    services: SERVICES,
    ...settings,
  });
  const { bookings } = await calcomConnector.create(parsed, context({ CALCOM_API_KEY: API_KEY }));
  assert.ok(bookings, 'the calcom connector gave no bookings connector');
  return bookings;
}

/** Through bot.yaml's path: openConnectors with its retries, breaker and cache. */
async function opened(
  fake: FakeCalcom,
  env: Record<string, string | undefined> = { CALCOM_API_KEY: API_KEY },
  settings: Record<string, unknown> = {},
): Promise<BookingConnector> {
  const { bookings } = await openConnectors(
    {
      bookings: {
        type: 'calcom',
        api_key: { env: 'CALCOM_API_KEY' },
        base_url: fake.url,
        services: SERVICES,
        retries: 2,
        ...settings,
      },
    },
    { db: NO_DB, botDir: '.', env, now: () => NOW },
  );
  assert.ok(bookings, 'openConnectors gave no bookings connector');
  return bookings;
}

const requestsTo = (fake: FakeCalcom, method: string, path: string) =>
  fake.requests.filter((request) => request.method === method && request.path === path);

bookingsContract('calcom', async () => {
  const fake = await fakeCalcom();
  return {
    bookings: await opened(fake),
    service: 'showroom-visit',
    range: TUESDAY,
    contact: ZOE,
    close: fake.close,
  };
});

describe('calcom connector', () => {
  let fake: FakeCalcom;
  beforeEach(async () => {
    fake = await fakeCalcom();
  });
  afterEach(() => fake.close());

  describe('free slots', () => {
    it("asks GET /v2/slots for the event type, in the calendar's time zone, with the slot ends", async () => {
      const bookings = await direct(fake);
      const slots = await bookings.freeSlots('showroom-visit', TUESDAY);
      const [request, ...others] = fake.requests;
      assert.equal(others.length, 0, 'one request only: the slots came with their ends');
      assert.equal(request?.method, 'GET');
      assert.equal(request?.path, '/v2/slots');
      assert.equal(request?.version, '2024-09-04');
      assert.equal(request?.authorization, `Bearer ${API_KEY}`);
      assert.deepEqual(request?.query, {
        eventTypeId: '4242',
        start: '2027-03-02T00:00:00.000Z',
        end: '2027-03-03T00:00:00.000Z',
        timeZone: 'Europe/Paris',
        format: 'range',
      });
      // 10:00 to 18:00 in Paris (UTC+1 in March) in 45 minutes: 10:00 ... 16:45, the last ending at 17:30.
      assert.equal(slots.length, 10);
      assert.deepEqual(slots[0], {
        id: '4242@2027-03-02T09:00:00.000Z',
        start: '2027-03-02T09:00:00.000Z',
        end: '2027-03-02T09:45:00.000Z',
        service: 'showroom-visit',
      });
      assert.equal(slots.at(-1)?.start, '2027-03-02T15:45:00.000Z');
    });

    it('reads a plain date as that whole day in the time zone setting', async () => {
      const bookings = await direct(fake, { time_zone: 'America/New_York' });
      await bookings.freeSlots('showroom-visit', { from: '2027-03-02', to: '2027-03-02' });
      assert.deepEqual(fake.requests[0]?.query, {
        eventTypeId: '4242',
        start: '2027-03-02T05:00:00.000Z',
        end: '2027-03-03T05:00:00.000Z',
        timeZone: 'America/New_York',
        format: 'range',
      });
    });

    it('does not offer a booked time, nor the ones of another service of the same host', async () => {
      fake.bookDirectly(SHOWROOM.id, '2027-03-02T09:45:00.000Z');
      fake.bookDirectly(ADVICE.id, '2027-03-02T13:00:00.000Z');
      const starts = (await (await direct(fake)).freeSlots('showroom-visit', TUESDAY)).map((slot) => slot.start);
      assert.ok(!starts.includes('2027-03-02T09:45:00.000Z'), 'the booked 10:45 is offered');
      // The 13:45 visit (12:45-13:30 UTC) overlaps the advice booked at 14:00 (13:00-13:30 UTC); 14:30 does not.
      assert.ok(!starts.includes('2027-03-02T12:45:00.000Z'), 'the 13:45 visit overlapping the advice is offered');
      assert.ok(starts.includes('2027-03-02T13:30:00.000Z'), 'the 14:30 visit after the advice is not offered');
      assert.equal(starts.length, 8);
    });

    it("ends a slot by the event type's length when Cal.com gives no end, asking for it once", async () => {
      fake.omitSlotEnds = true;
      const bookings = await direct(fake);
      const slots = await bookings.freeSlots('showroom-visit', TUESDAY);
      await bookings.freeSlots('showroom-visit', { from: '2027-03-03T00:00:00Z', to: '2027-03-04T00:00:00Z' });
      assert.equal(slots[0]?.end, '2027-03-02T09:45:00.000Z');
      const eventTypeRequests = requestsTo(fake, 'GET', '/v2/event-types/4242');
      assert.equal(eventTypeRequests.length, 1, 'the length is asked once');
      assert.equal(eventTypeRequests[0]?.version, '2024-06-14');
      assert.equal(requestsTo(fake, 'GET', '/v2/slots').length, 2);
    });

    it('names the service and the configured ones when a flow asks for an unknown one', async () => {
      const bookings = await direct(fake);
      await assert.rejects(bookings.freeSlots('repair', TUESDAY), (error: Error) => {
        assert.match(error.message, /unknown service "repair"/);
        assert.match(error.message, /showroom-visit, lighting-advice/);
        return true;
      });
      await assert.rejects(
        bookings.book({ service: 'repair', slotId: '4242@2027-03-02T09:00:00.000Z', contact: ZOE }),
        /unknown service "repair"/,
      );
      assert.equal(fake.requests.length, 0, 'nothing was asked of Cal.com');
    });
  });

  describe('book', () => {
    it('posts the start, the event type and the attendee to /v2/bookings and returns the booking uid', async () => {
      const bookings = await direct(fake);
      const { bookingId } = await bookings.book({
        service: 'showroom-visit',
        slotId: '4242@2027-03-02T09:00:00.000Z',
        contact: ZOE,
      });
      const request = fake.requests.at(-1);
      assert.equal(request?.method, 'POST');
      assert.equal(request?.path, '/v2/bookings');
      assert.equal(request?.version, '2024-08-13');
      assert.equal(request?.authorization, `Bearer ${API_KEY}`);
      assert.deepEqual(request?.body, {
        start: '2027-03-02T09:00:00.000Z',
        eventTypeId: 4242,
        attendee: {
          name: 'Zoé Martin',
          email: 'zoe.martin@example.com',
          timeZone: 'Europe/Paris',
          language: 'fr',
          phoneNumber: '+33612345678',
        },
        metadata: { contactId: 'ct_zoe' },
      });
      assert.equal(fake.bookings.length, 1);
      assert.equal(bookingId, fake.bookings[0]?.uid);
      assert.equal(fake.bookings[0]?.start, '2027-03-02T09:00:00.000Z');
    });

    it('books a contact without an email under the placeholder address of default_attendee_email', async () => {
      const bookings = await direct(fake, { default_attendee_email: 'rdv@maison-lumiere.example' });
      await bookings.book({
        service: 'lighting-advice',
        slotId: '4343@2027-03-02T09:00:00.000Z',
        contact: { id: 'ct_42', locale: 'en-GB' },
      });
      assert.deepEqual((fake.requests.at(-1)?.body as { attendee?: unknown } | undefined)?.attendee, {
        name: 'Contact ct_42',
        email: 'rdv+contact-ct_42@maison-lumiere.example',
        timeZone: 'Europe/Paris',
        language: 'en',
      });
    });

    it('says what to configure when a contact has neither email nor phone', async () => {
      const bookings = await direct(fake);
      await assert.rejects(
        bookings.book({ service: 'showroom-visit', slotId: '4242@2027-03-02T09:00:00.000Z', contact: { id: 'ct_9' } }),
        /default_attendee_email/,
      );
      assert.equal(fake.requests.length, 0, 'nothing was asked of Cal.com');
    });

    it('throws SlotTakenError when someone else booked the time meanwhile (Cal.com: 400)', async () => {
      const bookings = await direct(fake);
      const [slot] = await bookings.freeSlots('showroom-visit', TUESDAY);
      assert.ok(slot, 'no slot');
      fake.bookDirectly(SHOWROOM.id, slot.start);
      await assert.rejects(bookings.book({ service: 'showroom-visit', slotId: slot.id, contact: ZOE }), (error) => {
        assert.ok(error instanceof SlotTakenError, `not a SlotTakenError: ${String(error)}`);
        assert.equal(error.slotId, slot.id);
        return true;
      });
      const refused = fake.requests.at(-1);
      assert.equal(refused?.status, 400, 'Cal.com refused it with a 400');
      assert.equal(fake.bookings.length, 1, 'only the other booking exists');
    });

    it('throws SlotTakenError when another booking of the same time won the race (Cal.com: 409)', async () => {
      const bookings = await direct(fake);
      fake.loseNextRace();
      await assert.rejects(
        bookings.book({ service: 'showroom-visit', slotId: '4242@2027-03-02T09:00:00.000Z', contact: ZOE }),
        (error) => error instanceof SlotTakenError && error.slotId === '4242@2027-03-02T09:00:00.000Z',
      );
      assert.equal(fake.requests.at(-1)?.status, 409, 'Cal.com answered a 409');
    });

    it('refuses a slot of another service, before asking Cal.com', async () => {
      const bookings = await direct(fake);
      await assert.rejects(
        bookings.book({ service: 'lighting-advice', slotId: '4242@2027-03-02T09:00:00.000Z', contact: ZOE }),
        /not one of the service "lighting-advice"/,
      );
      await assert.rejects(
        bookings.book({ service: 'lighting-advice', slotId: 'tomorrow at ten', contact: ZOE }),
        /not a Cal.com slot id/,
      );
      assert.equal(fake.requests.length, 0, 'nothing was asked of Cal.com');
    });
  });

  describe('cancel and reschedule', () => {
    let bookings: BookingConnector;
    let uid: string;
    beforeEach(async () => {
      bookings = await direct(fake);
      ({ bookingId: uid } = await bookings.book({
        service: 'showroom-visit',
        slotId: '4242@2027-03-02T09:00:00.000Z',
        contact: ZOE,
      }));
      fake.requests.length = 0;
    });

    it('cancels with POST /v2/bookings/{uid}/cancel and a reason (Cal.com requires one of the host)', async () => {
      await bookings.cancel(uid);
      assert.deepEqual(
        fake.requests.map((r) => [r.method, r.path, r.version, r.body]),
        [['POST', `/v2/bookings/${uid}/cancel`, '2024-08-13', { cancellationReason: CANCELLATION_REASON }]],
      );
      assert.equal(fake.bookings[0]?.status, 'cancelled');
    });

    it('cancels twice without an error (Cal.com refuses the second: the booking is read and found cancelled)', async () => {
      await bookings.cancel(uid);
      await bookings.cancel(uid);
      assert.deepEqual(
        fake.requests.map((r) => [r.method, r.path, r.status]),
        [
          ['POST', `/v2/bookings/${uid}/cancel`, 200],
          ['POST', `/v2/bookings/${uid}/cancel`, 400],
          ['GET', `/v2/bookings/${uid}`, 200],
        ],
      );
    });

    it('reschedules with POST /v2/bookings/{uid}/reschedule: the old time is free again, the new one taken', async () => {
      await bookings.reschedule(uid, '4242@2027-03-02T12:00:00.000Z');
      assert.deepEqual(
        fake.requests.map((r) => [r.method, r.path, r.version, r.body]),
        [
          [
            'POST',
            `/v2/bookings/${uid}/reschedule`,
            '2024-08-13',
            { start: '2027-03-02T12:00:00.000Z', reschedulingReason: RESCHEDULING_REASON },
          ],
        ],
      );
      const [old, moved] = fake.bookings;
      assert.equal(old?.status, 'cancelled');
      assert.equal(moved?.status, 'accepted');
      assert.equal(moved?.start, '2027-03-02T12:00:00.000Z');
      assert.equal(moved?.rescheduledFromUid, uid);
      const starts = (await bookings.freeSlots('showroom-visit', TUESDAY)).map((slot) => slot.start);
      assert.ok(starts.includes('2027-03-02T09:00:00.000Z'), 'the old time is not free');
      assert.ok(!starts.includes('2027-03-02T12:00:00.000Z'), 'the new time is offered');
    });

    it('follows a rescheduled booking to the one Cal.com made of it, for cancel and for another reschedule', async () => {
      await bookings.reschedule(uid, '4242@2027-03-02T12:00:00.000Z');
      // The flow still holds the first uid: Cal.com refuses it, names the new booking, the call goes there.
      await bookings.reschedule(uid, '4242@2027-03-02T13:30:00.000Z');
      const third = fake.bookings[2];
      assert.equal(third?.start, '2027-03-02T13:30:00.000Z');
      assert.equal(third?.status, 'accepted');
      await bookings.cancel(uid);
      assert.equal(fake.bookings[2]?.status, 'cancelled', 'the latest booking is not cancelled');
      assert.deepEqual(
        fake.bookings.map((b) => b.status),
        ['cancelled', 'cancelled', 'cancelled'],
      );
      const reads = requestsTo(fake, 'GET', `/v2/bookings/${uid}`);
      assert.ok(reads.length >= 2, `the first booking was read ${reads.length} times`);
    });

    it('throws SlotTakenError when the new time was taken meanwhile, and keeps the booking', async () => {
      fake.bookDirectly(SHOWROOM.id, '2027-03-02T12:00:00.000Z');
      await assert.rejects(
        bookings.reschedule(uid, '4242@2027-03-02T12:00:00.000Z'),
        (error) => error instanceof SlotTakenError && error.slotId === '4242@2027-03-02T12:00:00.000Z',
      );
      assert.equal(fake.bookings[0]?.status, 'accepted', 'the booking was lost');
    });

    it('says so when rescheduling a booking cancelled for good', async () => {
      await bookings.cancel(uid);
      await assert.rejects(bookings.reschedule(uid, '4242@2027-03-02T12:00:00.000Z'), (error) => {
        assert.ok(error instanceof ConnectorHttpError, `not a ConnectorHttpError: ${String(error)}`);
        assert.equal(error.status, 400);
        assert.match(error.message, /has been cancelled/);
        return true;
      });
    });
  });

  describe('through openConnectors', () => {
    it('retries free slots after a 429 of the rate limit, once its window resets, and gets them', async () => {
      const bookings = await opened(fake);
      // Cal.com sends no Retry-After but X-RateLimit-Reset-Default (seconds); a short one is waited for.
      fake.rateLimit(1, 1);
      const slots = await bookings.freeSlots('showroom-visit', TUESDAY);
      assert.equal(slots.length, 10);
      assert.deepEqual(
        requestsTo(fake, 'GET', '/v2/slots').map((r) => r.status),
        [429, 200],
      );
    });

    it('does not wait for a rate-limit window longer than a customer would (60 s)', async () => {
      const bookings = await opened(fake);
      fake.rateLimit(1, 60);
      await assert.rejects(bookings.freeSlots('showroom-visit', TUESDAY), (error) => {
        assert.ok(error instanceof ConnectorHttpError, `not a ConnectorHttpError: ${String(error)}`);
        assert.equal(error.retryAfterMs, 60_000);
        return true;
      });
      assert.deepEqual(
        requestsTo(fake, 'GET', '/v2/slots').map((r) => r.status),
        [429],
      );
    });

    it('does not send a booking again after a 429 (a write), and says it may pass later', async () => {
      const bookings = await opened(fake);
      fake.rateLimit(1);
      await assert.rejects(
        bookings.book({ service: 'showroom-visit', slotId: '4242@2027-03-02T09:00:00.000Z', contact: ZOE }),
        (error) => {
          assert.ok(error instanceof ConnectorHttpError, `not a ConnectorHttpError: ${String(error)}`);
          assert.equal(error.status, 429);
          assert.equal(error.retryable, true);
          return true;
        },
      );
      assert.equal(requestsTo(fake, 'POST', '/v2/bookings').length, 1);
      assert.equal(fake.bookings.length, 0);
    });

    it('does not retry a 401, and names the variable, never the key', async () => {
      const bookings = await opened(fake, { CALCOM_API_KEY: 'cal_live_wrong' });
      await assert.rejects(bookings.freeSlots('showroom-visit', TUESDAY), (error) => {
        assert.ok(error instanceof ConnectorHttpError, `not a ConnectorHttpError: ${String(error)}`);
        assert.equal(error.status, 401);
        assert.equal(error.retryable, false);
        assert.match(error.message, /CALCOM_API_KEY/);
        assert.ok(!error.message.includes('cal_live_wrong'), 'the message repeats the key');
        return true;
      });
      assert.equal(fake.requests.length, 1, 'the 401 was retried');
      assert.equal(fake.requests[0]?.status, 401);
    });

    it('refuses an API key written in bot.yaml, and a missing variable', async () => {
      await assert.rejects(opened(fake, {}, { api_key: 'cal_live_inline' }), (error) => {
        assert.ok(error instanceof ConnectorConfigError, `not a ConnectorConfigError: ${String(error)}`);
        assert.equal(error.path, 'connectors.bookings.api_key');
        assert.ok(!error.message.includes('cal_live_inline'), 'the message repeats the key');
        return true;
      });
      await assert.rejects(opened(fake, {}), (error) => {
        assert.ok(error instanceof ConnectorConfigError, `not a ConnectorConfigError: ${String(error)}`);
        assert.match(error.message, /CALCOM_API_KEY is not set/);
        return true;
      });
    });

    it('checks the services and the time zone', async () => {
      await assert.rejects(opened(fake, undefined, { services: { 'showroom-visit': 'visite' } }), (error) => {
        assert.ok(error instanceof ConnectorConfigError, `not a ConnectorConfigError: ${String(error)}`);
        assert.equal(error.path, 'connectors.bookings.services.showroom-visit');
        assert.match(error.message, /event type id/);
        return true;
      });
      await assert.rejects(opened(fake, undefined, { services: {} }), /at least one service/);
      await assert.rejects(opened(fake, undefined, { time_zone: 'Paris' }), (error) => {
        assert.ok(error instanceof ConnectorConfigError, `not a ConnectorConfigError: ${String(error)}`);
        assert.equal(error.path, 'connectors.bookings.time_zone');
        return true;
      });
    });
  });
});

describe('calcom attendee details', () => {
  it("maps a contact's locale to Cal.com's languages", () => {
    assert.equal(calLanguage('fr-FR'), 'fr');
    assert.equal(calLanguage('en'), 'en');
    assert.equal(calLanguage('pt_br'), 'pt-BR');
    assert.equal(calLanguage('es-419'), 'es-419');
    assert.equal(calLanguage('gsw-CH'), undefined);
    assert.equal(calLanguage(undefined), undefined);
  });

  it('derives a placeholder address per contact from default_attendee_email', () => {
    assert.equal(placeholderEmail('ct_1', 'rdv@shop.example'), 'rdv+contact-ct_1@shop.example');
    assert.equal(placeholderEmail('a/b c', 'rdv+bot@shop.example'), 'rdv+contact-a-b-c@shop.example');
    assert.equal(placeholderEmail('x'.repeat(80), 'rdv@shop.example')?.split('@')[0]?.length, 64);
    assert.equal(placeholderEmail('ct_1', undefined), undefined);
  });
});
