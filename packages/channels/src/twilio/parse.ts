/**
 * Twilio's webhook parameters -> InboundEvent. Pure: the numbered-menu
 * lookup, which needs Redis, is applied afterwards (menu.ts).
 *
 * Inbound message webhook: MessageSid, AccountSid, MessagingServiceSid,
 * From, To, Body, NumMedia, MediaUrl0..9, MediaContentType0..9 (plus SmsSid,
 * NumSegments, FromCity... which tell us nothing about the message).
 * Status callback: MessageSid, MessageStatus, ErrorCode, From, To, AccountSid.
 */
import { type InboundEvent, inboundEvent, type Media } from '@passerelle/core';
import { HttpRefusal } from '../http-errors.js';
import type { TwilioForm } from './form.js';
import { E164 } from './settings.js';

/** Twilio resource ids: two letters and 32 hex digits (SM..., MM..., AC...). */
const SID = /^[A-Z]{2}[0-9a-fA-F]{32}$/;
/** Twilio attaches at most 10 media to a message. */
const MAX_MEDIA = 10;
/** Addresses of other Twilio products that share the Messaging API but are not SMS. */
const OTHER_CHANNEL = /^(whatsapp|messenger|rcs|fbm):/i;

class MalformedPayload extends HttpRefusal {
  constructor(reason: string) {
    super(400, reason);
  }
}

function single(form: TwilioForm, name: string): string | undefined {
  const value = form[name];
  if (Array.isArray(value)) throw new MalformedPayload(`${name} is given more than once`);
  return value;
}

function required(form: TwilioForm, name: string, pattern?: RegExp): string {
  const value = single(form, name);
  if (!value) throw new MalformedPayload(`${name} is missing`);
  if (pattern && !pattern.test(value)) throw new MalformedPayload(`${name} is not a valid value`);
  return value;
}

function address(form: TwilioForm, name: 'From' | 'To'): string {
  const value = required(form, name);
  if (value.length > 64) throw new MalformedPayload(`${name} is too long`);
  if (OTHER_CHANNEL.test(value)) {
    throw new MalformedPayload(`${name} is a ${value.split(':')[0]} address: the SMS webhook only takes SMS`);
  }
  return value;
}

/** An SMS user is a phone number, but Twilio also relays short codes and alphanumeric senders. */
function phoneOf(value: string): string | undefined {
  return E164.test(value) ? value : undefined;
}

function mediaOf(form: TwilioForm): Media[] {
  const raw = single(form, 'NumMedia') ?? '0';
  const count = /^\d{1,2}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(count >= 0 && count <= MAX_MEDIA)) throw new MalformedPayload(`NumMedia must be 0 to ${MAX_MEDIA}`);
  const media: Media[] = [];
  for (let index = 0; index < count; index++) {
    const url = required(form, `MediaUrl${index}`);
    if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
      throw new MalformedPayload(`MediaUrl${index} is not an http(s) URL`);
    }
    media.push({ url, mimeType: required(form, `MediaContentType${index}`, /^[\w.+-]+\/[\w.+-]+/) });
  }
  return media;
}

/** An incoming SMS or MMS. */
export function parseInboundMessage(form: TwilioForm, receivedAt: Date): InboundEvent {
  const messageSid = required(form, 'MessageSid', SID);
  required(form, 'AccountSid', SID);
  const from = address(form, 'From');
  // The number (or short code) the customer wrote to is the account: replies go out from it.
  const account = address(form, 'To');
  const text = single(form, 'Body')?.trim();
  const media = mediaOf(form);
  return inboundEvent({
    channel: 'sms',
    account,
    providerMessageId: messageSid,
    thread: from,
    sender: { id: from, ...(phoneOf(from) ? { phone: from } : {}) },
    receivedAt,
    kind: 'message',
    content: {
      ...(text ? { text } : {}),
      ...(media.length > 0 ? { media } : {}),
    },
  });
}

type ReceiptState = NonNullable<InboundEvent['content']['status']>['state'];

/**
 * Twilio's MessageStatus values and what each tells about an outbound
 * message. The others (accepted, scheduled, queued, sending, receiving,
 * received, partially_delivered) are steps before the outcome or concern
 * inbound messages: we take them and record nothing.
 */
const RECEIPT_STATES: Record<string, ReceiptState> = {
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  failed: 'failed',
  undelivered: 'failed',
  canceled: 'failed',
};

/** The delivery errors a person reading a receipt most often meets. */
const ERROR_CODES: Record<string, string> = {
  '30001': 'queue overflow',
  '30002': 'account suspended',
  '30003': 'unreachable destination handset',
  '30004': 'message blocked',
  '30005': 'unknown destination handset',
  '30006': 'landline or unreachable carrier',
  '30007': 'filtered by the carrier',
  '30008': 'unknown error',
  '30034': 'sent from an unregistered US number (A2P 10DLC)',
  '21610': 'recipient unsubscribed (STOP)',
};

export type StatusCallbackResult = { event: InboundEvent } | { ignored: string };

/** A delivery receipt for a message we sent. */
export function parseStatusCallback(form: TwilioForm, receivedAt: Date): StatusCallbackResult {
  const messageSid = required(form, 'MessageSid', SID);
  required(form, 'AccountSid', SID);
  const status = single(form, 'MessageStatus') ?? single(form, 'SmsStatus');
  if (!status) throw new MalformedPayload('MessageStatus is missing');
  if (!/^[a-z_]{2,32}$/.test(status)) throw new MalformedPayload('MessageStatus is not a valid value');
  const recipient = address(form, 'To');
  // From is the number the message went out from; a Messaging Service callback may carry only the service.
  const account = single(form, 'From') ? address(form, 'From') : single(form, 'MessagingServiceSid');
  if (!account) throw new MalformedPayload('From is missing');
  const errorCode = single(form, 'ErrorCode');
  if (errorCode !== undefined && !/^\d{0,6}$/.test(errorCode)) throw new MalformedPayload('ErrorCode is not a number');

  const state = RECEIPT_STATES[status];
  if (!state) return { ignored: `status ${status} records nothing` };
  const error =
    state === 'failed'
      ? `${status}${errorCode ? ` (Twilio error ${errorCode}${ERROR_CODES[errorCode] ? `: ${ERROR_CODES[errorCode]}` : ''})` : ''}`
      : undefined;
  // One event per status of a message, so "sent" then "delivered" are two events and a repeat is one.
  const providerMessageId = `${messageSid}/${status}`;
  return {
    event: inboundEvent({
      channel: 'sms',
      account,
      providerMessageId,
      // The same conversation as the customer's messages: (our number, their number).
      thread: recipient,
      sender: { id: recipient, ...(phoneOf(recipient) ? { phone: recipient } : {}) },
      receivedAt,
      kind: state === 'read' ? 'read' : 'delivery',
      content: { status: { outboundProviderId: messageSid, state, ...(error ? { error } : {}) } },
    }),
  };
}
