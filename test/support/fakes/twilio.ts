/**
 * A fake Twilio Messages API on 127.0.0.1, behaving as Twilio documents it:
 * POST /2010-04-01/Accounts/{AccountSid}/Messages.json with HTTP basic auth
 * and a form body; 201 with the message resource (sid "SM...", status
 * "queued", or "accepted" through a Messaging Service); errors as Twilio's
 * JSON {code, message, more_info, status}: 401/20003 bad credentials,
 * 404/20404 unknown resource, 400/21604 no To, 400/21603 no From,
 * 400/21602 no body, 400/21617 body over 1600 characters, 400/21211 invalid
 * To number, 400/21610 recipient unsubscribed (texted STOP).
 * GET on the same path lists the accepted messages as Twilio's Message list
 * API does: newest first, filters To, From, DateSent, DateSent< and
 * DateSent> (a YYYY-MM-DD day in GMT, or a date and time), PageSize
 * (default 50, at most 1000) with Page and PageToken, and the paging fields
 * (page, page_size, start, end, uri, first_page_uri, next_page_uri,
 * previous_page_uri). Messages stay "queued" (or "accepted" through a
 * Messaging Service) with date_sent null, as on Twilio until the number's
 * queue hands them on: a DateSent filter leaves them out.
 * Tests can also script the next answers (a 429, a 500...).
 */
import { randomBytes } from 'node:crypto';
import { type FakeAnswer, type FakeProvider, type RecordedRequest, startFakeProvider } from '../fake-provider.js';

/** A Messages.json request, decoded. */
export interface TwilioSend {
  To?: string;
  From?: string;
  MessagingServiceSid?: string;
  Body?: string;
  MediaUrl: string[];
  StatusCallback?: string;
  /** The sid the fake answered with, when it accepted the message. */
  sid?: string;
  at: number;
  /** When the number's queue handed the message on (date_sent): not until a test calls handOn(). */
  sentAt?: number;
}

export interface FakeTwilio {
  url: string;
  /** Every Messages.json call, accepted or not, decoded. */
  attempts: TwilioSend[];
  /** The calls Twilio accepted (201), in order. */
  messages: TwilioSend[];
  /** Raw requests (method, path, headers, body). */
  requests: RecordedRequest[];
  /** The queue hands every waiting message on: status "sent", date_sent set. */
  handOn(at?: number): void;
  /** The recipient texted STOP: Twilio now refuses to send to them (21610). */
  optOut(phone: string): void;
  /** The next sends (POST) get these answers instead of the normal behaviour (after the auth check). */
  script(...answers: ScriptedSend[]): void;
  /** The next message list reads (GET) get these answers instead of the list (after the auth check). */
  scriptList(...answers: FakeAnswer[]): void;
  close(): Promise<void>;
}

/**
 * A scripted send answer: any HTTP answer, or 'accept-then-hang': Twilio takes the message (it is
 * in the list and will be delivered) but its answer never comes back, as when a connection breaks.
 */
export type ScriptedSend = FakeAnswer | 'accept-then-hang';

export function twilioError(
  status: number,
  code: number,
  message: string,
  headers?: Record<string, string>,
): FakeAnswer {
  return {
    status,
    ...(headers ? { headers } : {}),
    body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status },
  };
}

export async function startFakeTwilio(account: { accountSid: string; authToken: string }): Promise<FakeTwilio> {
  const attempts: TwilioSend[] = [];
  const messages: TwilioSend[] = [];
  const optedOut = new Set<string>();
  const scripted: ScriptedSend[] = [];
  const scriptedLists: FakeAnswer[] = [];
  const messagesPath = `/2010-04-01/Accounts/${account.accountSid}/Messages.json`;
  const expectedAuth = `Basic ${Buffer.from(`${account.accountSid}:${account.authToken}`).toString('base64')}`;

  const provider: FakeProvider = await startFakeProvider((request) => {
    const path = request.path.split('?')[0];
    const known = path?.match(/^\/2010-04-01\/Accounts\/[^/]+\/Messages\.json$/);
    if (!known || (request.method !== 'POST' && request.method !== 'GET')) {
      return twilioError(404, 20404, `The requested resource ${path} was not found`);
    }
    if (request.headers.authorization !== expectedAuth || path !== messagesPath) {
      return twilioError(401, 20003, 'Authenticate');
    }
    if (request.method === 'GET') return scriptedLists.shift() ?? listPage(account.accountSid, messages, request);
    const send = decode(request);
    attempts.push(send);
    const next = scripted.shift();
    if (next && next !== 'accept-then-hang') return next;
    const problem = validate(send, optedOut);
    if (problem) return problem;
    send.sid = `SM${randomBytes(16).toString('hex')}`;
    messages.push(send);
    return next === 'accept-then-hang' ? 'hang' : { status: 201, body: resource(account.accountSid, send) };
  });

  return {
    url: provider.url,
    attempts,
    messages,
    requests: provider.requests,
    optOut: (phone) => optedOut.add(phone),
    handOn(at = Date.now()) {
      for (const send of messages) send.sentAt ??= at;
    },
    script: (...answers) => scripted.push(...answers),
    scriptList: (...answers) => scriptedLists.push(...answers),
    close: () => provider.close(),
  };
}

function decode(request: RecordedRequest): TwilioSend {
  const form = new URLSearchParams(request.body);
  const field = (name: string) => form.get(name) ?? undefined;
  return {
    To: field('To'),
    From: field('From'),
    MessagingServiceSid: field('MessagingServiceSid'),
    Body: field('Body'),
    MediaUrl: form.getAll('MediaUrl'),
    StatusCallback: field('StatusCallback'),
    at: request.at,
  };
}

function validate(send: TwilioSend, optedOut: ReadonlySet<string>): FakeAnswer | undefined {
  if (!send.To) return twilioError(400, 21604, "A 'To' phone number is required.");
  if (!send.From && !send.MessagingServiceSid) return twilioError(400, 21603, "A 'From' phone number is required.");
  if (!send.Body && send.MediaUrl.length === 0) return twilioError(400, 21602, 'Message body is required.');
  if ((send.Body ?? '').length > 1600) {
    return twilioError(400, 21617, 'The concatenated message body exceeds the 1600 character limit.');
  }
  if (!/^\+[1-9]\d{6,14}$/.test(send.To)) {
    return twilioError(400, 21211, `The 'To' number ${send.To} is not a valid phone number.`);
  }
  if (optedOut.has(send.To)) return twilioError(400, 21610, 'Attempt to send to unsubscribed recipient');
  return undefined;
}

/** The message resource as Twilio returns it on creation and in the list. */
function resource(accountSid: string, send: TwilioSend): Record<string, unknown> {
  const created = rfc2822(send.at);
  return {
    account_sid: accountSid,
    api_version: '2010-04-01',
    body: send.Body ?? '',
    date_created: created,
    date_sent: send.sentAt === undefined ? null : rfc2822(send.sentAt),
    date_updated: created,
    direction: 'outbound-api',
    error_code: null,
    error_message: null,
    from: send.From ?? null,
    messaging_service_sid: send.MessagingServiceSid ?? null,
    num_media: String(send.MediaUrl.length),
    num_segments: String(Math.max(1, Math.ceil((send.Body ?? '').length / 153))),
    price: null,
    price_unit: 'USD',
    sid: send.sid,
    // Through a Messaging Service, Twilio first accepts the message, then picks the number.
    status: send.sentAt !== undefined ? 'sent' : send.MessagingServiceSid ? 'accepted' : 'queued',
    subresource_uris: { media: `/2010-04-01/Accounts/${accountSid}/Messages/${send.sid}/Media.json` },
    to: send.To,
    uri: `/2010-04-01/Accounts/${accountSid}/Messages/${send.sid}.json`,
  };
}

/** Twilio's dates: RFC 2822 in GMT, to the second ("Wed, 03 Sep 2014 15:24:40 +0000"). */
function rfc2822(ms: number): string {
  return new Date(ms).toUTCString().replace('GMT', '+0000');
}

const MAX_PAGE_SIZE = 1000;

/** GET Messages.json: one page of the accepted messages, newest first, filtered as Twilio filters. */
function listPage(accountSid: string, messages: readonly TwilioSend[], request: RecordedRequest): FakeAnswer {
  const query = new URLSearchParams(request.path.split('?')[1] ?? '');
  const pageSize = query.has('PageSize') ? Number(query.get('PageSize')) : 50;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    return twilioError(400, 20001, `PageSize must be between 1 and ${MAX_PAGE_SIZE}`);
  }
  // "DateSent>=2024-05-01" in a query string is the parameter "DateSent>" with the value "2024-05-01".
  const sentFilters: Array<[string, (sent: number, bound: DateBound) => boolean]> = [
    ['DateSent', (sent, bound) => sent >= bound.start && sent < bound.end],
    ['DateSent>', (sent, bound) => sent >= bound.start],
    ['DateSent<', (sent, bound) => sent < bound.end],
  ];
  const checks: Array<(send: TwilioSend) => boolean> = [];
  for (const [name, test] of sentFilters) {
    const value = query.get(name);
    if (value === null) continue;
    const bound = dateBound(value);
    if (!bound) return twilioError(400, 20001, 'Invalid date value.');
    // Queued messages have no date_sent yet: no DateSent filter matches them.
    checks.push((send) => send.sentAt !== undefined && test(send.sentAt, bound));
  }
  const to = query.get('To');
  const from = query.get('From');
  const matching = messages
    .filter((send) => (to === null || send.To === to) && (from === null || send.From === from))
    .filter((send) => checks.every((check) => check(send)))
    .reverse();

  const token = query.get('PageToken');
  const after = token ? matching.findIndex((send) => `PA${send.sid}` === token) + 1 : 0;
  if (token && after === 0) return twilioError(400, 20001, 'Invalid PageToken');
  const page = Number(query.get('Page') ?? 0);
  const items = matching.slice(after, after + pageSize);
  const uri = (extra: Record<string, string>) => {
    const params = new URLSearchParams(query);
    params.delete('Page');
    params.delete('PageToken');
    params.set('PageSize', String(pageSize));
    for (const [name, value] of Object.entries(extra)) params.set(name, value);
    return `/2010-04-01/Accounts/${accountSid}/Messages.json?${params}`;
  };
  const last = items.at(-1);
  const more = after + pageSize < matching.length;
  return {
    status: 200,
    body: {
      first_page_uri: uri({ Page: '0' }),
      end: page * pageSize + Math.max(0, items.length - 1),
      previous_page_uri: page > 0 ? uri({ Page: String(page - 1) }) : null,
      messages: items.map((send) => resource(accountSid, send)),
      uri: `/2010-04-01/Accounts/${accountSid}/Messages.json?${query}`,
      page_size: pageSize,
      start: page * pageSize,
      next_page_uri: more && last ? uri({ Page: String(page + 1), PageToken: `PA${last.sid}` }) : null,
      page,
    },
  };
}

interface DateBound {
  start: number;
  end: number;
}

/** A GMT day ("2024-05-01": the whole day) or an instant ("2024-05-01T10:00:00Z"). */
function dateBound(value: string): DateBound | undefined {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const start = Date.parse(`${value}T00:00:00Z`);
    return Number.isNaN(start) ? undefined : { start, end: start + 86_400_000 };
  }
  const at = /^\d{4}-\d{2}-\d{2}T/.test(value) ? Date.parse(value) : Number.NaN;
  return Number.isNaN(at) ? undefined : { start: at, end: at + 1 };
}
