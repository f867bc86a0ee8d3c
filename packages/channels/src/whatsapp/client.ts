/**
 * The seam between the adapter and whatsapp-web.js: the few members of its
 * Client and Message that the adapter uses, typed here so that no provider
 * type leaves this folder, and the default factory that builds the real
 * Client (Chromium through puppeteer, session kept on disk by LocalAuth).
 * Tests pass a factory of their own that returns a fake with the same shape.
 */
import type { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '@passerelle/core';

/** client.info once the client is ready: wid is the logged-in account (33700000000@c.us). */
export interface WhatsappClientInfo {
  wid: { user: string; server?: string; _serialized: string };
  pushname?: string;
}

/** What client.sendMessage resolves with: the sent Message, or nothing when the chat could not be found. */
export interface WhatsappSentMessage {
  id: { _serialized: string };
}

/**
 * The Client events the adapter listens to, as whatsapp-web.js emits them:
 * qr(qr), authenticated(), auth_failure(message), ready(), message(Message),
 * disconnected(reason), change_state(state).
 */
export interface WhatsappClient extends Pick<EventEmitter, 'on' | 'removeAllListeners'> {
  /** Set by the real client just before 'ready'. */
  info?: WhatsappClientInfo | undefined;
  /** The real client's puppeteer browser, once initialize() opened it. */
  pupBrowser?: { on(event: 'disconnected', listener: () => void): unknown } | null | undefined;
  initialize(): Promise<unknown>;
  destroy(): Promise<unknown>;
  /** content: a string, or a MessageMedia / Location of the same whatsapp-web.js the client comes from. */
  sendMessage(
    chatId: string,
    content: unknown,
    options?: Record<string, unknown>,
  ): Promise<WhatsappSentMessage | null | undefined>;
}

/** The media a Message carries, as message.downloadMedia() returns it (a MessageMedia). */
export interface WhatsappDownloadedMedia {
  mimetype: string;
  /** Base64. */
  data: string;
  filename?: string | null | undefined;
  filesize?: number | null | undefined;
}

/** The fields of a whatsapp-web.js Message that parsing reads. */
export interface WhatsappMessage {
  id: { _serialized: string; fromMe: boolean; remote?: string | undefined; id?: string | undefined };
  /** The chat: 33612345678@c.us for a person, ...@g.us for a group, status@broadcast for statuses, or ...@lid. */
  from: string;
  to: string;
  body: string;
  type: string;
  hasMedia: boolean;
  /** Unix seconds. */
  timestamp: number;
  fromMe: boolean;
  isStatus?: boolean | undefined;
  broadcast?: boolean | undefined;
  author?: string | undefined;
  location?:
    | {
        latitude: number | string;
        longitude: number | string;
        name?: string | undefined;
        address?: string | undefined;
      }
    | undefined;
  vCards?: string[] | undefined;
  _data?: { notifyName?: string | undefined; filename?: string | undefined; mimetype?: string | undefined } | undefined;
  downloadMedia(): Promise<WhatsappDownloadedMedia | undefined>;
  getContact(): Promise<{ pushname?: string | undefined; name?: string | undefined }>;
}

/** Builds a new client each time the session (re)starts; a destroyed client is never reused. */
export type WhatsappClientFactory = (config: Config) => WhatsappClient | Promise<WhatsappClient>;

/** Chromium flags for a server: no sandbox (containers), no GPU, nothing phoning home or updating itself. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
] as const;

/**
 * The whatsapp-web.js Client options. Debian's Chromium (CHROMIUM_PATH) is
 * launched: puppeteer's own browser is never downloaded (.puppeteerrc.cjs at
 * the repository's root turns its install-time download off; executablePath
 * here makes puppeteer use ours).
 */
export function whatsappClientOptions(config: Config) {
  const sessionDir = config.env.WHATSAPP_SESSION_DIR;
  return {
    sessionDir,
    puppeteer: {
      executablePath: config.env.CHROMIUM_PATH,
      headless: true,
      args: [...CHROMIUM_ARGS],
    },
    // The WhatsApp Web page cache, next to the session rather than in the working directory.
    webVersionCache: { type: 'local' as const, path: join(sessionDir, 'web-cache') },
  };
}

/**
 * What to do when there is no browser at CHROMIUM_PATH, said at start-up and
 * again when the session starts; undefined when there is one.
 */
export function missingChromium(path: string): string | undefined {
  if (existsSync(path)) return undefined;
  return (
    `no Chromium at CHROMIUM_PATH (${path}): the WhatsApp Web session cannot start. ` +
    "Install Debian's (sudo apt-get install chromium) or set CHROMIUM_PATH to a Chromium or Chrome already installed"
  );
}

/** The real thing, imported only when a session starts, so a gateway without WhatsApp never loads puppeteer. */
export const realClientFactory: WhatsappClientFactory = async (config) => {
  const options = whatsappClientOptions(config);
  const missing = missingChromium(options.puppeteer.executablePath);
  if (missing) throw new Error(missing);
  await clearStaleProfileLock(join(options.sessionDir, 'session'));
  const { default: wweb } = await import('whatsapp-web.js');
  return new wweb.Client({
    authStrategy: new wweb.LocalAuth({ dataPath: options.sessionDir }),
    puppeteer: options.puppeteer,
    webVersionCache: options.webVersionCache,
  });
};

/** MessageMedia and Location come from the library module, so the client recognises them (instanceof). */
export async function loadWhatsappStructures() {
  const { default: wweb } = await import('whatsapp-web.js');
  return { MessageMedia: wweb.MessageMedia, Location: wweb.Location };
}

/**
 * Chromium refuses a profile whose lock names another live host or process. A holder that
 * died leaves its lock behind, and its successor (we hold the lease, so nobody else uses the
 * profile) would be locked out of the session: the stale lock goes.
 */
async function clearStaleProfileLock(profileDir: string): Promise<void> {
  await Promise.all(
    ['SingletonLock', 'SingletonSocket', 'SingletonCookie'].map((name) => rm(join(profileDir, name), { force: true })),
  );
}
