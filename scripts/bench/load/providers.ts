/**
 * The outside world of the load benchmark: a fake Twilio, Telegram Bot API,
 * Bot Connector (Teams and Messenger) and WhatsApp Web on 127.0.0.1, as the
 * channel tests use them. Every reply the gateway sends through them is
 * reported with the time the fake received it, so end-to-end latency runs
 * from the webhook call to the provider API call, the way a customer feels it.
 */
import { performance } from 'node:perf_hooks';
import { TELEGRAM_CASES_ENV } from '../../../packages/channels/src/telegram/cases.js';
import { TWILIO_TEST, twilioTestEnv } from '../../../packages/channels/src/twilio/cases.js';
import { type FakeBotConnector, startFakeBotConnector } from '../../../test/support/fakes/botframework.js';
import { type FakeBotApi, startFakeBotApi } from '../../../test/support/fakes/telegram.js';
import { type FakeTwilio, startFakeTwilio } from '../../../test/support/fakes/twilio.js';
import { type FakeSession, FakeWhatsappWeb, fakeWhatsappNodeOptions } from '../../../test/support/fakes/whatsapp.js';
import type { Teardown } from '../teardown.js';

/** Every message the benchmark sends carries one such token, and the echo bot's reply repeats it. */
export const TOKEN = /\bk[a-z]+\d+n\d+\b/;

export type DeliveryListener = (token: string, at: number) => void;

export interface Providers {
  twilio: FakeTwilio;
  telegram: FakeBotApi;
  connector: FakeBotConnector;
  whatsapp: FakeWhatsappWeb;
  /** Variables that point a gateway or worker process at these fakes, every channel on. */
  env: Record<string, string>;
  /**
   * Called for every reply a provider accepted, with the token it carries and when it arrived
   * (performance.now() time). Returns the way to stop listening.
   */
  onDelivery(listener: DeliveryListener): () => void;
  /** Links the WhatsApp session the owning gateway opened, as a phone scanning the QR code would. */
  linkWhatsapp(): Promise<FakeSession>;
}

/** The number WhatsApp says the linked phone has. */
const WHATSAPP_NUMBER = '33700000000';
/** How often the fakes' records are read; latencies come from the fakes' own timestamps, not from this. */
const POLL_MS = 10;

export async function startProviders(teardown: Teardown): Promise<Providers> {
  const twilio = await startFakeTwilio(TWILIO_TEST);
  teardown.add('stop the fake Twilio', () => twilio.close());
  const telegram = await startFakeBotApi(TELEGRAM_CASES_ENV.TELEGRAM_BOT_TOKEN);
  teardown.add('stop the fake Telegram Bot API', () => telegram.close());
  const connector = await startFakeBotConnector();
  teardown.add('stop the fake Bot Connector', () => connector.close());
  const whatsapp = await FakeWhatsappWeb.start();
  teardown.add('stop the fake WhatsApp Web', () => whatsapp.close());

  const listeners = new Set<DeliveryListener>();
  const linked = new Set<FakeSession>();
  const report = (text: string | undefined, at: number) => {
    const token = text === undefined ? undefined : TOKEN.exec(text)?.[0];
    if (token) for (const listener of listeners) listener(token, at);
  };
  // WhatsApp Web calls back on each send; the HTTP fakes keep records with Date.now() stamps.
  whatsapp.answer = (send) => {
    if (send.content.kind === 'text') report(send.content.text, performance.now());
    return 'sent';
  };
  const fromWallClock = (at: number) => at - performance.timeOrigin;
  const cursors = { twilio: 0, telegram: 0, connector: 0 };
  const poll = setInterval(() => {
    for (; cursors.twilio < twilio.messages.length; cursors.twilio++) {
      const sent = twilio.messages[cursors.twilio];
      if (sent) report(sent.Body, fromWallClock(sent.at));
    }
    for (; cursors.telegram < telegram.calls.length; cursors.telegram++) {
      const call = telegram.calls[cursors.telegram];
      if (call?.method === 'sendMessage') report(String(call.payload.text ?? ''), fromWallClock(call.at));
    }
    const requests = connector.provider.requests;
    for (; cursors.connector < requests.length; cursors.connector++) {
      const request = requests[cursors.connector];
      if (request?.method === 'POST' && request.path.includes('/activities')) {
        report(request.body, fromWallClock(request.at));
      }
    }
  }, POLL_MS);
  teardown.add('stop reading the fakes', async () => clearInterval(poll));

  return {
    twilio,
    telegram,
    connector,
    whatsapp,
    env: {
      ...twilioTestEnv(twilio.url),
      // Twilio's rate is the sending number's (1/s by default); the benchmark measures the gateway, not that.
      TWILIO_SENDS_PER_SECOND: '1000',
      TELEGRAM_BOT_TOKEN: TELEGRAM_CASES_ENV.TELEGRAM_BOT_TOKEN,
      TELEGRAM_WEBHOOK_SECRET: TELEGRAM_CASES_ENV.TELEGRAM_WEBHOOK_SECRET,
      TELEGRAM_API_ROOT: telegram.url,
      TELEGRAM_MODE: 'webhook',
      // Open mode, as with the Bot Framework Emulator: a gateway cannot be pointed at a fake
      // OpenID endpoint, so the JWT check (cached keys, one signature check) is not in the figures.
      MicrosoftAppId: '',
      MicrosoftAppPassword: '',
      NODE_OPTIONS: fakeWhatsappNodeOptions(),
      FAKE_WHATSAPP_WEB_URL: whatsapp.url,
      WHATSAPP_ENABLED: 'true',
      // Any file that exists: the real factory checks it is there, the fake never runs it.
      CHROMIUM_PATH: process.execPath,
    },
    onDelivery(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async linkWhatsapp() {
      // A new session: the one of an earlier scale step may not have closed yet.
      const fresh = () => whatsapp.sessions.find((session) => session.open && !linked.has(session));
      const deadline = Date.now() + 60_000;
      let session = fresh();
      while (!session) {
        if (Date.now() > deadline) throw new Error('no gateway opened a WhatsApp session within 60 s');
        await new Promise((resolve) => setTimeout(resolve, 100));
        session = fresh();
      }
      linked.add(session);
      session.link(WHATSAPP_NUMBER);
      return session;
    },
  };
}
