/**
 * Starts one process in a role: `all` (everything, the default), `gateway`
 * (HTTP, webhooks, web chat socket) or `worker` (dialog worker and channel
 * sender). Every role talks to the others only through Redis, so scaling out
 * is starting more processes against the same Redis and database.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  attachWebchatSocket,
  CHANNEL_CAPABILITIES,
  type ChannelContext,
  channelStatuses,
  createChannelSenders,
  mountChannelWebhooks,
  Pace,
  startChannelSender,
  startChannelServices,
  webchatLimitSettings,
  webchatSecret,
} from '@passerelle/channels';
import {
  ACCEPT_DEADLINE_MS,
  type Config,
  type ConnectOptions,
  connectRedis,
  type Db,
  type EnqueueResult,
  type InboundEvent,
  type Logger,
  migrate,
  openDb,
  openInboundQueue,
  openPipelineQueues,
  type PipelineObserver,
  type Redis,
  RedisUnavailable,
  safeRedisAddress,
  waitForRedis,
  withinDeadline,
} from '@passerelle/core';
import {
  ALWAYS_OPEN,
  BotHost,
  BroadcastDispatcher,
  HandoffDesk,
  loadBot,
  openBotConnectors,
  startDialogWorker,
} from '@passerelle/dialog';
import type { Response } from 'express';
import { consoleApi } from './console/api.js';
import { createConsoleAuth } from './console/auth.js';
import { campaignsApi } from './console/campaigns-api.js';
import { cannedApi } from './console/canned.js';
import { contactsApi } from './console/contacts-api.js';
import { startDeskSweeper } from './console/sweeper.js';
import { ticketsApi } from './console/tickets-api.js';
import { createApp } from './http/app.js';
import { createMetrics } from './metrics.js';

export const ROLES = ['all', 'gateway', 'worker'] as const;
export type Role = (typeof ROLES)[number];

export interface Runtime {
  role: Role;
  /** The port actually listened on (PORT=0 picks a free one). */
  port: number;
  /** The address listened on: HOST, or every interface ('::' or '0.0.0.0') when it is unset. */
  host: string;
  close(): Promise<void>;
}

export async function startRuntime(config: Config, role: Role, logger: Logger): Promise<Runtime> {
  const closers: Array<() => Promise<unknown>> = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close().catch((error) => logger.warn({ err: error }, 'close failed'));
  };

  try {
    const redis = watchedRedis(config, logger, `passerelle-${role}`);
    closers.push(() => redis.quit());
    await waitForRedis(redis, config.redis);
    const db = await openDatabase(config, role, logger);
    closers.push(() => db.close());

    const queues = openPipelineQueues(redis, config);
    closers.push(() => queues.close());
    const metrics = createMetrics(queues);
    // Hybrid mode: the queue of conversations waiting for a person, shared by every process.
    const desk = new HandoffDesk({
      db,
      redis,
      prefix: config.redisKeyPrefix,
      queues,
      logger,
      onAssigned: metrics.hybrid.handoffWaited,
    });
    const startsGateway = role !== 'worker';
    const startsWorker = role !== 'gateway';

    for (const status of channelStatuses(config)) {
      logger.info({ channel: status.channel, enabled: status.enabled }, `channel ${status.channel}: ${status.reason}`);
    }

    // Workers first, so that the moment the gateway accepts a message something is there to answer it.
    if (startsWorker) {
      // A bot folder with a mistake stops the start here, with every problem's file and line.
      const bot = await BotHost.open(config.botDir, logger);
      closers.push(() => bot.close());
      bot.watchFolder();
      const reloadSubscriber = watchedRedis(config, logger, `passerelle-${role}-bot-reload`);
      await bot.listenForReload(reloadSubscriber, config.redisKeyPrefix);
      const onHangup = () => void bot.reload();
      process.on('SIGHUP', onHangup);
      closers.push(async () => process.off('SIGHUP', onHangup));
      // Connectors follow the bot folder as it was at start; a change of connectors needs a restart.
      const connectors = await openBotConnectors(bot.definition, { db, logger });
      const chosen = Object.entries(bot.definition.settings.connectors).map(
        ([kind, choice]) => `${kind}: ${typeof choice === 'string' ? choice : (choice.type ?? choice.package)}`,
      );
      logger.info({ connectors: chosen }, chosen.length > 0 ? `connectors: ${chosen.join(', ')}` : 'no connectors');
      const dialog = startDialogWorker({
        redis,
        db,
        queues,
        bot,
        connectors,
        config,
        logger,
        observer: metrics.observer,
        desk,
        teams: () => bot.definition.teams,
      });
      const sweeper = startDeskSweeper(desk, () => bot.definition.teams ?? ALWAYS_OPEN, logger);
      closers.push(async () => sweeper.stop());
      const senders = createChannelSenders({ config, redis, logger });
      closers.push(() => Promise.all([...senders.values()].map((sender) => sender.close?.())));
      const sender = startChannelSender({
        redis,
        db,
        queues,
        senders,
        config,
        logger,
        observer: metrics.observer,
        // What a send whose outcome is unknown does: the bot folder says, per purpose (as reloaded).
        uncertainSend: (message) => bot.definition.settings.delivery.uncertain[message.purpose],
      });
      // Campaign broadcasts: one process dispatches each (a Redis lease), paced per channel account.
      const dispatcher = new BroadcastDispatcher({
        db,
        redis,
        prefix: config.redisKeyPrefix,
        bot: () => bot.definition,
        enqueue: (event) => queues.inbound.enqueue(event),
        pace: new Pace(redis, `${config.redisKeyPrefix}:broadcast-pace`),
        capabilities: (channel) => CHANNEL_CAPABILITIES[channel],
        logger,
      });
      dispatcher.start();
      // Closed before the queues and connections they use (closers run in reverse).
      closers.push(() => Promise.all([dispatcher.stop(), dialog.close(), sender.close()]));
      logger.info({ bot: bot.name, botDir: config.botDir }, 'dialog worker and channel sender started');
    }

    // For the channels' long-running services (Telegram polling, the WhatsApp client): nobody is
    // waiting on the other end, and a WhatsApp message is never delivered twice, so accepting
    // waits Redis out (a restart) rather than fail.
    const channelContext: ChannelContext = {
      config,
      redis,
      logger,
      accept: async (event) => {
        const result = await queues.inbound.enqueue(event);
        metrics.observer.inboundReceived(event.channel, result);
        return result;
      },
      refused: (channel) => metrics.observer.inboundReceived(channel, 'refused'),
    };
    // For webhooks and the web chat socket, where a caller is waiting: see startEdge.
    const edge = startsGateway ? await startEdge(config, logger, role, closers, metrics.observer) : undefined;
    const webhookContext: ChannelContext = edge
      ? { ...channelContext, redis: edge.redis, accept: edge.accept }
      : channelContext;
    const consoleRouters = [];
    // Open console streams never end by themselves: a shutdown ends them so the server can close.
    const consoleStreams = new Set<Response>();
    if (startsGateway) {
      // The console's live events come from every process through Redis; a subscribed connection does only that.
      const consoleSubscriber = watchedRedis(config, logger, `passerelle-${role}-console`);
      closers.push(() => consoleSubscriber.quit());
      consoleSubscriber.setMaxListeners(0);
      await consoleSubscriber.subscribe(desk.eventsChannel());
      // The console shows the contact's CRM card: the gateway opens the bot folder's CRM connector for it.
      const consoleBot = await loadBot(config.botDir);
      const crm = consoleBot.settings.connectors.crm
        ? (
            await openBotConnectors(
              {
                ...consoleBot,
                settings: { ...consoleBot.settings, connectors: { crm: consoleBot.settings.connectors.crm } },
              },
              { db, logger },
            )
          ).crm
        : undefined;
      const auth = createConsoleAuth({
        db,
        redis,
        prefix: config.redisKeyPrefix,
        secureCookies: config.publicUrl.startsWith('https:'),
        logger,
      });
      consoleRouters.push(
        auth.router,
        consoleApi({
          db,
          redis,
          subscriber: consoleSubscriber,
          queues,
          desk,
          logger,
          requireOperator: auth.requireOperator,
          observe: metrics.hybrid,
          streams: consoleStreams,
          crm,
        }),
        ticketsApi({ db, queues, desk, requireOperator: auth.requireOperator }),
        contactsApi({ db, redis, prefix: config.redisKeyPrefix, logger, requireOperator: auth.requireOperator }),
        cannedApi({ botDir: config.botDir, requireOperator: auth.requireOperator }),
        campaignsApi({ db, botDir: config.botDir, logger, requireOperator: auth.requireOperator }),
      );
    }
    const app = createApp({
      redis,
      db,
      queues,
      registry: metrics.registry,
      logger,
      adminToken: config.adminToken,
      publicUrl: config.publicUrl,
      servePages: startsGateway,
      mountWebhooks: startsGateway ? (router) => mountChannelWebhooks(router, webhookContext) : undefined,
      consoleRouters,
    });
    const server = createServer(app);
    let socket: { close(): Promise<void> } | undefined;
    if (startsGateway) {
      const subscriber = watchedRedis(config, logger, `passerelle-${role}-webchat`);
      closers.push(() => subscriber.quit());
      socket = attachWebchatSocket(server, {
        redis,
        edge: webhookContext.redis,
        subscriber,
        prefix: config.redisKeyPrefix,
        secret: await webchatSecret(redis, config.redisKeyPrefix, config.webchatSecret),
        logger,
        accept: webhookContext.accept,
        limits: webchatLimitSettings(config.env),
      });
      const services = await startChannelServices(channelContext);
      closers.push(() => Promise.all(services.map((service) => service.close())));
    }
    const { port, address: host } = await listen(server, config.port, config.host);
    // Sockets first: an open web chat socket would keep server.close() waiting.
    closers.push(async () => {
      await socket?.close();
      for (const stream of consoleStreams) stream.end();
      await closeServer(server);
    });

    logger.info(
      {
        port,
        host,
        listening: config.host ? `${config.host} only (HOST)` : 'every interface (HOST unset)',
        redis: safeRedisAddress(config.redis),
        database: db.kind,
        publicUrl: config.publicUrl,
      },
      startsGateway ? `gateway ready: open ${config.publicUrl}/ to chat with the demo bot` : 'worker ready',
    );
    let closed = false;
    return {
      role,
      port,
      host,
      async close() {
        if (closed) return;
        closed = true;
        await closeAll();
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/**
 * The gateway's edge: what webhooks and the web chat socket use, where a caller is waiting for
 * the answer. Its own Redis connection fails fast (no offline queue, each command bounded:
 * connectRedis `failFast`), and accepting a message is bounded by ACCEPT_DEADLINE_MS; past that
 * the caller gets a 503 with Retry-After (jsonErrorHandler) or the socket's 'unavailable' frame,
 * and nothing is acknowledged that is not queued. Accepting goes to the same inbound queue as
 * everything else (same keys, same dedup), through this connection. Why this is safe when an
 * accept that timed out lands after all: core's availability.ts.
 */
async function startEdge(
  config: Config,
  logger: Logger,
  role: Role,
  closers: Array<() => Promise<unknown>>,
  observer: PipelineObserver,
): Promise<{ redis: Redis; accept: (event: InboundEvent) => Promise<EnqueueResult> }> {
  const redis = watchedRedis(config, logger, `passerelle-${role}-edge`, { failFast: true });
  closers.push(() => redis.quit());
  // BullMQ's queue initialises on a connection that is ready (its version check must not be refused).
  await waitForRedis(redis, config.redis);
  const inbound = openInboundQueue(redis, config);
  closers.push(() => inbound.close());
  // The queue repeats its connection's errors, which watchedRedis already logs.
  inbound.queue.on('error', () => {});
  return {
    redis,
    async accept(event) {
      try {
        const result = await withinDeadline(ACCEPT_DEADLINE_MS, inbound.enqueue(event));
        observer.inboundReceived(event.channel, result);
        return result;
      } catch (error) {
        if (error instanceof RedisUnavailable) observer.inboundReceived(event.channel, 'unavailable');
        throw error;
      }
    },
  };
}

/**
 * A Redis connection whose errors are logged: ioredis prints an 'error' that nobody listens to
 * on stderr, outside the JSON logs. While Redis is away (a restart) it says so once, and once
 * when the connection is back; ioredis reconnects by itself meanwhile.
 */
function watchedRedis(
  config: Config,
  logger: Logger,
  name: string,
  options: ConnectOptions = {},
): ReturnType<typeof connectRedis> {
  const connection = connectRedis(config.redis, name, options);
  let away = false;
  connection.on('error', (error: unknown) => {
    if (away) return;
    away = true;
    logger.warn({ err: error, connection: name }, 'Redis connection lost; reconnecting');
  });
  connection.on('ready', () => {
    if (!away) return;
    away = false;
    logger.info({ connection: name }, 'Redis connection back');
  });
  return connection;
}

/**
 * The embedded database has one owner: `gateway start` opens it and serves it to the others;
 * `gateway gateway` and `gateway worker` beside it are its guests (open-embedded.ts).
 */
async function openDatabase(config: Config, role: Role, logger: Logger): Promise<Db> {
  const db = await openDb({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    embeddedAs: role === 'all' ? 'owner' : 'guest',
    command: `gateway ${role === 'all' ? 'start' : role}`,
  });
  const { applied, current } = await migrate(db);
  logger.info(
    { database: db.kind, schemaVersion: current, applied: applied.map((m) => m.version) },
    applied.length > 0 ? `database migrated to version ${current}` : 'database schema up to date',
  );
  return db;
}

/**
 * Listens on HOST (unset: every interface, Node's default) and PORT. A HOST this machine does not
 * have, or a port taken, stops the start with a message naming the variables.
 */
async function listen(server: Server, port: number, host: string | undefined): Promise<AddressInfo> {
  const listening = once(server, 'listening');
  server.listen(port, host);
  try {
    await listening;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new Error(`cannot listen on ${host ? `HOST=${host} ` : ''}PORT=${port}: ${code}`, { cause: error });
  }
  return server.address() as AddressInfo;
}

/** Stops taking connections and waits for requests in flight; idle keep-alive sockets are closed at once. */
async function closeServer(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  await closed;
}

export type { Redis };
