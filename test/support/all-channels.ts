/**
 * One real gateway process (`gateway start`, all roles, PGlite, real Redis)
 * with every channel on, each against its fake provider: SMS (fake Twilio),
 * Telegram in webhook mode (fake Bot API), Teams and Messenger (fake Bot
 * Connector; open mode, the only one in which a process can answer without
 * reaching Entra ID), WhatsApp (the fake WhatsApp Web, linked), and the web
 * chat. ADMIN_TOKEN and WEBCHAT_SECRET are set, so that tests can look for
 * every configured secret in the logs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TWILIO_TEST, twilioTestEnv } from '../../packages/channels/src/twilio/cases.js';
import { type FakeBotConnector, startFakeBotConnector } from './fakes/botframework.js';
import { type FakeBotApi, startFakeBotApi } from './fakes/telegram.js';
import { type FakeTwilio, startFakeTwilio } from './fakes/twilio.js';
import { type FakeSession, FakeWhatsappWeb, fakeWhatsappNodeOptions } from './fakes/whatsapp.js';
import { type IsolatedGateway, startIsolatedGateway } from './gateway-process.js';
import { waitFor } from './services.js';

export const ALL_CHANNELS_SECRETS = {
  adminToken: 'admin-token-for-the-all-channels-gateway',
  webchatSecret: 'webchat-secret-for-the-all-channels-gateway',
  telegramToken: '975318642:AAHall-channels_token-Zx9',
  telegramWebhookSecret: 'all-channels-telegram-webhook-secret_42',
  twilioAuthToken: TWILIO_TEST.authToken,
} as const;

/** The WhatsApp number the session is linked to (digits, as WhatsApp ids have it). */
export const WHATSAPP_NUMBER = '33700000042';

export interface AllChannelsGateway {
  gateway: IsolatedGateway;
  twilio: FakeTwilio;
  telegram: FakeBotApi;
  connector: FakeBotConnector;
  whatsapp: FakeWhatsappWeb;
  session: FakeSession;
  /** Every configured secret value, for log scans. */
  secrets: string[];
  close(): Promise<void>;
}

export interface AllChannelsOptions {
  /** Default: the echo bot, whose answers name the message they answer. */
  botDir?: string;
  /** More NODE_OPTIONS for the gateway process (a preload of the test's own). */
  nodeOptions?: string;
  env?: Record<string, string>;
  /** Runs before the gateway starts, with its data folder free (PGlite opens in one process at a time). */
  beforeStart?: (env: Record<string, string>) => Promise<void>;
}

export async function startAllChannelsGateway(
  name: string,
  options: AllChannelsOptions = {},
): Promise<AllChannelsGateway> {
  const twilio = await startFakeTwilio(TWILIO_TEST);
  const telegram = await startFakeBotApi(ALL_CHANNELS_SECRETS.telegramToken);
  const connector = await startFakeBotConnector();
  const whatsapp = await FakeWhatsappWeb.start();
  const sessionDir = await mkdtemp(join(tmpdir(), `passerelle-${name}-whatsapp-`));
  const closeFakes = async () => {
    await Promise.all([twilio.close(), telegram.close(), connector.close(), whatsapp.close()]);
    await rm(sessionDir, { recursive: true, force: true });
  };
  const env: Record<string, string> = {
    ...twilioTestEnv(twilio.url),
    TELEGRAM_BOT_TOKEN: ALL_CHANNELS_SECRETS.telegramToken,
    TELEGRAM_API_ROOT: telegram.url,
    TELEGRAM_WEBHOOK_SECRET: ALL_CHANNELS_SECRETS.telegramWebhookSecret,
    MicrosoftAppId: '',
    MicrosoftAppPassword: '',
    WHATSAPP_ENABLED: 'true',
    WHATSAPP_SESSION_DIR: sessionDir,
    // Any file that exists: the real factory checks it is there, the fake never runs it.
    CHROMIUM_PATH: process.execPath,
    FAKE_WHATSAPP_WEB_URL: whatsapp.url,
    NODE_OPTIONS: [fakeWhatsappNodeOptions(), options.nodeOptions].filter(Boolean).join(' '),
    ADMIN_TOKEN: ALL_CHANNELS_SECRETS.adminToken,
    WEBCHAT_SECRET: ALL_CHANNELS_SECRETS.webchatSecret,
    BOT_DIR: options.botDir ?? 'test/fixtures/echo-bot',
    LOG_LEVEL: 'debug',
    ...options.env,
  };
  let gateway: IsolatedGateway;
  const dataDir = options.beforeStart ? await prepared(name, env, options.beforeStart) : undefined;
  const closeAll = async () => {
    await closeFakes();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  };
  try {
    gateway = await startIsolatedGateway(name, { env: { ...env, ...(dataDir ? { DATA_DIR: dataDir } : {}) } });
  } catch (error) {
    await closeAll();
    throw error;
  }
  let session: FakeSession;
  try {
    session = (await waitFor('the gateway to open its WhatsApp client', () => whatsapp.current())) as FakeSession;
    session.link(WHATSAPP_NUMBER);
    await waitFor('the WhatsApp session to be ready', async () => {
      const response = await fetch(`${gateway.url}/admin/whatsapp`, {
        headers: { authorization: `Bearer ${ALL_CHANNELS_SECRETS.adminToken}`, accept: 'application/json' },
      });
      return ((await response.json()) as { phase?: string }).phase === 'ready';
    });
  } catch (error) {
    await gateway.dispose();
    await closeAll();
    throw error;
  }
  return {
    gateway,
    twilio,
    telegram,
    connector,
    whatsapp,
    session,
    secrets: Object.values(ALL_CHANNELS_SECRETS),
    async close() {
      await gateway.dispose();
      await closeAll();
    },
  };
}

/** A data folder the beforeStart step filled (an operator added by the CLI...), then handed to the gateway. */
async function prepared(
  name: string,
  env: Record<string, string>,
  beforeStart: NonNullable<AllChannelsOptions['beforeStart']>,
): Promise<string> {
  const dataDir = await mkdtemp(join(tmpdir(), `passerelle-${name}-data-`));
  await beforeStart({ ...env, DATA_DIR: dataDir });
  return dataDir;
}
