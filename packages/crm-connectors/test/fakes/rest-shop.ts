/**
 * A fake of a typical small shop + calendar + CRM JSON API, with its own
 * field names (reference, state, amount_total, starts_at, first_name ...),
 * for the generic rest connector. On 127.0.0.1, state in memory:
 *
 *   POST   /oauth/token                  client credentials (RFC 6749 §4.4): Basic or form client auth;
 *                                        {access_token, token_type, expires_in, scope}; 401 {error: invalid_client}
 *   GET    /v1/orders/{reference}        {order}; ?include=tracking adds shipment; reference matched in any case
 *   GET    /v1/customers/orders          ?email= ?phone= ?limit= -> {orders, has_more}, newest first;
 *                                        400 without a filter
 *   GET    /v1/slots                     ?service= &from= &to= -> {data: [free slots], meta: {count}}
 *   POST   /v1/bookings                  {slot_id, customer} -> 201 {booking}; 409 slot_unavailable
 *   PATCH  /v1/bookings/{id}             {slot_id} -> {booking}; 409 slot_unavailable
 *   DELETE /v1/bookings/{id}             204; 404
 *   GET    /v1/contacts                  ?email= ?phone= -> {contacts}; no filter lists everyone (as many APIs do)
 *   POST   /v1/contacts                  -> 201 {contact}; 422 email_taken
 *   PATCH  /v1/contacts/{id}             only the keys sent change -> {contact}
 *   POST   /v1/tickets                   {contact_id, type: lead|case, title, body} -> 201 {ticket}
 *   POST   /v1/contacts/{id}/notes       {body} -> 201 {note}
 *
 * Errors are {"error": {"code", "message"}}; a wrong or expired bearer token
 * is 401 with `WWW-Authenticate: Bearer error="invalid_token"` (RFC 6750);
 * rate limiting is 429 with Retry-After and X-RateLimit-* headers.
 */
import {
  type FakeAnswer,
  type FakeProvider,
  type RecordedRequest,
  startFakeProvider,
} from '../../../../test/support/fake-provider.js';

export interface ShopOrder {
  id: string;
  reference: string;
  state: 'open' | 'fulfilled' | 'closed' | 'canceled' | string;
  created_at: string;
  /** A decimal string, as many shop APIs send money. */
  amount_total: string;
  currency: string;
  customer: { email?: string; phone?: string };
  shipment?: { carrier: string; tracking_url: string };
  lines: Array<{ title: string; qty: number }>;
}

export interface ShopSlot {
  slot_id: string;
  service_code: string;
  starts_at: string;
  ends_at: string;
}

export interface ShopBooking {
  id: string;
  slot_id: string;
  service_code: string;
  status: 'confirmed' | 'cancelled';
  customer: { name?: string; email?: string; phone?: string };
}

export interface ShopContact {
  id: string;
  first_name?: string;
  last_name?: string;
  email?: string;
  phone_number?: string;
  loyalty?: { tier: string };
}

export interface ShopTicket {
  id: string;
  contact_id: string;
  type: 'lead' | 'case';
  title: string;
  body?: string;
}

export interface ShopNote {
  id: string;
  contact_id: string;
  body: string;
  link?: string;
}

export interface RestShopOptions {
  /** Accepted as `Authorization: Bearer <apiKey>`. */
  apiKey: string;
  client: { id: string; secret: string };
  /** expires_in of the tokens it issues, in seconds. */
  tokenLifetime?: number;
  orders?: ShopOrder[];
  slots?: ShopSlot[];
  contacts?: ShopContact[];
}

export interface RestShop {
  url: string;
  /** Every request, as received (path with its query, still URL-encoded). */
  requests: RecordedRequest[];
  /** The requests to the API (not the token endpoint). */
  apiCalls(): RecordedRequest[];
  tokenRequests(): RecordedRequest[];
  /** Every token issued so far stops working: the next call with one is 401. */
  expireTokens(): void;
  /** The next `count` API calls are 429 with Retry-After: `seconds`. */
  rateLimit(count: number, seconds: number): void;
  /** The next `count` API calls are 503. */
  failNext(count: number): void;
  bookings: ShopBooking[];
  contacts: ShopContact[];
  tickets: ShopTicket[];
  notes: ShopNote[];
  close(): Promise<void>;
}

const json = (status: number, body: unknown, headers?: Record<string, string>): FakeAnswer => ({
  status,
  body,
  ...(headers ? { headers } : {}),
});
const failure = (status: number, code: string, message: string, headers?: Record<string, string>) =>
  json(status, { error: { code, message } }, headers);

/** Digits with a leading +, as the shop compares phone numbers ("+33 6 00 ..." is "+336..."). */
const phoneKey = (phone: string | undefined) => phone?.replace(/[^\d+]/g, '') || undefined;
const sameEmail = (a: string | undefined, b: string | undefined) =>
  a !== undefined && b !== undefined && a.trim().toLowerCase() === b.trim().toLowerCase();

export async function startRestShop(options: RestShopOptions): Promise<RestShop> {
  const orders = structuredClone(options.orders ?? []);
  const slots = structuredClone(options.slots ?? []);
  const contacts = structuredClone(options.contacts ?? []);
  const bookings: ShopBooking[] = [];
  const tickets: ShopTicket[] = [];
  const notes: ShopNote[] = [];
  const tokens = new Map<string, { expired: boolean }>();
  let limited = { count: 0, seconds: 1 };
  let failing = 0;
  let sequence = 0;
  const nextId = (prefix: string) => `${prefix}_${(++sequence).toString().padStart(5, '0')}`;

  const taken = (slotId: string, except?: string) =>
    bookings.some((booking) => booking.slot_id === slotId && booking.status === 'confirmed' && booking.id !== except);

  function token(request: RecordedRequest): FakeAnswer {
    const form = new URLSearchParams(request.body);
    let id = form.get('client_id') ?? undefined;
    let secret = form.get('client_secret') ?? undefined;
    const basic = /^Basic (.+)$/.exec(String(request.headers.authorization ?? ''))?.[1];
    if (basic) {
      const [user, password] = Buffer.from(basic, 'base64').toString().split(':');
      id = decodeURIComponent((user ?? '').replace(/\+/g, ' '));
      secret = decodeURIComponent((password ?? '').replace(/\+/g, ' '));
    }
    if (form.get('grant_type') !== 'client_credentials') {
      return json(400, { error: 'unsupported_grant_type', error_description: 'Only client_credentials is enabled' });
    }
    if (id !== options.client.id || secret !== options.client.secret) {
      return json(
        401,
        { error: 'invalid_client', error_description: 'Client authentication failed' },
        { 'www-authenticate': 'Basic realm="oauth"' },
      );
    }
    const value = `tok_${(++sequence).toString(36)}_${Math.random().toString(36).slice(2)}`;
    tokens.set(value, { expired: false });
    return json(200, {
      access_token: value,
      token_type: 'Bearer',
      expires_in: options.tokenLifetime ?? 3600,
      scope: form.get('scope') ?? '',
    });
  }

  function authorised(request: RecordedRequest): FakeAnswer | undefined {
    const bearer = /^Bearer (.+)$/.exec(String(request.headers.authorization ?? ''))?.[1];
    const issued = bearer ? tokens.get(bearer) : undefined;
    if (bearer === options.apiKey || (issued && !issued.expired)) return undefined;
    const reason = issued ? 'The access token expired' : 'Missing or invalid access token';
    return failure(401, 'unauthorized', reason, {
      'www-authenticate': `Bearer realm="api", error="invalid_token", error_description="${reason}"`,
    });
  }

  function api(request: RecordedRequest): FakeAnswer {
    const url = new URL(request.path, 'http://fake');
    const segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const query = url.searchParams;
    const body = request.body ? (JSON.parse(request.body) as Record<string, unknown>) : {};
    const route = `${request.method} /${segments.map((segment, index) => (index >= 2 ? ':' : segment)).join('/')}`;
    const [, , id, sub] = segments;

    if (segments[0] !== 'v1') return failure(404, 'not_found', 'No such route');
    if (route === 'GET /v1/orders/:') {
      const order = orders.find((candidate) => candidate.reference.toLowerCase() === id?.toLowerCase());
      if (!order) return failure(404, 'not_found', `Order ${id} not found`);
      return json(200, { order: present(order, query.get('include') === 'tracking') });
    }
    if (request.method === 'GET' && url.pathname === '/v1/customers/orders') {
      const email = query.get('email') ?? undefined;
      const phone = phoneKey(query.get('phone') ?? undefined);
      if (!email && !phone) return failure(400, 'missing_filter', 'email or phone is required');
      const limit = Number(query.get('limit') ?? 20);
      const mine = orders
        .filter(
          (order) => sameEmail(order.customer.email, email) || (phone && phoneKey(order.customer.phone) === phone),
        )
        .sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at));
      return json(200, {
        orders: mine.slice(0, limit).map((order) => present(order, true)),
        has_more: mine.length > limit,
      });
    }
    if (route === 'GET /v1/slots') {
      const from = Date.parse(query.get('from') ?? '');
      const to = Date.parse(query.get('to') ?? '');
      if (Number.isNaN(from) || Number.isNaN(to)) return failure(400, 'invalid_range', 'from and to are ISO dates');
      const free = slots.filter(
        (slot) =>
          slot.service_code === query.get('service') &&
          Date.parse(slot.starts_at) >= from &&
          Date.parse(slot.starts_at) <= to &&
          !taken(slot.slot_id),
      );
      return json(200, { data: free, meta: { count: free.length } });
    }
    if (route === 'POST /v1/bookings') {
      const slot = slots.find((candidate) => candidate.slot_id === body.slot_id);
      if (!slot) return failure(404, 'not_found', `Slot ${String(body.slot_id)} not found`);
      if (taken(slot.slot_id)) return failure(409, 'slot_unavailable', 'This slot is no longer available');
      const booking: ShopBooking = {
        id: nextId('bkg'),
        slot_id: slot.slot_id,
        service_code: slot.service_code,
        status: 'confirmed',
        customer: (body.customer ?? {}) as ShopBooking['customer'],
      };
      bookings.push(booking);
      return json(201, { booking });
    }
    if (route === 'PATCH /v1/bookings/:' || route === 'DELETE /v1/bookings/:') {
      const booking = bookings.find((candidate) => candidate.id === id && candidate.status === 'confirmed');
      if (!booking) return failure(404, 'not_found', `Booking ${id} not found`);
      if (request.method === 'DELETE') {
        booking.status = 'cancelled';
        return { status: 204 };
      }
      const slotId = String(body.slot_id);
      if (!slots.some((slot) => slot.slot_id === slotId)) return failure(404, 'not_found', `Slot ${slotId} not found`);
      if (taken(slotId, booking.id)) return failure(409, 'slot_unavailable', 'This slot is no longer available');
      booking.slot_id = slotId;
      return json(200, { booking });
    }
    if (route === 'GET /v1/contacts') {
      const email = query.get('email') ?? undefined;
      const phone = phoneKey(query.get('phone') ?? undefined);
      const found = contacts.filter(
        (contact) =>
          (!email || sameEmail(contact.email, email)) && (!phone || phoneKey(contact.phone_number) === phone),
      );
      return json(200, { contacts: found });
    }
    if (route === 'POST /v1/contacts') {
      if (
        typeof body.email === 'string' &&
        contacts.some((contact) => sameEmail(contact.email, body.email as string))
      ) {
        return failure(422, 'email_taken', 'A contact with this email already exists');
      }
      const contact: ShopContact = { id: nextId('con'), ...pickContact(body) };
      contacts.push(contact);
      return json(201, { contact });
    }
    if (route === 'PATCH /v1/contacts/:') {
      const contact = contacts.find((candidate) => candidate.id === id);
      if (!contact) return failure(404, 'not_found', `Contact ${id} not found`);
      Object.assign(contact, pickContact(body));
      return json(200, { contact });
    }
    if (route === 'POST /v1/tickets') {
      if (!contacts.some((contact) => contact.id === body.contact_id)) {
        return failure(422, 'invalid_contact', 'contact_id does not exist');
      }
      if (body.type !== 'lead' && body.type !== 'case') return failure(422, 'invalid_type', 'type is lead or case');
      const ticket: ShopTicket = {
        id: nextId('tkt'),
        contact_id: String(body.contact_id),
        type: body.type,
        title: String(body.title ?? ''),
        ...(typeof body.body === 'string' ? { body: body.body } : {}),
      };
      tickets.push(ticket);
      return json(201, { ticket });
    }
    if (request.method === 'POST' && segments[1] === 'contacts' && sub === 'notes' && segments.length === 4) {
      if (!contacts.some((contact) => contact.id === id)) return failure(404, 'not_found', `Contact ${id} not found`);
      const note: ShopNote = {
        id: nextId('note'),
        contact_id: String(id),
        body: String(body.body ?? ''),
        ...(typeof body.link === 'string' ? { link: body.link } : {}),
      };
      notes.push(note);
      return json(201, { note });
    }
    return failure(404, 'not_found', 'No such route');
  }

  const provider: FakeProvider = await startFakeProvider((request) => {
    if (request.path.startsWith('/oauth/token')) {
      return request.method === 'POST' ? token(request) : failure(405, 'method_not_allowed', 'POST only');
    }
    if (limited.count > 0) {
      limited.count--;
      return failure(429, 'rate_limited', 'Too many requests, slow down', {
        'retry-after': String(limited.seconds),
        'x-ratelimit-limit': '60',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + limited.seconds),
      });
    }
    if (failing > 0) {
      failing--;
      return failure(503, 'unavailable', 'Service temporarily unavailable');
    }
    return authorised(request) ?? api(request);
  });

  const isToken = (request: RecordedRequest) => request.path.startsWith('/oauth/token');
  return {
    url: provider.url,
    requests: provider.requests,
    apiCalls: () => provider.requests.filter((request) => !isToken(request)),
    tokenRequests: () => provider.requests.filter(isToken),
    expireTokens() {
      for (const entry of tokens.values()) entry.expired = true;
    },
    rateLimit(count, seconds) {
      limited = { count, seconds };
    },
    failNext(count) {
      failing = count;
    },
    bookings,
    contacts,
    tickets,
    notes,
    close: () => provider.close(),
  };
}

function present(order: ShopOrder, withTracking: boolean): Omit<ShopOrder, 'shipment'> & { shipment?: unknown } {
  const { shipment, ...rest } = order;
  return withTracking && shipment ? { ...rest, shipment } : rest;
}

function pickContact(body: Record<string, unknown>): Omit<ShopContact, 'id'> {
  const picked: Omit<ShopContact, 'id'> = {};
  for (const key of ['first_name', 'last_name', 'email', 'phone_number'] as const) {
    if (typeof body[key] === 'string') picked[key] = body[key];
  }
  return picked;
}
