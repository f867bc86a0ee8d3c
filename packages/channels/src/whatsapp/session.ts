/**
 * The WhatsApp session service, run by every gateway with WHATSAPP_ENABLED.
 * Each contends for the lease (lease.ts); the one that holds it starts the
 * whatsapp-web.js client, publishes the session state (QR, ready...), turns
 * incoming messages into events, consumes the sends routed to it
 * (route.ts), and reconnects with backoff when the session drops. The
 * others wait and take over when the holder's lease expires.
 *
 * Every client gets a generation number; events of a client that was
 * replaced (after a drop, or when the lease was lost) are ignored, so an old
 * client can never act on behalf of the new one.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { ChannelContext, ChannelService } from '../module.js';
import { realClientFactory, type WhatsappClient, type WhatsappClientFactory, type WhatsappMessage } from './client.js';
import { executeSend } from './execute.js';
import { handleInboundMessage, type InboundDeps } from './inbound.js';
import { SessionLease } from './lease.js';
import { DEFAULT_MEDIA_LIMITS, type MediaLimits } from './media.js';
import { qrTerminal } from './qr.js';
import { type SendJob, type SendResult, startSendConsumer } from './route.js';
import type { SessionPhase, SessionState } from './state.js';

export interface WhatsappServiceOptions {
  /** Builds the whatsapp-web.js Client; the real one by default. */
  createClient?: WhatsappClientFactory;
  /** A dead holder is replaced within about this long. */
  leaseTtlMs?: number;
  /** Delay before the n-th reconnect: baseMs * 2^n, at most maxMs. */
  reconnect?: { baseMs: number; maxMs: number };
  acceptRetry?: { attempts: number; baseMs: number };
  mediaLimits?: Partial<MediaLimits>;
  /** Routed sends handled at once by the holder. */
  sendConcurrency?: number;
  /** Where the terminal QR code goes (stderr by default, beside the JSON logs on stdout). */
  printQr?: (terminalQr: string) => void;
  /** How long close() lets sends in hand finish before it closes the client under them. */
  closeGraceMs?: number;
}

export interface WhatsappService extends ChannelService {
  /** This process's name in the lease: host:pid:instance. */
  readonly owner: string;
  holdsLease(): boolean;
}

const DEFAULTS = {
  leaseTtlMs: 20_000,
  reconnect: { baseMs: 2_000, maxMs: 60_000 },
  acceptRetry: { attempts: 5, baseMs: 200 },
  sendConcurrency: 4,
  closeGraceMs: 10_000,
};

export function startWhatsappService(context: ChannelContext, options: WhatsappServiceOptions = {}): WhatsappService {
  const session = new WhatsappSession(context, options);
  session.start();
  return session;
}

class WhatsappSession implements WhatsappService {
  readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly lease: SessionLease;
  private readonly createClient: WhatsappClientFactory;
  private readonly reconnect: { baseMs: number; maxMs: number };
  private readonly inbound: InboundDeps;
  private readonly mediaLimits: MediaLimits;
  private readonly printQr: (terminalQr: string) => void;
  private readonly closeGraceMs: number;

  private closed = false;
  private owning = false;
  /** When the last successful renewal was sent: the lease lasts at least ttl from then. */
  private renewedAt = 0;
  private tickTimer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> = Promise.resolve();

  private generation = 0;
  private client: WhatsappClient | undefined;
  private phase: SessionPhase = 'starting';
  private account: string | undefined;
  private reconnectAttempt = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private consumer: { close(): Promise<void> } | undefined;
  private stateWrites: Promise<unknown> = Promise.resolve();
  /** Messages of one chat are accepted in the order they came, whatever their media take to download. */
  private readonly chats = new Map<string, Promise<void>>();

  constructor(
    private readonly context: ChannelContext,
    private readonly options: WhatsappServiceOptions,
  ) {
    const { config, redis, logger } = context;
    this.lease = new SessionLease(redis, config.redisKeyPrefix, this.owner, options.leaseTtlMs ?? DEFAULTS.leaseTtlMs);
    this.createClient = options.createClient ?? realClientFactory;
    this.reconnect = options.reconnect ?? DEFAULTS.reconnect;
    this.mediaLimits = { ...DEFAULT_MEDIA_LIMITS, ...options.mediaLimits };
    this.printQr = options.printQr ?? ((qr) => process.stderr.write(`${qr}\n`));
    this.closeGraceMs = options.closeGraceMs ?? DEFAULTS.closeGraceMs;
    this.inbound = {
      redis,
      prefix: config.redisKeyPrefix,
      publicUrl: config.publicUrl,
      mediaLimits: this.mediaLimits,
      logger,
      accept: (event) => context.accept(event),
      acceptRetry: options.acceptRetry ?? DEFAULTS.acceptRetry,
    };
  }

  private get logger() {
    return this.context.logger;
  }

  start(): void {
    this.logger.info({ channel: 'whatsapp', owner: this.owner }, 'contending for the WhatsApp session lease');
    this.scheduleTick(0);
  }

  holdsLease(): boolean {
    return this.owning;
  }

  // ---- the lease ----

  private scheduleTick(delayMs: number): void {
    if (this.closed) return;
    this.tickTimer = setTimeout(() => {
      this.ticking = this.tick().finally(() => this.scheduleTick(this.lease.ttlMs / 3));
    }, delayMs);
  }

  private async tick(): Promise<void> {
    // Bounded: with Redis away, ioredis queues commands forever, and the holder must still notice in time.
    const bound = this.lease.ttlMs / 3;
    try {
      if (this.owning) {
        const sentAt = Date.now();
        if (await withTimeout(this.lease.renew(), bound)) this.renewedAt = sentAt;
        else await this.stepDown('the lease expired or was taken by another process');
      } else if (await withTimeout(this.lease.tryTake(), bound)) {
        await this.takeOver();
      }
    } catch (error) {
      this.logger.warn({ err: error, channel: 'whatsapp' }, 'WhatsApp lease: Redis did not answer');
      // Our lease may be running out unseen; stop before anyone else can take it, never after.
      if (this.owning && Date.now() - this.renewedAt >= (this.lease.ttlMs * 2) / 3) {
        await this.stepDown('the lease could not be renewed in time');
      }
    }
  }

  private async takeOver(): Promise<void> {
    this.owning = true;
    this.renewedAt = Date.now();
    this.reconnectAttempt = 0;
    this.logger.info(
      { channel: 'whatsapp', owner: this.owner },
      'holding the WhatsApp session lease: starting the client',
    );
    this.consumer = startSendConsumer({
      redis: this.context.redis,
      prefix: this.context.config.redisKeyPrefix,
      owner: this.owner,
      concurrency: this.options.sendConcurrency ?? DEFAULTS.sendConcurrency,
      logger: this.logger,
      execute: (job) => this.execute(job),
    });
    // Not awaited: the lease must keep being renewed however long the client takes to appear.
    void this.startClient();
  }

  /** Lost the lease: whoever holds it now runs the session, so ours stops at once. */
  private async stepDown(reason: string): Promise<void> {
    if (!this.owning) return;
    this.owning = false;
    this.generation += 1;
    clearTimeout(this.reconnectTimer);
    this.logger.warn({ channel: 'whatsapp', reason }, 'gave up the WhatsApp session');
    const client = this.client;
    const consumer = this.consumer;
    this.client = undefined;
    this.consumer = undefined;
    this.account = undefined;
    await destroyQuietly(client, this.logger);
    // Bounded: without Redis, the consumer may never finish closing, and the lease loop must go on.
    await withTimeout(consumer?.close() ?? Promise.resolve(), this.lease.ttlMs).catch(() => {});
  }

  // ---- the client ----

  private async startClient(): Promise<void> {
    if (!this.owning || this.closed) return;
    const generation = ++this.generation;
    this.account = undefined;
    this.publish('starting', this.reconnectAttempt > 0 ? { detail: `reconnect attempt ${this.reconnectAttempt}` } : {});
    let client: WhatsappClient;
    try {
      client = await this.createClient(this.context.config);
    } catch (error) {
      await this.drop(generation, `the client could not be created: ${(error as Error).message}`);
      return;
    }
    if (generation !== this.generation || this.closed) {
      await destroyQuietly(client, this.logger);
      return;
    }
    this.client = client;
    this.listen(client, generation);
    client.initialize().then(
      () => {
        // The real client says nothing when Chromium itself dies: watch the browser too.
        client.pupBrowser?.on('disconnected', () => void this.drop(generation, 'the browser closed'));
      },
      (error: unknown) =>
        void this.drop(generation, `WhatsApp Web did not start: ${(error as Error)?.message ?? error}`),
    );
  }

  private listen(client: WhatsappClient, generation: number): void {
    const current = () => generation === this.generation && !this.closed;
    client.on('qr', (qr: string) => {
      if (!current()) return;
      this.publish('waiting-for-qr', { qr });
      this.printQr(qrTerminal(qr));
      this.logger.info(
        { channel: 'whatsapp' },
        'WhatsApp is not linked: scan the QR code printed above, or open /admin/whatsapp (WhatsApp > Linked devices)',
      );
    });
    client.on('authenticated', () => {
      if (current()) this.publish('authenticated');
    });
    client.on('auth_failure', (message: string) => void this.drop(generation, `authentication failed: ${message}`));
    client.on('ready', () => {
      if (!current()) return;
      const account = accountOf(client);
      if (!account) {
        void this.drop(generation, 'the client said ready but did not say which number it is');
        return;
      }
      this.account = account;
      this.reconnectAttempt = 0;
      this.publish('ready', { account });
      this.logger.info({ channel: 'whatsapp', account }, 'WhatsApp session ready');
    });
    client.on('disconnected', (reason: unknown) => void this.drop(generation, `disconnected (${String(reason)})`));
    client.on('change_state', (state: unknown) => {
      if (current()) this.logger.info({ channel: 'whatsapp', state }, 'WhatsApp connection state changed');
    });
    client.on('message', (message: WhatsappMessage) => {
      if (current()) this.receive(client, message);
    });
  }

  /** The session dropped: throw the client away and start a new one after a backoff. */
  private async drop(generation: number, reason: string): Promise<void> {
    if (generation !== this.generation || this.closed || !this.owning) return;
    this.generation += 1;
    const client = this.client;
    this.client = undefined;
    this.account = undefined;
    const delayMs = Math.min(this.reconnect.maxMs, this.reconnect.baseMs * 2 ** this.reconnectAttempt);
    this.reconnectAttempt += 1;
    this.logger.warn({ channel: 'whatsapp', reason, delayMs }, 'WhatsApp session dropped, reconnecting');
    this.publish('disconnected', { detail: `${reason}; reconnecting in ${Math.round(delayMs / 1000)} s` });
    await destroyQuietly(client, this.logger);
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => void this.startClient(), delayMs);
  }

  // ---- messages ----

  private receive(client: WhatsappClient, message: WhatsappMessage): void {
    const account = this.account ?? accountOf(client);
    if (!account) {
      this.logger.error({ channel: 'whatsapp' }, 'WhatsApp message before the client knew its number: dropped');
      return;
    }
    const chat = message.from;
    const next = (this.chats.get(chat) ?? Promise.resolve())
      .then(() => handleInboundMessage(message, account, this.inbound))
      .then(
        () => {},
        (error: unknown) => this.logger.error({ err: error, channel: 'whatsapp' }, 'WhatsApp message handling failed'),
      );
    this.chats.set(chat, next);
    void next.finally(() => {
      if (this.chats.get(chat) === next) this.chats.delete(chat);
    });
  }

  private async execute(job: SendJob): Promise<SendResult> {
    const { client, account } = this;
    if (!client || !account || this.phase !== 'ready') {
      return { outcome: 'retry', error: 'the WhatsApp client is not ready', retryAfterMs: 5_000 };
    }
    return executeSend(job, {
      client,
      account,
      redis: this.context.redis,
      prefix: this.context.config.redisKeyPrefix,
      mediaLimits: this.mediaLimits,
      logger: this.logger,
    });
  }

  // ---- state ----

  /** Written in order, and only while this process holds the lease (the script checks). */
  private publish(phase: SessionPhase, extra: Partial<SessionState> = {}): void {
    this.phase = phase;
    const state: SessionState = {
      phase,
      owner: this.owner,
      since: new Date().toISOString(),
      ...(this.account ? { account: this.account } : {}),
      ...extra,
    };
    this.stateWrites = this.stateWrites
      .then(() => this.lease.writeState(JSON.stringify(state)))
      .catch((error: unknown) =>
        this.logger.warn({ err: error, channel: 'whatsapp' }, 'could not publish the WhatsApp session state'),
      );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.tickTimer);
    clearTimeout(this.reconnectTimer);
    await this.ticking;
    if (!this.owning) return;
    // Sends in hand get a while to finish (they need the client); then the client goes, which ends
    // any send still hanging in the page, and no more messages come in.
    const consumerClosed = this.consumer?.close().catch(() => {}) ?? Promise.resolve();
    await withTimeout(consumerClosed, this.closeGraceMs).catch(() => {});
    this.generation += 1;
    await destroyQuietly(this.client, this.logger);
    this.client = undefined;
    await withTimeout(consumerClosed, this.closeGraceMs).catch(() => {
      this.logger.warn({ channel: 'whatsapp' }, 'WhatsApp sends still in hand at close; their outcome is unknown');
    });
    await Promise.allSettled([...this.chats.values()]);
    await this.stateWrites;
    this.owning = false;
    await this.lease.release().catch((error: unknown) => {
      this.logger.warn({ err: error, channel: 'whatsapp' }, 'could not release the WhatsApp lease; it will expire');
    });
    this.logger.info({ channel: 'whatsapp' }, 'WhatsApp session closed and its lease released');
  }
}

/** +33700000000 for 33700000000@c.us; the raw wid otherwise. */
function accountOf(client: WhatsappClient): string | undefined {
  const wid = client.info?.wid;
  if (!wid?.user) return undefined;
  return /^\d+$/.test(wid.user) ? `+${wid.user}` : wid._serialized;
}

async function destroyQuietly(client: WhatsappClient | undefined, logger: ChannelContext['logger']): Promise<void> {
  if (!client) return;
  client.removeAllListeners();
  try {
    await client.destroy();
  } catch (error) {
    logger.warn({ err: error, channel: 'whatsapp' }, 'WhatsApp client did not close cleanly');
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
