/**
 * A fake of Cal.com API v2 on 127.0.0.1, answering as the real one does
 * (apps/api/v2 in calcom/cal.com): the `{ status: "success", data }`
 * envelope, the `{ status: "error", timestamp, path, error: { code, message } }`
 * errors with Cal.com's own sentences, the API key check, the rate limit
 * (429 with the X-RateLimit-*-Default headers, and no Retry-After: Cal.com
 * sends none), and each route served only for its `cal-api-version`.
 *
 * It holds event types (a host's weekly hours in the host's time zone, slots
 * laid end to end from each opening time) and bookings in memory: a slot is
 * free when it is in the hours, not in the past and overlaps no accepted
 * booking of the host (any event type). A reschedule cancels the booking and
 * creates a new one, as Cal.com does. Every request is recorded, with the
 * status it got.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { addDays, isTimeZone, localToInstant, wallClock, weekday } from '@passerelle/core';

export interface FakeEventType {
  id: number;
  slug: string;
  title: string;
  lengthInMinutes: number;
  /** The host's weekly hours, 'HH:MM' on the wall clock of `timeZone`; days as Date.getDay (0 = Sunday). */
  schedule: { timeZone: string; hours: Array<{ days: number[]; from: string; to: string }> };
}

export interface FakeAttendee {
  name: string;
  email?: string;
  timeZone: string;
  language?: string;
  phoneNumber?: string;
}

export interface FakeBooking {
  id: number;
  uid: string;
  eventTypeId: number;
  status: 'accepted' | 'cancelled';
  /** UTC ISO instants. */
  start: string;
  end: string;
  attendees: FakeAttendee[];
  metadata: Record<string, string>;
  cancellationReason?: string;
  reschedulingReason?: string;
  rescheduledFromUid?: string;
  /** Cancelled by a reschedule (Cal.com's `rescheduled` column). */
  rescheduled: boolean;
  createdAt: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization: string | undefined;
  version: string | undefined;
  body: unknown;
  /** The status the fake answered. */
  status: number;
}

export interface FakeCalcom {
  url: string;
  eventTypes: FakeEventType[];
  bookings: FakeBooking[];
  requests: RecordedRequest[];
  /** The next `count` requests get a 429 whose window resets in `resetSeconds` (Cal.com's default: 60). */
  rateLimit(count: number, resetSeconds?: number): void;
  /** Slots without `end` even with format=range, as a Cal.com that does not know the range format. */
  omitSlotEnds: boolean;
  /**
   * The next booking loses a race for its time: Cal.com's database refuses the second of two
   * bookings made at once (unique key), which its Prisma filter answers with a 409.
   */
  loseNextRace(): void;
  /** Books a time directly, as someone on the Cal.com booking page would. */
  bookDirectly(eventTypeId: number, start: string): FakeBooking;
  close(): Promise<void>;
}

export interface FakeCalcomOptions {
  apiKey: string;
  eventTypes: FakeEventType[];
  /** The fake's clock: slots before it are not offered, bookings before it refused. */
  now?: () => Date;
}

/** The versions whose shapes the fake answers (and the connector must send). */
const VERSION = { slots: '2024-09-04', bookings: '2024-08-13', eventTypes: '2024-06-14' } as const;

const RATE_LIMIT = 120;

export async function startFakeCalcom(options: FakeCalcomOptions): Promise<FakeCalcom> {
  const now = options.now ?? (() => new Date());
  const eventTypes = options.eventTypes;
  const bookings: FakeBooking[] = [];
  const requests: RecordedRequest[] = [];
  let refusals = 0;
  let resetSeconds = 60;
  let raceLost = false;
  let nextId = 1000;

  const eventType = (id: number) => eventTypes.find((type) => type.id === id);

  /** Whether `start` is a free slot of the event type; `ignore` is a booking being moved (its own time is free). */
  const refusal = (type: FakeEventType, start: Date, ignore?: string): string | undefined => {
    if (start < now()) return 'Attempting to book a meeting in the past.';
    const offered = possibleStarts(type, start, new Date(start.getTime() + 1)).some(
      (s) => s.getTime() === start.getTime(),
    );
    const end = start.getTime() + type.lengthInMinutes * 60_000;
    const busy = bookings.some(
      (b) =>
        b.status === 'accepted' && b.uid !== ignore && Date.parse(b.start) < end && Date.parse(b.end) > start.getTime(),
    );
    return offered && !busy ? undefined : 'User either already has booking at this time or is not available';
  };

  const create = (type: FakeEventType, start: Date, attendees: FakeAttendee[], metadata: Record<string, string>) => {
    const booking: FakeBooking = {
      id: nextId++,
      uid: randomBytes(16).toString('base64url').slice(0, 22),
      eventTypeId: type.id,
      status: 'accepted',
      start: start.toISOString(),
      end: new Date(start.getTime() + type.lengthInMinutes * 60_000).toISOString(),
      attendees,
      metadata,
      rescheduled: false,
      createdAt: now().toISOString(),
    };
    bookings.push(booking);
    return booking;
  };

  const output = (booking: FakeBooking) => {
    const type = eventType(booking.eventTypeId);
    const attendee = booking.attendees[0];
    return {
      id: booking.id,
      uid: booking.uid,
      title: `${type?.title ?? 'Meeting'} between Maison Lumière and ${attendee?.name ?? 'Guest'}`,
      description: '',
      hosts: [{ id: 1, name: 'Maison Lumière', email: 'host@maison-lumiere.example', username: 'maison-lumiere' }],
      status: booking.status,
      ...(booking.status === 'cancelled' && booking.cancellationReason
        ? { cancellationReason: booking.cancellationReason }
        : {}),
      ...(booking.reschedulingReason ? { reschedulingReason: booking.reschedulingReason } : {}),
      ...(booking.rescheduledFromUid ? { rescheduledFromUid: booking.rescheduledFromUid } : {}),
      ...(booking.rescheduled
        ? { rescheduledToUid: bookings.find((b) => b.rescheduledFromUid === booking.uid)?.uid }
        : {}),
      start: booking.start,
      end: booking.end,
      duration: (Date.parse(booking.end) - Date.parse(booking.start)) / 60_000,
      eventTypeId: booking.eventTypeId,
      eventType: { id: booking.eventTypeId, slug: type?.slug ?? '' },
      attendees: booking.attendees.map((a) => ({ ...a, absent: false })),
      guests: [],
      location: 'Showroom, 12 rue des Lampes, Lyon',
      meetingUrl: 'Showroom, 12 rue des Lampes, Lyon',
      absentHost: false,
      bookingFieldsResponses: { name: attendee?.name, email: attendee?.email },
      metadata: booking.metadata,
      createdAt: booking.createdAt,
      updatedAt: now().toISOString(),
    };
  };

  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://fake');
    const body = request.method === 'POST' ? await readJson(request) : undefined;
    const record: RecordedRequest = {
      method: request.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      authorization: request.headers.authorization,
      version: header(request, 'cal-api-version'),
      body,
      status: 0,
    };
    requests.push(record);
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      respond(response, status, payload, {
        'X-RateLimit-Limit-Default': String(RATE_LIMIT),
        'X-RateLimit-Remaining-Default': String(RATE_LIMIT - 1),
        'X-RateLimit-Reset-Default': '60',
        ...headers,
      });
    };
    const fail = (status: number, code: string, message: string, headers?: Record<string, string>) =>
      send(
        status,
        { status: 'error', timestamp: now().toISOString(), path: request.url, error: { code, message } },
        headers,
      );
    const ok = (data: unknown, status = 200) => send(status, { status: 'success', data });

    // Cal.com's throttler runs first, keyed by the API key (CustomThrottlerGuard): it sends no Retry-After.
    if (refusals > 0) {
      refusals -= 1;
      return fail(429, 'ThrottlerException', 'Too many requests. Please try again later.', {
        'X-RateLimit-Remaining-Default': '0',
        'X-RateLimit-Reset-Default': String(resetSeconds),
      });
    }
    const authorization = request.headers.authorization;
    if (!authorization) {
      return fail(
        401,
        'UnauthorizedException',
        "No authentication method provided. Either pass an API key as 'Bearer' header or OAuth client credentials as 'x-cal-secret-key' and 'x-cal-client-id' headers",
      );
    }
    if (authorization !== `Bearer ${options.apiKey}`) {
      return fail(401, 'UnauthorizedException', 'Your api key is not valid');
    }
    // Without the right version Cal.com answers an older version's routes, in other shapes; the fake refuses.
    const needs = (version: string) => {
      if (record.version === version) return true;
      fail(
        400,
        'BadRequestException',
        `fake Cal.com: ${url.pathname} is served here for cal-api-version ${version}, not ${record.version ?? '(none)'}`,
      );
      return false;
    };

    if (request.method === 'GET' && url.pathname === '/v2/slots') {
      if (!needs(VERSION.slots)) return;
      const type = eventType(Number(url.searchParams.get('eventTypeId')));
      const start = bound(url.searchParams.get('start'), 'start');
      const end = bound(url.searchParams.get('end'), 'end');
      const timeZone = url.searchParams.get('timeZone') ?? 'UTC';
      if (!type)
        return fail(404, 'NotFoundException', `Event Type with id=${url.searchParams.get('eventTypeId')} not found`);
      if (!start || !end) return fail(400, 'BadRequestException', 'start and end must be valid ISO 8601 date strings');
      if (!isTimeZone(timeZone)) return fail(400, 'BadRequestException', 'timeZone must be a valid IANA time zone');
      const range = url.searchParams.get('format') === 'range' && !fake.omitSlotEnds;
      const days: Record<string, Array<{ start: string; end?: string }>> = {};
      for (const slot of possibleStarts(type, start, end)) {
        if (refusal(type, slot)) continue;
        const day = wallClock(slot, timeZone).date;
        const slotEnd = new Date(slot.getTime() + type.lengthInMinutes * 60_000);
        const list = days[day] ?? [];
        days[day] = list;
        list.push({ start: withOffset(slot, timeZone), ...(range ? { end: withOffset(slotEnd, timeZone) } : {}) });
      }
      return ok(days);
    }

    const eventTypeRoute = /^\/v2\/event-types\/([^/]+)$/.exec(url.pathname);
    if (request.method === 'GET' && eventTypeRoute) {
      if (!needs(VERSION.eventTypes)) return;
      const type = eventType(Number(eventTypeRoute[1]));
      if (!type) return fail(404, 'NotFoundException', `Event type with id ${eventTypeRoute[1]} not found`);
      return ok({
        id: type.id,
        title: type.title,
        slug: type.slug,
        lengthInMinutes: type.lengthInMinutes,
        description: '',
        locations: [{ type: 'address', address: 'Showroom, 12 rue des Lampes, Lyon', public: true }],
      });
    }

    if (request.method === 'POST' && url.pathname === '/v2/bookings') {
      if (!needs(VERSION.bookings)) return;
      const problem = invalidBooking(body);
      if (problem) return fail(400, 'BadRequestException', problem);
      const input = body as {
        start: string;
        eventTypeId: number;
        attendee: FakeAttendee;
        metadata?: Record<string, string>;
      };
      const type = eventType(input.eventTypeId);
      if (!type) return fail(404, 'NotFoundException', `Event type with id ${input.eventTypeId} not found.`);
      const start = new Date(input.start);
      const refused = refusal(type, start);
      if (refused) return fail(400, 'BadRequestException', refused);
      if (raceLost) {
        raceLost = false;
        return fail(409, 'CONFLICT', 'Invalid Input: Trying to create a record that already exists.');
      }
      return ok(output(create(type, start, [input.attendee], input.metadata ?? {})), 201);
    }

    const bookingRoute = /^\/v2\/bookings\/([^/]+)(?:\/(cancel|reschedule))?$/.exec(url.pathname);
    if (bookingRoute) {
      if (!needs(VERSION.bookings)) return;
      const uid = decodeURIComponent(bookingRoute[1] ?? '');
      const action = bookingRoute[2];
      const booking = bookings.find((b) => b.uid === uid);
      if (!booking) return fail(404, 'NotFoundException', `Booking with uid=${uid} not found`);
      if (request.method === 'GET' && !action) return ok(output(booking));
      const input = (body ?? {}) as Record<string, unknown>;
      if (request.method === 'POST' && action === 'cancel') {
        // handleCancelBooking: refused twice, and the host (the API key's owner) must say why.
        if (booking.status === 'cancelled') {
          return fail(400, 'BadRequestException', 'This booking has already been cancelled.');
        }
        if (typeof input.cancellationReason !== 'string' || !input.cancellationReason) {
          return fail(400, 'BadRequestException', 'Cancellation reason is required when you are the host');
        }
        booking.status = 'cancelled';
        booking.cancellationReason = input.cancellationReason;
        return ok(output(booking));
      }
      if (request.method === 'POST' && action === 'reschedule') {
        // BookingsService_2024_08_13.canRescheduleBooking, then the new booking as any other.
        if (booking.status === 'cancelled') {
          const to = bookings.find((b) => b.rescheduledFromUid === uid)?.uid;
          return fail(
            400,
            'BadRequestException',
            booking.rescheduled
              ? `Can't reschedule booking with uid=${uid} because it has been cancelled and rescheduled already to booking with uid=${to}. You probably want to reschedule ${to} instead by passing it within the request URL.`
              : `Can't reschedule booking with uid=${uid} because it has been cancelled. Please provide uid of a booking that is not cancelled.`,
          );
        }
        const start = typeof input.start === 'string' ? new Date(input.start) : new Date(Number.NaN);
        if (Number.isNaN(start.getTime())) {
          return fail(400, 'BadRequestException', 'start must be a valid ISO 8601 date string');
        }
        const type = eventType(booking.eventTypeId);
        if (!type) return fail(404, 'NotFoundException', `Event type with id ${booking.eventTypeId} not found.`);
        const refused = refusal(type, start, booking.uid);
        if (refused) return fail(400, 'BadRequestException', refused);
        booking.status = 'cancelled';
        booking.rescheduled = true;
        const moved = create(type, start, booking.attendees, booking.metadata);
        moved.rescheduledFromUid = booking.uid;
        if (typeof input.reschedulingReason === 'string') moved.reschedulingReason = input.reschedulingReason;
        return ok(output(moved), 201);
      }
    }
    fail(404, 'NotFoundException', `Cannot ${request.method} ${url.pathname}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const fake: FakeCalcom = {
    url: `http://127.0.0.1:${port}`,
    eventTypes,
    bookings,
    requests,
    omitSlotEnds: false,
    rateLimit(count, seconds = 60) {
      refusals = count;
      resetSeconds = seconds;
    },
    loseNextRace() {
      raceLost = true;
    },
    bookDirectly(eventTypeId, start) {
      const type = eventType(eventTypeId);
      if (!type) throw new Error(`no event type ${eventTypeId}`);
      const refused = refusal(type, new Date(start));
      if (refused) throw new Error(refused);
      return create(type, new Date(start), [{ name: 'Someone Else', email: 'else@example.com', timeZone: 'UTC' }], {});
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return fake;
}

/** Slot starts of the event type from `from` (inclusive) to `to` (exclusive), in order. */
function possibleStarts(type: FakeEventType, from: Date, to: Date): Date[] {
  const { timeZone, hours } = type.schedule;
  const starts: Date[] = [];
  const last = wallClock(to, timeZone).date;
  for (let date = wallClock(from, timeZone).date; date <= last; date = addDays(date, 1)) {
    for (const open of hours) {
      if (!open.days.includes(weekday(date))) continue;
      for (
        let minutes = clock(open.from);
        minutes + type.lengthInMinutes <= clock(open.to);
        minutes += type.lengthInMinutes
      ) {
        const start = localToInstant(date, minutes, timeZone);
        if (start >= from && start < to) starts.push(start);
      }
    }
  }
  return starts.sort((a, b) => a.getTime() - b.getTime());
}

/** Cal.com's `start`/`end`: an ISO instant, or a UTC date (start: 00:00:00, end: 23:59:59). */
function bound(value: string | null, which: 'start' | 'end'): Date | undefined {
  if (!value) return undefined;
  const date = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T${which === 'start' ? '00:00:00' : '23:59:59'}Z` : value;
  const parsed = new Date(date);
  return Number.isNaN(parsed.getTime()) ? undefined : parsed;
}

/** "2027-03-02T10:00:00.000+01:00": how Cal.com writes a slot in the requested time zone. */
function withOffset(instant: Date, timeZone: string): string {
  const { date, minutes } = wallClock(instant, timeZone);
  const offset = Math.round((Date.parse(`${date}T00:00:00Z`) + minutes * 60_000 - instant.getTime()) / 60_000);
  const two = (n: number) => String(Math.floor(n)).padStart(2, '0');
  const sign = offset < 0 ? '-' : '+';
  return `${date}T${two(minutes / 60)}:${two(minutes % 60)}:00.000${sign}${two(Math.abs(offset) / 60)}:${two(Math.abs(offset) % 60)}`;
}

function clock(time: string): number {
  return Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
}

const LANGUAGES = new Set(
  'ar ca de es eu he id ja lv pl ro sr th vi az cs el es-419 fi hr it km nl pt ru sv tr zh-CN bg da en et fr hu iw ko no pt-BR sk ta uk zh-TW bn'.split(
    ' ',
  ),
);

/** CreateBookingInput_2024_08_13's checks, in the fake's words. */
function invalidBooking(body: unknown): string | undefined {
  const input = (body ?? {}) as Record<string, unknown>;
  if (typeof input.start !== 'string' || Number.isNaN(Date.parse(input.start))) {
    return 'start must be a valid ISO 8601 date string';
  }
  if (!Number.isInteger(input.eventTypeId)) return 'eventTypeId must be an integer number';
  const attendee = input.attendee as Record<string, unknown> | undefined;
  if (!attendee || typeof attendee !== 'object') return 'attendee must be an object';
  if (typeof attendee.name !== 'string') return 'attendee.name must be a string';
  if (typeof attendee.timeZone !== 'string' || !isTimeZone(attendee.timeZone)) {
    return 'attendee.timeZone must be a valid IANA time zone';
  }
  if (attendee.email !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(String(attendee.email))) {
    return 'Invalid email format';
  }
  if (attendee.phoneNumber !== undefined && !/^\+[1-9]\d{6,14}$/.test(String(attendee.phoneNumber))) {
    return 'Invalid phone number format. Please use international format.';
  }
  if (!attendee.email && !attendee.phoneNumber) {
    return 'At least one contact method (email or phone number) must be provided';
  }
  if (attendee.language !== undefined && !LANGUAGES.has(String(attendee.language))) {
    return 'attendee.language must be one of the following values: en, fr, ...';
  }
  const metadata = input.metadata as Record<string, unknown> | undefined;
  if (
    metadata !== undefined &&
    (typeof metadata !== 'object' ||
      Object.keys(metadata).length > 50 ||
      Object.entries(metadata).some(
        ([key, value]) => key.length > 40 || (typeof value === 'string' && value.length > 500),
      ))
  ) {
    return 'Metadata must have at most 50 keys, each key up to 40 characters, and string values up to 500 characters.';
  }
  return undefined;
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function respond(response: ServerResponse, status: number, payload: unknown, headers: Record<string, string>): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  response.end(JSON.stringify(payload));
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const chunk of request) text += chunk;
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return text;
  }
}
