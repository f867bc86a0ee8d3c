/**
 * Twilio SMS cases: webhook requests shaped as Twilio sends them (every
 * parameter of its inbound message webhook and status callback, a real
 * X-Twilio-Signature computed with the test auth token for the test public
 * URL) and what each must become; outbound messages and the exact Messages
 * API calls they must make.
 *
 * The test credentials are exported so that a test (or a gateway started by
 * one) checks signatures with the same token and URL these were signed with.
 */
import {
  conversationIdFor,
  EVENT_FORMAT_VERSION,
  inboundEventId,
  type OutboundMessage,
  type OutboundPart,
} from '@passerelle/core';
import type { ChannelCases, WebhookRequest } from '../cases.js';
import type { TwilioForm } from './form.js';
import type { TwilioSendRequest } from './render.js';
import { INBOUND_PATH, STATUS_PATH } from './settings.js';
import { twilioSignature } from './verify.js';

/** A test account: fixed so that the signatures below are reproducible. Numbers are in France's fiction range. */
export const TWILIO_TEST = {
  accountSid: 'ACc0ffee00c0ffee00c0ffee00c0ffee00',
  authToken: 'f00dbabef00dbabef00dbabef00dbabe',
  /** The brand's number (TWILIO_FROM). */
  from: '+33639980000',
  publicUrl: 'https://sms.passerelle.test',
  customer: '+33639981234',
  /** A US customer: MMS goes to +1 numbers only. */
  usCustomer: '+12025550143',
  messagingServiceSid: 'MGbeefbeefbeefbeefbeefbeefbeefbeef',
} as const;

/** The variables that turn the channel on with the test account; apiUrl is the fake Twilio's. */
export function twilioTestEnv(apiUrl = 'https://api.twilio.com'): Record<string, string> {
  return {
    TWILIO_ACCOUNT_SID: TWILIO_TEST.accountSid,
    TWILIO_AUTH_TOKEN: TWILIO_TEST.authToken,
    TWILIO_FROM: TWILIO_TEST.from,
    TWILIO_API_URL: apiUrl,
    PUBLIC_URL: TWILIO_TEST.publicUrl,
  };
}

/** A Twilio-style SID: two letters and 32 hex digits, derived from a number so cases stay readable. */
export function twilioSid(prefix: 'SM' | 'MM', n: number): string {
  return `${prefix}${n.toString(16).padStart(32, '0')}`;
}

export interface InboundSms {
  sid: string;
  body: string;
  from?: string;
  to?: string;
  accountSid?: string;
  messagingServiceSid?: string;
  media?: Array<{ url: string; contentType: string }>;
}

/** Every parameter of Twilio's inbound message webhook, in the order Twilio sends them. */
export function inboundSmsForm(sms: InboundSms): Record<string, string> {
  const media = sms.media ?? [];
  const form: Record<string, string> = {
    ToCountry: 'FR',
    ToState: '',
    SmsMessageSid: sms.sid,
    NumMedia: String(media.length),
    ToCity: '',
    FromZip: '',
    SmsSid: sms.sid,
    FromState: '',
    SmsStatus: 'received',
    FromCity: '',
    Body: sms.body,
    FromCountry: (sms.from ?? TWILIO_TEST.customer).startsWith('+1') ? 'US' : 'FR',
    To: sms.to ?? TWILIO_TEST.from,
    ...(sms.messagingServiceSid ? { MessagingServiceSid: sms.messagingServiceSid } : {}),
    ToZip: '',
    NumSegments: String(Math.max(1, Math.ceil(sms.body.length / 153))),
    ReferralNumMedia: '0',
    MessageSid: sms.sid,
    AccountSid: sms.accountSid ?? TWILIO_TEST.accountSid,
    From: sms.from ?? TWILIO_TEST.customer,
    ApiVersion: '2010-04-01',
  };
  for (const [index, item] of media.entries()) {
    form[`MediaContentType${index}`] = item.contentType;
    form[`MediaUrl${index}`] = item.url;
  }
  return form;
}

export interface StatusCallback {
  sid: string;
  status: string;
  to?: string;
  from?: string;
  errorCode?: string;
}

/** The parameters of Twilio's message status callback. */
export function statusCallbackForm(callback: StatusCallback): Record<string, string> {
  return {
    ...(callback.errorCode ? { ErrorCode: callback.errorCode } : {}),
    SmsSid: callback.sid,
    SmsStatus: callback.status,
    MessageStatus: callback.status,
    To: callback.to ?? TWILIO_TEST.customer,
    MessageSid: callback.sid,
    AccountSid: TWILIO_TEST.accountSid,
    From: callback.from ?? TWILIO_TEST.from,
    ApiVersion: '2010-04-01',
  };
}

export interface SignOptions {
  /** Sign with another token (a forged or stale request). */
  authToken?: string;
  /** Sign for another URL than the one called. */
  signedUrl?: string;
  contentType?: string;
}

/** A webhook request as Twilio makes it: form body and a signature over PUBLIC_URL + path + the parameters. */
export function signedTwilioRequest(path: string, form: TwilioForm, options: SignOptions = {}): WebhookRequest {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(form)) for (const item of [value].flat()) body.append(name, item);
  const signature = twilioSignature(
    options.authToken ?? TWILIO_TEST.authToken,
    options.signedUrl ?? `${TWILIO_TEST.publicUrl}${path}`,
    form,
  );
  return {
    path,
    headers: {
      'content-type': options.contentType ?? 'application/x-www-form-urlencoded',
      'user-agent': 'TwilioProxy/1.1',
      'i-twilio-idempotency-token': `${String(form.MessageSid ?? 'none')}-idem`,
      'x-twilio-signature': signature,
    },
    body: body.toString(),
  };
}

const conversation = (customer: string, account: string = TWILIO_TEST.from): string =>
  conversationIdFor('sms', account, customer);

const statusCallbackUrl = `${TWILIO_TEST.publicUrl}${STATUS_PATH}`;

const reply = (parts: OutboundPart[], userId: string = TWILIO_TEST.customer, account: string = TWILIO_TEST.from) =>
  ({
    version: EVENT_FORMAT_VERSION,
    id: 'out_case',
    idempotencyKey: 'out_case',
    conversationId: conversation(userId, account),
    to: { channel: 'sms', account, userId },
    parts,
    purpose: 'reply',
    createdAt: '2026-11-23T10:00:00.000Z',
  }) satisfies OutboundMessage;

/** A broadcast's first message, as the dialog engine sends it: the opt-out mention in the customer's language. */
const campaign = (parts: OutboundPart[], optOutNotice?: string, userId: string = TWILIO_TEST.customer) =>
  ({
    ...reply(parts, userId),
    purpose: 'campaign',
    campaignId: 'ventes-privees',
    ...(optOutNotice === undefined ? {} : { optOutNotice }),
  }) satisfies OutboundMessage;

const STOP_FR = 'STOP pour ne plus recevoir nos offres';
const VIP_OFFER = 'Les ventes privées Maison Lumière commencent : -30 % sur les lampes Opaline jusqu’à dimanche.';

const sms = (Body: string, To: string = TWILIO_TEST.customer, From: string = TWILIO_TEST.from) => ({
  To,
  From,
  Body,
  StatusCallback: statusCallbackUrl,
});

const GREETING_FR = "Bonjour ! Je suis l'assistant de Maison Lumière. Que puis-je faire pour vous ?";
const HINT_FR = 'Répondez avec le numéro de votre choix.';
const HINT_EN = 'Reply with the number of your choice.';
const FAQ_MENU = [
  { title: 'Horaires', payload: 'faq:hours' },
  { title: 'Livraison', payload: 'faq:delivery' },
  { title: 'Retours', payload: 'faq:returns' },
];

/** Three paragraphs of about 700 characters: 2 fit in one SMS, the third goes on its own. */
const PARAGRAPHS = [1, 2, 3].map((n) =>
  `Paragraphe ${n}. `.concat('Nos lampes sont fabriquées à Lyon, dans notre atelier. '.repeat(12)).trim(),
);
/** One paragraph of sentences, longer than an SMS: cut after the last full sentence that fits. */
const SENTENCE = 'Chaque abat-jour est cousu à la main et contrôlé avant de partir. ';
const LONG_PARAGRAPH = SENTENCE.repeat(30).trim();
const SENTENCES_IN_FIRST = Math.floor((1600 + 1) / SENTENCE.length);

const mms = {
  url: 'https://api.twilio.com/2010-04-01/Accounts/ACc0ffee00c0ffee00c0ffee00c0ffee00/Messages/MM1/Media/ME1',
};

export const twilioCases: ChannelCases<WebhookRequest, TwilioSendRequest> = {
  channel: 'sms',
  inbound: [
    {
      name: 'an SMS in French becomes a message from the customer to our number',
      request: signedTwilioRequest(
        INBOUND_PATH,
        inboundSmsForm({ sid: twilioSid('SM', 1), body: '  Où en est ma commande ?  ' }),
      ),
      expect: {
        events: [
          {
            version: EVENT_FORMAT_VERSION,
            id: inboundEventId('sms', TWILIO_TEST.from, twilioSid('SM', 1)),
            channel: 'sms',
            account: TWILIO_TEST.from,
            providerMessageId: twilioSid('SM', 1),
            conversationId: conversation(TWILIO_TEST.customer),
            sender: { id: TWILIO_TEST.customer, phone: TWILIO_TEST.customer },
            kind: 'message',
            content: { text: 'Où en est ma commande ?' },
          },
        ],
      },
    },
    {
      name: 'an MMS with two pictures carries both, with their types',
      request: signedTwilioRequest(
        INBOUND_PATH,
        inboundSmsForm({
          sid: twilioSid('MM', 2),
          body: 'La lampe est arrivée cassée',
          from: TWILIO_TEST.usCustomer,
          media: [
            { url: `${mms.url}0`, contentType: 'image/jpeg' },
            { url: `${mms.url}1`, contentType: 'image/png' },
          ],
        }),
      ),
      expect: {
        events: [
          {
            kind: 'message',
            sender: { id: TWILIO_TEST.usCustomer },
            content: {
              text: 'La lampe est arrivée cassée',
              media: [
                { url: `${mms.url}0`, mimeType: 'image/jpeg' },
                { url: `${mms.url}1`, mimeType: 'image/png' },
              ],
            },
          },
        ],
      },
    },
    {
      name: 'a message through a Messaging Service is still addressed to the number written to',
      request: signedTwilioRequest(
        INBOUND_PATH,
        inboundSmsForm({
          sid: twilioSid('SM', 3),
          body: 'Bonjour',
          to: '+33639980001',
          messagingServiceSid: TWILIO_TEST.messagingServiceSid,
        }),
      ),
      expect: {
        events: [
          {
            account: '+33639980001',
            conversationId: conversation(TWILIO_TEST.customer, '+33639980001'),
            content: { text: 'Bonjour' },
          },
        ],
      },
    },
    {
      name: 'emoji and accents pass through untouched',
      request: signedTwilioRequest(
        INBOUND_PATH,
        inboundSmsForm({ sid: twilioSid('SM', 4), body: '👋 Ça marche, merci ! 🙏' }),
      ),
      expect: { events: [{ content: { text: '👋 Ça marche, merci ! 🙏' } }] },
    },
    {
      name: 'a number with no menu remembered stays a message',
      request: signedTwilioRequest(
        INBOUND_PATH,
        inboundSmsForm({ sid: twilioSid('SM', 5), body: '2', from: '+33639989999' }),
      ),
      expect: { events: [{ kind: 'message', content: { text: '2' } }] },
    },
    {
      name: 'a signature over a query string Twilio was given is checked with it',
      request: signedTwilioRequest(
        `${INBOUND_PATH}?site=lyon`,
        inboundSmsForm({ sid: twilioSid('SM', 6), body: 'horaires' }),
      ),
      expect: { events: [{ content: { text: 'horaires' } }] },
    },
    {
      name: 'status callback: delivered',
      request: signedTwilioRequest(STATUS_PATH, statusCallbackForm({ sid: twilioSid('SM', 100), status: 'delivered' })),
      expect: {
        events: [
          {
            channel: 'sms',
            account: TWILIO_TEST.from,
            kind: 'delivery',
            providerMessageId: `${twilioSid('SM', 100)}/delivered`,
            conversationId: conversation(TWILIO_TEST.customer),
            sender: { id: TWILIO_TEST.customer },
            content: { status: { outboundProviderId: twilioSid('SM', 100), state: 'delivered' } },
          },
        ],
      },
    },
    {
      name: 'status callback: sent is another event than delivered for the same message',
      request: signedTwilioRequest(STATUS_PATH, statusCallbackForm({ sid: twilioSid('SM', 100), status: 'sent' })),
      expect: {
        events: [
          {
            kind: 'delivery',
            providerMessageId: `${twilioSid('SM', 100)}/sent`,
            content: { status: { outboundProviderId: twilioSid('SM', 100), state: 'sent' } },
          },
        ],
      },
    },
    {
      name: 'status callback: undelivered, with the error code explained',
      request: signedTwilioRequest(
        STATUS_PATH,
        statusCallbackForm({ sid: twilioSid('SM', 101), status: 'undelivered', errorCode: '30003' }),
      ),
      expect: {
        events: [
          {
            kind: 'delivery',
            content: {
              status: {
                outboundProviderId: twilioSid('SM', 101),
                state: 'failed',
                error: 'undelivered (Twilio error 30003: unreachable destination handset)',
              },
            },
          },
        ],
      },
    },
    {
      name: 'status callback: read is a read receipt',
      request: signedTwilioRequest(STATUS_PATH, statusCallbackForm({ sid: twilioSid('SM', 102), status: 'read' })),
      expect: { events: [{ kind: 'read', content: { status: { state: 'read' } } }] },
    },
    {
      name: 'status callback: queued tells nothing new and records nothing',
      request: signedTwilioRequest(STATUS_PATH, statusCallbackForm({ sid: twilioSid('SM', 103), status: 'queued' })),
      expect: { events: [] },
    },
    {
      name: 'no signature',
      request: (() => {
        const request = signedTwilioRequest(INBOUND_PATH, inboundSmsForm({ sid: twilioSid('SM', 200), body: 'hi' }));
        const { 'x-twilio-signature': _dropped, ...headers } = request.headers ?? {};
        return { ...request, headers };
      })(),
      expect: { refused: { status: 403, reason: /missing X-Twilio-Signature/ } },
    },
    {
      name: 'signed with another auth token',
      request: signedTwilioRequest(INBOUND_PATH, inboundSmsForm({ sid: twilioSid('SM', 201), body: 'hi' }), {
        authToken: '0badc0de0badc0de0badc0de0badc0de',
      }),
      expect: { refused: { status: 403, reason: /X-Twilio-Signature does not match/ } },
    },
    {
      name: 'signed for another URL (a request replayed to another endpoint)',
      request: signedTwilioRequest(INBOUND_PATH, inboundSmsForm({ sid: twilioSid('SM', 202), body: 'hi' }), {
        signedUrl: 'https://elsewhere.example.com/webhooks/twilio',
      }),
      expect: { refused: { status: 403, reason: /X-Twilio-Signature does not match/ } },
    },
    {
      name: 'body changed after signing',
      request: (() => {
        const request = signedTwilioRequest(INBOUND_PATH, inboundSmsForm({ sid: twilioSid('SM', 203), body: 'hi' }));
        return { ...request, body: request.body.replace('Body=hi', 'Body=STOP') };
      })(),
      expect: { refused: { status: 403, reason: /X-Twilio-Signature does not match/ } },
    },
    {
      name: 'status callback with a bad signature',
      request: signedTwilioRequest(STATUS_PATH, statusCallbackForm({ sid: twilioSid('SM', 204), status: 'failed' }), {
        authToken: '0badc0de0badc0de0badc0de0badc0de',
      }),
      expect: { refused: { status: 403, reason: /X-Twilio-Signature does not match/ } },
    },
    {
      name: 'another account (signed right, but not for TWILIO_ACCOUNT_SID)',
      request: signedTwilioRequest(
        INBOUND_PATH,
        inboundSmsForm({ sid: twilioSid('SM', 205), body: 'hi', accountSid: 'ACdeadbeefdeadbeefdeadbeefdeadbeef' }),
      ),
      expect: { refused: { status: 403, reason: /AccountSid/ } },
    },
    {
      name: 'JSON instead of a form',
      request: {
        path: INBOUND_PATH,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(inboundSmsForm({ sid: twilioSid('SM', 206), body: 'hi' })),
      },
      expect: { refused: { status: 415, reason: /application\/x-www-form-urlencoded/ } },
    },
    {
      name: 'a body over 64 kB',
      request: signedTwilioRequest(
        INBOUND_PATH,
        inboundSmsForm({ sid: twilioSid('SM', 207), body: 'a'.repeat(70_000) }),
      ),
      expect: { refused: { status: 413, reason: /larger than 65536 bytes/ } },
    },
    {
      name: 'signed, but without a MessageSid',
      request: (() => {
        const {
          MessageSid: _m,
          SmsSid: _s,
          SmsMessageSid: _sm,
          ...form
        } = inboundSmsForm({
          sid: twilioSid('SM', 208),
          body: 'hi',
        });
        return signedTwilioRequest(INBOUND_PATH, form);
      })(),
      expect: { refused: { status: 400, reason: /MessageSid is missing/ } },
    },
    {
      name: 'signed, but NumMedia announces a picture that is not there',
      request: signedTwilioRequest(INBOUND_PATH, {
        ...inboundSmsForm({ sid: twilioSid('MM', 209), body: '' }),
        NumMedia: '1',
      }),
      expect: { refused: { status: 400, reason: /MediaUrl0 is missing/ } },
    },
    {
      name: 'signed, but a WhatsApp message sent to the SMS webhook',
      request: signedTwilioRequest(
        INBOUND_PATH,
        inboundSmsForm({ sid: twilioSid('SM', 210), body: 'hi', from: 'whatsapp:+33639981234' }),
      ),
      expect: { refused: { status: 400, reason: /whatsapp address/ } },
    },
    {
      name: 'signed status callback without a status',
      request: (() => {
        const {
          MessageStatus: _m,
          SmsStatus: _s,
          ...form
        } = statusCallbackForm({
          sid: twilioSid('SM', 211),
          status: 'sent',
        });
        return signedTwilioRequest(STATUS_PATH, form);
      })(),
      expect: { refused: { status: 400, reason: /MessageStatus is missing/ } },
    },
  ],
  outbound: [
    {
      name: 'text',
      message: reply([{ type: 'text', text: 'Bonjour !' }]),
      expect: { requests: [{ params: sms('Bonjour !') }] },
    },
    {
      name: 'quick replies become a numbered menu with a line saying how to answer, and the menu is remembered',
      message: reply([{ type: 'quickReplies', text: GREETING_FR, replies: FAQ_MENU }]),
      expect: {
        requests: [
          {
            params: sms(`${GREETING_FR}\n\n1. Horaires\n2. Livraison\n3. Retours\n\n${HINT_FR}`),
            menu: FAQ_MENU,
          },
        ],
      },
    },
    {
      name: 'buttons in English get the hint in English',
      message: reply([
        {
          type: 'buttons',
          text: 'What can I help you with?',
          buttons: [
            { title: 'Opening hours', payload: 'faq:hours' },
            { title: 'Delivery', payload: 'faq:delivery' },
          ],
        },
      ]),
      expect: {
        requests: [
          {
            params: sms(`What can I help you with?\n\n1. Opening hours\n2. Delivery\n\n${HINT_EN}`),
            menu: [
              { title: 'Opening hours', payload: 'faq:hours' },
              { title: 'Delivery', payload: 'faq:delivery' },
            ],
          },
        ],
      },
    },
    {
      name: 'a list keeps each item description; numbers run on after an earlier menu in the message',
      message: reply([
        { type: 'buttons', text: 'Votre magasin', buttons: [{ title: 'Lyon', payload: 'shop:lyon' }] },
        {
          type: 'list',
          text: 'Les créneaux libres',
          items: [
            { title: 'Mardi 10 h', description: 'showroom', payload: 'slot:1' },
            { title: 'Mercredi 15 h', payload: 'slot:2' },
          ],
        },
      ]),
      expect: {
        requests: [
          {
            params: sms(
              `Votre magasin\n\n1. Lyon\n\nLes créneaux libres\n\n2. Mardi 10 h - showroom\n3. Mercredi 15 h\n\n${HINT_FR}`,
            ),
            menu: [
              { title: 'Lyon', payload: 'shop:lyon' },
              { title: 'Mardi 10 h', payload: 'slot:1' },
              { title: 'Mercredi 15 h', payload: 'slot:2' },
            ],
          },
        ],
      },
    },
    {
      name: 'a card becomes its title, subtitle, picture link and numbered buttons',
      message: reply([
        {
          type: 'card',
          title: 'Lampe Opaline',
          subtitle: '89 €',
          imageUrl: 'https://cdn.example.com/opaline.jpg',
          buttons: [
            { title: 'Acheter', payload: 'buy:opaline' },
            { title: 'Voir les couleurs', payload: 'colors:opaline' },
          ],
        },
      ]),
      expect: {
        requests: [
          {
            params: sms(
              `Lampe Opaline\n89 €\n\nhttps://cdn.example.com/opaline.jpg\n\n1. Acheter\n2. Voir les couleurs\n\n${HINT_FR}`,
            ),
            menu: [
              { title: 'Acheter', payload: 'buy:opaline' },
              { title: 'Voir les couleurs', payload: 'colors:opaline' },
            ],
          },
        ],
      },
    },
    {
      name: 'a picture goes as MMS to a US number',
      message: reply(
        [
          { type: 'text', text: 'Here is your lamp:' },
          {
            type: 'media',
            media: { url: 'https://cdn.example.com/opaline.jpg', mimeType: 'image/jpeg', caption: 'Opaline' },
          },
        ],
        TWILIO_TEST.usCustomer,
      ),
      expect: {
        requests: [
          {
            params: {
              ...sms('Here is your lamp:\n\nOpaline', TWILIO_TEST.usCustomer),
              MediaUrl: ['https://cdn.example.com/opaline.jpg'],
            },
          },
        ],
      },
    },
    {
      name: 'a picture goes as a link to a French number (no MMS from a long code)',
      message: reply([
        {
          type: 'media',
          media: { url: 'https://cdn.example.com/opaline.jpg', mimeType: 'image/jpeg', caption: 'Opaline' },
        },
      ]),
      expect: { requests: [{ params: sms('Opaline\nhttps://cdn.example.com/opaline.jpg') }] },
    },
    {
      name: 'text over 1600 characters is split between paragraphs',
      message: reply([{ type: 'text', text: PARAGRAPHS.join('\n\n') }]),
      expect: {
        requests: [{ params: sms(`${PARAGRAPHS[0]}\n\n${PARAGRAPHS[1]}`) }, { params: sms(PARAGRAPHS[2] ?? '') }],
      },
    },
    {
      name: 'one long paragraph is split after a full sentence',
      message: reply([{ type: 'text', text: LONG_PARAGRAPH }]),
      expect: {
        requests: [
          { params: sms(SENTENCE.repeat(SENTENCES_IN_FIRST).trim()) },
          { params: sms(SENTENCE.repeat(30 - SENTENCES_IN_FIRST).trim()) },
        ],
      },
    },
    {
      name: 'a reply goes out from the number the customer wrote to',
      message: reply([{ type: 'text', text: 'Bien reçu.' }], TWILIO_TEST.customer, '+33639980001'),
      expect: { requests: [{ params: sms('Bien reçu.', TWILIO_TEST.customer, '+33639980001') }] },
    },
    {
      name: 'a campaign message ends with its opt-out mention on a line of its own',
      message: campaign([{ type: 'text', text: VIP_OFFER }], STOP_FR),
      expect: { requests: [{ params: sms(`${VIP_OFFER}\n${STOP_FR}`) }] },
    },
    {
      name: 'a campaign menu: the mention comes after the line saying how to answer, the menu is remembered',
      message: campaign(
        [
          {
            type: 'quickReplies',
            text: VIP_OFFER,
            replies: [
              { title: 'Voir les offres', payload: 'vp:offers' },
              { title: 'Plus tard', payload: 'vp:later' },
            ],
          },
        ],
        STOP_FR,
      ),
      expect: {
        requests: [
          {
            params: sms(`${VIP_OFFER}\n\n1. Voir les offres\n2. Plus tard\n\n${HINT_FR}\n${STOP_FR}`),
            menu: [
              { title: 'Voir les offres', payload: 'vp:offers' },
              { title: 'Plus tard', payload: 'vp:later' },
            ],
          },
        ],
      },
    },
    {
      name: 'a campaign message without a mention of its own gets the short default, in its language',
      message: campaign([{ type: 'text', text: 'Private sales start today: 30% off Opaline lamps.' }]),
      expect: {
        requests: [{ params: sms('Private sales start today: 30% off Opaline lamps.\nReply STOP to opt out') }],
      },
    },
    {
      name: 'a campaign text that already says STOP (any case, as a word) is left as it is',
      message: campaign([{ type: 'text', text: `${VIP_OFFER} Répondez Stop pour vous désabonner.` }], STOP_FR),
      expect: { requests: [{ params: sms(`${VIP_OFFER} Répondez Stop pour vous désabonner.`) }] },
    },
    {
      name: 'STOP inside another word does not count as the mention',
      message: campaign([{ type: 'text', text: 'Livraison nonstop ce week-end.' }], STOP_FR),
      expect: { requests: [{ params: sms(`Livraison nonstop ce week-end.\n${STOP_FR}`) }] },
    },
    {
      name: 'a long campaign text: the mention ends the last SMS, the text split to leave room for it',
      message: campaign([{ type: 'text', text: LONG_PARAGRAPH }], STOP_FR),
      expect: {
        requests: [
          { params: sms(SENTENCE.repeat(SENTENCES_IN_FIRST).trim()) },
          { params: sms(`${SENTENCE.repeat(30 - SENTENCES_IN_FIRST).trim()}\n${STOP_FR}`) },
        ],
      },
    },
    {
      name: 'a last SMS too full for the mention is split again, so the mention is never cut or lost',
      message: campaign([{ type: 'text', text: SENTENCE.repeat(SENTENCES_IN_FIRST).trim() }], STOP_FR),
      expect: {
        requests: [
          { params: sms(SENTENCE.repeat(SENTENCES_IN_FIRST - 1).trim()) },
          { params: sms(`${SENTENCE.trim()}\n${STOP_FR}`) },
        ],
      },
    },
    {
      name: 'a campaign picture without text to a US number: the mention is the text of the MMS',
      message: campaign(
        [
          {
            type: 'media',
            media: { url: 'https://cdn.example.com/opaline.jpg', mimeType: 'image/jpeg' },
          },
        ],
        'Reply STOP to opt out',
        TWILIO_TEST.usCustomer,
      ),
      expect: {
        requests: [
          {
            params: {
              ...sms('Reply STOP to opt out', TWILIO_TEST.usCustomer),
              MediaUrl: ['https://cdn.example.com/opaline.jpg'],
            },
          },
        ],
      },
    },
    {
      name: 'more pictures than one MMS holds: the mention rides on the last MMS sent',
      message: campaign(
        [
          { type: 'text', text: 'Our private sales, in pictures:' },
          ...Array.from({ length: 11 }, (_, n) => ({
            type: 'media' as const,
            media: { url: `https://cdn.example.com/lamp-${n + 1}.jpg`, mimeType: 'image/jpeg' },
          })),
        ],
        'Reply STOP to opt out',
        TWILIO_TEST.usCustomer,
      ),
      expect: {
        requests: [
          {
            params: {
              ...sms('Our private sales, in pictures:', TWILIO_TEST.usCustomer),
              MediaUrl: Array.from({ length: 10 }, (_, n) => `https://cdn.example.com/lamp-${n + 1}.jpg`),
            },
          },
          {
            params: {
              ...sms('Reply STOP to opt out', TWILIO_TEST.usCustomer),
              MediaUrl: ['https://cdn.example.com/lamp-11.jpg'],
            },
          },
        ],
      },
    },
    {
      name: 'a reply (not a campaign) never gets the mention, even with optOutNotice set',
      message: { ...reply([{ type: 'text', text: VIP_OFFER }]), optOutNotice: STOP_FR },
      expect: { requests: [{ params: sms(VIP_OFFER) }] },
    },
    {
      name: 'an account that is no phone number sends from TWILIO_FROM',
      message: reply([{ type: 'text', text: 'Les soldes commencent demain.' }], TWILIO_TEST.customer, 'campaigns'),
      expect: { requests: [{ params: sms('Les soldes commencent demain.') }] },
    },
  ],
};
