/**
 * A fake WhatsApp Web for the WhatsApp channel's tests, cut at the seam the
 * adapter uses: the whatsapp-web.js Client.
 *
 * - FakeWhatsappWeb is the "phone and WhatsApp servers" side, a WebSocket
 *   server on 127.0.0.1 driven by the test: it shows a QR code, links the
 *   session, delivers messages (real-shaped WhatsApp Web message models), drops
 *   the connection, and records every sendMessage with the answer the test
 *   scripted (sent, no such chat, an error, no answer).
 * - FakeClient is the Client side: an EventEmitter with initialize(),
 *   destroy(), info, sendMessage() and the events of the real one (qr,
 *   authenticated, ready, message, disconnected, change_state), which turns
 *   what the server says into the real library's own Message, MessageMedia and
 *   ClientInfo-shaped objects. It runs in the test process (passed to the
 *   adapter as its client factory) or inside a real gateway process.
 *
 * In a gateway process, this file stands in for the 'whatsapp-web.js' module
 * itself: fakeWhatsappNodeOptions() gives the NODE_OPTIONS that register a
 * module resolve hook doing the swap, so the gateway runs its production code
 * unchanged and its Chromium is never launched. The real library's
 * MessageMedia, Location, Message and LocalAuth are re-exported as they are.
 */
import { EventEmitter, once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import wweb from 'whatsapp-web.js';
import WebSocket, { WebSocketServer } from 'ws';

/** The library's Message class: exported at run time, but typed only as an interface. */
const RealMessage = (wweb as unknown as { Message: new (client: unknown, data: unknown) => wweb.Message }).Message;

/** Who writes what to whom, for whatsappChat. Chat ids are WhatsApp's: digits@c.us. */
export interface ChatMessageFields {
  from: string;
  to: string;
  /** WhatsApp Web's message id (3EB0…), unique per message. */
  id: string;
  body: string;
  notifyName?: string;
}

/** The fields of WhatsApp Web's serialized message model that a customer's text has (a type, so it is a Record too). */
export type ChatMessageModel = {
  id: { fromMe: boolean; remote: string; id: string; _serialized: string };
  type: string;
  body: string;
  t: number;
  from: string;
  to: string;
  ack: number;
  isNewMsg: boolean;
  notifyName: string;
  mentionedJidList: string[];
  links: unknown[];
};

/** A customer's text as WhatsApp Web's message model serializes it, as FakeSession.deliver takes it. */
export function whatsappChat(fields: ChatMessageFields): ChatMessageModel {
  const { from, to, id, body } = fields;
  return {
    id: { fromMe: false, remote: from, id, _serialized: `false_${from}_${id}` },
    type: 'chat',
    body,
    t: Math.floor(Date.now() / 1000),
    from,
    to,
    ack: 1,
    isNewMsg: true,
    notifyName: fields.notifyName ?? 'Client',
    mentionedJidList: [],
    links: [],
  };
}

// ---- the wire between FakeClient and FakeWhatsappWeb ----

export type SentContent =
  | { kind: 'text'; text: string }
  | { kind: 'media'; mimetype: string; data: string; filename: string | null; filesize: number | null }
  | { kind: 'location'; latitude: number; longitude: number; name?: string; address?: string };

/** What message.downloadMedia() gives (a MessageMedia's fields). */
export interface FakeMedia {
  mimetype: string;
  data: string;
  filename?: string | null;
  filesize?: number | null;
}

export interface FakeContact {
  pushname?: string;
  name?: string;
}

type ToClient =
  | { type: 'qr'; qr: string }
  | { type: 'authenticated' }
  | { type: 'ready'; wid: { server: string; user: string; _serialized: string }; pushname: string }
  | { type: 'message'; data: Record<string, unknown>; media?: FakeMedia; contact?: FakeContact }
  | { type: 'change_state'; state: string }
  | { type: 'disconnected'; reason: string }
  | { type: 'browser-closed' }
  | { type: 'result'; requestId: number; answer: 'sent'; id: string }
  | { type: 'result'; requestId: number; answer: 'no-chat' }
  | { type: 'result'; requestId: number; answer: 'error'; error: string };

type ToServer =
  | { type: 'hello'; options: Record<string, unknown> }
  /** The delivery receipt WhatsApp Web sends once a message reached the linked device. */
  | { type: 'received'; id: string }
  | { type: 'send'; requestId: number; chatId: string; content: SentContent; options: Record<string, unknown> };

// ---- the server side, driven by tests ----

export interface RecordedSend {
  session: number;
  chatId: string;
  content: SentContent;
  options: Record<string, unknown>;
}

/** How WhatsApp answers one sendMessage: sent, chat not found (resolves empty), an error, or nothing at all. */
export type SendAnswer = 'sent' | 'no-chat' | { error: string } | 'hang';

export class FakeSession {
  /** The Client options the adapter built (puppeteer, LocalAuth's profile directory...). */
  options: Record<string, unknown> = {};
  open = true;
  /** Ids (_serialized) of the messages this session's client said it received. */
  readonly received = new Set<string>();
  readonly closed: Promise<void>;

  constructor(
    readonly id: number,
    private readonly socket: WebSocket,
  ) {
    this.closed = once(socket, 'close').then(() => {
      this.open = false;
    });
  }

  send(frame: ToClient): void {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(frame));
  }

  showQr(qr: string): void {
    this.send({ type: 'qr', qr });
  }

  /** The phone scanned the QR code (or the stored session was restored): authenticated, then ready. */
  link(number = '33700000000', pushname = 'Maison Lumière'): void {
    this.send({ type: 'authenticated' });
    this.send({ type: 'ready', wid: { server: 'c.us', user: number, _serialized: `${number}@c.us` }, pushname });
  }

  /** A message arrives, as WhatsApp Web's message model serializes it. */
  deliver(data: Record<string, unknown>, extras: { media?: FakeMedia; contact?: FakeContact } = {}): void {
    this.send({ type: 'message', data, ...extras });
  }

  /** The session drops as whatsapp-web.js reports it (then the real client destroys itself). */
  disconnect(reason = 'CONFLICT'): void {
    this.send({ type: 'disconnected', reason });
  }

  /** Chromium died under the client: only puppeteer's browser says so. */
  crashBrowser(): void {
    this.send({ type: 'browser-closed' });
  }
}

export class FakeWhatsappWeb {
  readonly sessions: FakeSession[] = [];
  readonly sent: RecordedSend[] = [];
  /** Scripted answer to each sendMessage, by its index among all sends. */
  answer: (send: RecordedSend, index: number) => SendAnswer = () => 'sent';
  private counter = 0;
  private readonly sockets = new Set<WebSocket>();

  private constructor(
    private readonly server: Server,
    private readonly wss: WebSocketServer,
    readonly url: string,
  ) {}

  static async start(): Promise<FakeWhatsappWeb> {
    const server = createServer((_req, res) => {
      res.writeHead(426).end();
    });
    const wss = new WebSocketServer({ server });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const fake = new FakeWhatsappWeb(server, wss, `ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
    wss.on('connection', (socket) => fake.accept(socket));
    return fake;
  }

  private accept(socket: WebSocket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    const session = new FakeSession(this.sessions.length + 1, socket);
    socket.on('message', (raw) => {
      const frame = JSON.parse(String(raw)) as ToServer;
      if (frame.type === 'hello') {
        session.options = frame.options;
        this.sessions.push(session);
        return;
      }
      if (frame.type === 'received') {
        session.received.add(frame.id);
        return;
      }
      const send: RecordedSend = {
        session: session.id,
        chatId: frame.chatId,
        content: frame.content,
        options: frame.options,
      };
      this.sent.push(send);
      const answer = this.answer(send, this.sent.length - 1);
      if (answer === 'hang') return;
      if (answer === 'sent') {
        this.counter += 1;
        const id = `3EB0${String(this.counter).padStart(16, '0')}`;
        session.send({ type: 'result', requestId: frame.requestId, answer: 'sent', id });
      } else if (answer === 'no-chat') {
        session.send({ type: 'result', requestId: frame.requestId, answer: 'no-chat' });
      } else {
        session.send({ type: 'result', requestId: frame.requestId, answer: 'error', error: answer.error });
      }
    });
  }

  /** The session of the client currently connected, if one is. */
  current(): FakeSession | undefined {
    return this.sessions.filter((session) => session.open).at(-1);
  }

  texts(): string[] {
    return this.sent.flatMap((send) => (send.content.kind === 'text' ? [send.content.text] : []));
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

// ---- the client side, where the adapter calls it ----

/** A whatsapp-web.js Client against FakeWhatsappWeb instead of WhatsApp Web in Chromium. */
export class FakeClient extends EventEmitter {
  info: { wid: { server: string; user: string; _serialized: string }; pushname: string } | undefined;
  readonly pupBrowser = new EventEmitter();
  readonly options: Record<string, unknown>;
  readonly authStrategy: { setup(client: unknown): void; beforeBrowserInitialized(): Promise<void> } | undefined;
  initialized = false;
  destroyed = false;
  private socket: WebSocket | undefined;
  private requestId = 0;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  private readonly contacts = new Map<string, FakeContact>();

  constructor(
    options: Record<string, unknown>,
    private readonly url = process.env.FAKE_WHATSAPP_WEB_URL ?? '',
  ) {
    super();
    this.options = { ...options };
    this.authStrategy = options.authStrategy as FakeClient['authStrategy'];
    // What the real constructor does with its auth strategy.
    this.authStrategy?.setup(this);
  }

  /** Like the real one: resolves once the page is up, before any QR code or ready. */
  async initialize(): Promise<void> {
    if (!this.url) throw new Error('FakeClient: FAKE_WHATSAPP_WEB_URL is not set');
    // LocalAuth creates the profile directory and points puppeteer at it, as with the real client.
    await this.authStrategy?.beforeBrowserInitialized();
    const socket = new WebSocket(this.url);
    this.socket = socket;
    await once(socket, 'open');
    this.initialized = true;
    socket.on('message', (raw) => this.onFrame(JSON.parse(String(raw)) as ToClient));
    socket.on('close', () => {
      for (const waiting of this.pending.values()) waiting.reject(new Error('Protocol error: Target closed'));
      this.pending.clear();
    });
    const { authStrategy: _strategy, ...options } = this.options;
    socket.send(JSON.stringify({ type: 'hello', options } satisfies ToServer));
  }

  private onFrame(frame: ToClient): void {
    switch (frame.type) {
      case 'qr':
        this.emit('qr', frame.qr);
        return;
      case 'authenticated':
        this.emit('authenticated');
        return;
      case 'ready':
        this.info = { wid: frame.wid, pushname: frame.pushname };
        this.emit('ready');
        return;
      case 'message': {
        const message = this.messageOf(frame.data, frame.media, frame.contact);
        this.emit('message', message);
        // As WhatsApp Web does: the device acknowledges what reached it, whatever the page then does with it.
        this.socket?.send(JSON.stringify({ type: 'received', id: message.id._serialized } satisfies ToServer));
        return;
      }
      case 'change_state':
        this.emit('change_state', frame.state);
        return;
      case 'disconnected':
        // The real client emits, then destroys itself.
        this.emit('disconnected', frame.reason);
        void this.destroy();
        return;
      case 'browser-closed':
        this.pupBrowser.emit('disconnected');
        this.socket?.terminate();
        return;
      case 'result': {
        const waiting = this.pending.get(frame.requestId);
        this.pending.delete(frame.requestId);
        if (frame.answer === 'sent') waiting?.resolve(frame.id);
        else if (frame.answer === 'no-chat') waiting?.resolve(undefined);
        else waiting?.reject(new Error(`Evaluation failed: ${frame.error}`));
      }
    }
  }

  /** The library's own Message, built from the model data as the real client builds it. */
  private messageOf(data: Record<string, unknown>, media?: FakeMedia, contact?: FakeContact): wweb.Message {
    const message = new RealMessage(this, data);
    if (contact) this.contacts.set(message.author || message.from, contact);
    // The real downloadMedia decrypts inside the page; here the server handed the file over.
    message.downloadMedia = async () =>
      (media
        ? new wweb.MessageMedia(media.mimetype, media.data, media.filename ?? null, media.filesize ?? null)
        : undefined) as wweb.MessageMedia;
    return message;
  }

  /** Used by the real Message.getContact(). */
  async getContactById(id: string) {
    const contact = this.contacts.get(id) ?? {};
    return { id: { _serialized: id }, number: id.split('@')[0], ...contact };
  }

  async sendMessage(chatId: string, content: unknown, options: Record<string, unknown> = {}) {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) throw new Error('Protocol error: Session closed');
    const requestId = ++this.requestId;
    const answered = new Promise<unknown>((resolve, reject) => this.pending.set(requestId, { resolve, reject }));
    const frame: ToServer = { type: 'send', requestId, chatId, content: serialize(content), options: plain(options) };
    socket.send(JSON.stringify(frame));
    const id = await answered;
    if (typeof id !== 'string') return undefined;
    const me = this.info?.wid._serialized ?? '';
    return new RealMessage(this, {
      id: { fromMe: true, remote: chatId, id, _serialized: `true_${chatId}_${id}` },
      type: content instanceof wweb.MessageMedia ? 'image' : 'chat',
      body: typeof content === 'string' ? content : '',
      t: Math.floor(Date.now() / 1000),
      from: me,
      to: chatId,
      ack: 1,
    });
  }

  async destroy(): Promise<void> {
    this.destroyed = true;
    this.socket?.close();
  }
}

function serialize(content: unknown): SentContent {
  if (typeof content === 'string') return { kind: 'text', text: content };
  if (content instanceof wweb.MessageMedia) {
    return {
      kind: 'media',
      mimetype: content.mimetype,
      data: content.data,
      filename: content.filename ?? null,
      filesize: content.filesize ?? null,
    };
  }
  if (content instanceof wweb.Location) {
    return {
      kind: 'location',
      latitude: Number(content.latitude),
      longitude: Number(content.longitude),
      ...(content.name ? { name: content.name } : {}),
      ...(content.address ? { address: content.address } : {}),
    };
  }
  throw new Error('FakeClient: this content is not something the adapter should send');
}

function plain(options: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(options)) as Record<string, unknown>;
}

/**
 * NODE_OPTIONS for a gateway process in which 'whatsapp-web.js' resolves to this file (and
 * this file's own import of it to the real library). FAKE_WHATSAPP_WEB_URL tells its clients
 * where the fake server is.
 */
export function fakeWhatsappNodeOptions(): string {
  const self = new URL(import.meta.url).href;
  const hook = `export async function resolve(specifier, context, next) {
  if (specifier === 'whatsapp-web.js' && !String(context.parentURL).startsWith(${JSON.stringify(self)})) {
    return { url: ${JSON.stringify(self)}, shortCircuit: true };
  }
  return next(specifier, context);
}`;
  const register = `import { register } from 'node:module'; register(${JSON.stringify(
    `data:text/javascript,${encodeURIComponent(hook)}`,
  )});`;
  // NODE_OPTIONS is split on spaces: the percent-encoded data URL has none.
  return `--import=data:text/javascript,${encodeURIComponent(register)}`;
}

/** What the adapter imports as 'whatsapp-web.js' in a gateway started with fakeWhatsappNodeOptions(). */
export default {
  Client: FakeClient,
  LocalAuth: wweb.LocalAuth,
  MessageMedia: wweb.MessageMedia,
  Location: wweb.Location,
  Message: RealMessage,
};
