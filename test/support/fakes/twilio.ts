/**
 * A fake Twilio Messages API on 127.0.0.1, behaving as Twilio documents it:
 * POST /2010-04-01/Accounts/{AccountSid}/Messages.json with HTTP basic auth
 * and a form body; 201 with the message resource (sid "SM...", status
 * "queued", or "accepted" through a Messaging Service); errors as Twilio's
 * JSON {code, message, more_info, status}: 401/20003 bad credentials,
 * 404/20404 unknown resource, 400/21604 no To, 400/21603 no From,
 * 400/21602 no body, 400/21617 body over 1600 characters, 400/21211 invalid
 * To number, 400/21610 recipient unsubscribed (texted STOP).
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
}

export interface FakeTwilio {
  url: string;
  /** Every Messages.json call, accepted or not, decoded. */
  attempts: TwilioSend[];
  /** The calls Twilio accepted (201), in order. */
  messages: TwilioSend[];
  /** Raw requests (method, path, headers, body). */
  requests: RecordedRequest[];
  /** The recipient texted STOP: Twilio now refuses to send to them (21610). */
  optOut(phone: string): void;
  /** The next calls get these answers instead of the normal behaviour (after the auth check). */
  script(...answers: FakeAnswer[]): void;
  close(): Promise<void>;
}

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
  const scripted: FakeAnswer[] = [];
  const messagesPath = `/2010-04-01/Accounts/${account.accountSid}/Messages.json`;
  const expectedAuth = `Basic ${Buffer.from(`${account.accountSid}:${account.authToken}`).toString('base64')}`;

  const provider: FakeProvider = await startFakeProvider((request) => {
    const path = request.path.split('?')[0];
    if (request.method !== 'POST' || !path?.match(/^\/2010-04-01\/Accounts\/[^/]+\/Messages\.json$/)) {
      return twilioError(404, 20404, `The requested resource ${path} was not found`);
    }
    if (request.headers.authorization !== expectedAuth || path !== messagesPath) {
      return twilioError(401, 20003, 'Authenticate');
    }
    const send = decode(request);
    attempts.push(send);
    const next = scripted.shift();
    if (next) return next;
    const problem = validate(send, optedOut);
    if (problem) return problem;
    send.sid = `SM${randomBytes(16).toString('hex')}`;
    messages.push(send);
    return { status: 201, body: resource(account.accountSid, send) };
  });

  return {
    url: provider.url,
    attempts,
    messages,
    requests: provider.requests,
    optOut: (phone) => optedOut.add(phone),
    script: (...answers) => scripted.push(...answers),
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

/** The message resource as Twilio returns it on creation. */
function resource(accountSid: string, send: TwilioSend): Record<string, unknown> {
  const now = new Date().toUTCString().replace('GMT', '+0000');
  return {
    account_sid: accountSid,
    api_version: '2010-04-01',
    body: send.Body ?? '',
    date_created: now,
    date_sent: null,
    date_updated: now,
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
    status: send.MessagingServiceSid ? 'accepted' : 'queued',
    subresource_uris: { media: `/2010-04-01/Accounts/${accountSid}/Messages/${send.sid}/Media.json` },
    to: send.To,
    uri: `/2010-04-01/Accounts/${accountSid}/Messages/${send.sid}.json`,
  };
}
