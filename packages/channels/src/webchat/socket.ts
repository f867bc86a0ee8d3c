/**
 * The web chat socket on the gateway. Each browser says hello (who it is,
 * what it already has), sends message frames, and gets an ack once the
 * message is safely on the inbound queue: the socket's equivalent of a
 * webhook's 2xx. Replies come back through Redis pub/sub (see send.ts), so
 * any gateway process can hold the socket whatever process answers.
 *
 * When Redis cannot take a message (down, not ready, not answering), the
 * frame gets an 'unavailable' error frame with retryAfterSeconds at once,
 * never an ack: the widget keeps the message and sends it again (core's
 * availability.ts). What a frame needs goes through the fail-fast `edge`
 * connection; what happens in the background (a socket catching up from
 * its history after Redis came back) through `redis`, which waits Redis out.
 */

import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  ACCEPT_DEADLINE_MS,
  asRedisUnavailable,
  type EnqueueResult,
  type InboundEvent,
  type Logger,
  type Redis,
  RedisUnavailable,
  UNAVAILABLE_RETRY_AFTER_SECONDS,
  withinDeadline,
} from '@passerelle/core';
import { WebSocket, WebSocketServer } from 'ws';
import type { z } from 'zod';
import { clientAddress } from './client-address.js';
import { DEFAULT_WEBCHAT_LIMITS, type WebchatLimitSettings, WebchatLimits } from './limits.js';
import { parseWebchatFrame, type WebchatVisitor } from './parse.js';
import {
  ClientFrame,
  type HelloFrame,
  type MessageFrame,
  type ServerFrame,
  type ServerMessageFrame,
} from './protocol.js';
import { appendToHistory, webchatKeys } from './send.js';
import { newVisitorId, signVisitor, verifyVisitor } from './verify.js';

export const WEBCHAT_SOCKET_PATH = '/webchat/socket';
const MAX_FRAME_BYTES = 32 * 1024;
const HEARTBEAT_MS = 30_000;

export interface WebchatSocketOptions {
  /** For work nobody waits on (catching a socket up from its history): a connection that waits Redis out. */
  redis: Redis;
  /**
   * For what a frame needs while its sender waits (limits, history): the gateway's fail-fast
   * connection, so that a frame is refused rather than held. Default: `redis`.
   */
  edge?: Redis;
  /**
   * A connection of its own: a Redis connection in subscriber mode can do nothing else. Not
   * fail-fast: a subscription asked for while Redis is away is made when it is back.
   */
  subscriber: Redis;
  prefix: string;
  secret: string;
  logger: Logger;
  accept: (event: InboundEvent) => Promise<EnqueueResult>;
  /** How fast one client may go (limits.ts); the defaults suit people. */
  limits?: WebchatLimitSettings;
}

/** WebSocket close code 1008, policy violation: what an abusive client gets. */
const POLICY_VIOLATION = 1008;

interface Connection {
  socket: WebSocket;
  /** Its own key for the per-socket frame limit. */
  id: string;
  /** The client's address, when known (limits.ts); undefined until admitted, or when unknown. */
  address?: string | undefined;
  /** Frames refused for going too fast since the last one accepted: past the burst, the socket is closed. */
  refusedInARow: number;
  visitor?: WebchatVisitor;
  lastSentSeq: number;
  alive: boolean;
  /** Frames of one socket are handled one after the other, so they are queued in the order typed. */
  inbox: Promise<void>;
  /** Frames to the browser go out one after the other, in seq order, gaps filled from the history. */
  outbox?: Promise<void>;
}

export interface WebchatSocketServer {
  connectionCount(): number;
  close(): Promise<void>;
}

export function attachWebchatSocket(server: Server, options: WebchatSocketOptions): WebchatSocketServer {
  const { redis, subscriber, prefix, secret, logger } = options;
  const edge = options.edge ?? redis;
  const limits = new WebchatLimits(edge, prefix, options.limits ?? DEFAULT_WEBCHAT_LIMITS, logger);
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  /** live channel -> sockets of that visitor in this process (one visitor may have several tabs). */
  const listeners = new Map<string, Set<Connection>>();

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (new URL(request.url ?? '/', 'http://local').pathname !== WEBCHAT_SOCKET_PATH) return;
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  };
  server.on('upgrade', onUpgrade);

  subscriber.on('message', (channel: string, json: string) => {
    const connections = listeners.get(channel);
    if (!connections) return;
    const frame = JSON.parse(json) as ServerMessageFrame;
    for (const connection of connections) deliver(connection, frame);
  });
  // Pub/sub keeps nothing: what was published while this connection was away from Redis (a
  // restart) never comes. Once it is subscribed again, every socket catches up from its history.
  subscriber.on('ready', () => {
    if (listeners.size === 0) return;
    // The PING answers after the re-subscriptions ioredis sent on reconnecting: from then on
    // nothing published is missed, and the history holds everything before.
    void subscriber
      .ping()
      .then(() => {
        for (const connections of listeners.values()) for (const connection of connections) catchUp(connection);
      })
      .catch((error: unknown) => logger.warn({ err: error, channel: 'webchat' }, 'web chat catch-up failed'));
  });

  const heartbeat = setInterval(() => {
    for (const client of wss.clients) {
      const connection = connectionOf.get(client);
      if (!connection) continue;
      if (!connection.alive) {
        client.terminate();
        continue;
      }
      connection.alive = false;
      client.ping();
    }
  }, HEARTBEAT_MS);
  const connectionOf = new WeakMap<WebSocket, Connection>();

  wss.on('connection', (socket: WebSocket, request: IncomingMessage) => {
    const connection: Connection = {
      socket,
      id: randomUUID(),
      refusedInARow: 0,
      lastSentSeq: 0,
      alive: true,
      // Frames wait until the socket is admitted (the per-address limits).
      inbox: admit(socket, clientAddress(request)).then((address) => {
        connection.address = address;
      }),
    };
    connectionOf.set(socket, connection);
    socket.on('pong', () => {
      connection.alive = true;
    });
    socket.on('message', (data, isBinary) => {
      const raw = isBinary ? null : data.toString();
      connection.inbox = connection.inbox
        .then(() => onFrame(connection, raw))
        .catch((error: unknown) => {
          logger.error({ err: error, channel: 'webchat' }, 'web chat frame failed');
          send(connection, { type: 'error', code: 'internal', message: 'Something went wrong; please try again.' });
        });
    });
    socket.on('close', () => {
      void connection.inbox.then(() => limits.release(connection.address));
      void unlisten(connection);
    });
    socket.on('error', (error) => logger.warn({ err: error, channel: 'webchat' }, 'web chat socket error'));
  });

  /** Resolves with the address counted for this socket, or closes the socket (1008) when that address is over its limits. */
  async function admit(socket: WebSocket, address: string | undefined): Promise<string | undefined> {
    const verdict = await limits.connect(address);
    if (verdict.ok) return address;
    logger.warn(
      { channel: 'webchat', retryAfterSeconds: verdict.retryAfterSeconds },
      'web chat socket refused: too many from one address',
    );
    socket.close(POLICY_VIOLATION, `too many connections from this address, wait ${verdict.retryAfterSeconds} s`);
    return undefined;
  }

  /**
   * Every frame counts against its socket, a message also against its visitor. Over the limit the
   * frame is refused, so not queued (the widget sends it again after the wait it is told); a client
   * that keeps sending past a whole burst of refusals is not a person and loses its socket.
   */
  async function withinLimits(connection: Connection, isMessage: boolean, id: string | undefined): Promise<boolean> {
    let verdict = await limits.frame(connection.id);
    if (verdict.ok && isMessage && connection.visitor) verdict = await limits.message(connection.visitor.visitorId);
    if (verdict.ok) {
      connection.refusedInARow = 0;
      return true;
    }
    connection.refusedInARow += 1;
    if (connection.refusedInARow > limits.settings.messageBurst) {
      logger.warn(
        { channel: 'webchat', refused: connection.refusedInARow },
        'web chat socket closed: too many frames too fast',
      );
      connection.socket.close(POLICY_VIOLATION, 'too many messages too fast');
      return false;
    }
    const wait = verdict.retryAfterSeconds;
    logger.info({ channel: 'webchat', code: 'rate-limited', retryAfterSeconds: wait }, 'web chat frame refused');
    send(connection, {
      type: 'error',
      code: 'rate-limited',
      message: `Too fast: please wait ${wait} s before sending again.`,
      id,
      retryAfterSeconds: wait,
    });
    return false;
  }

  async function onFrame(connection: Connection, raw: string | null): Promise<void> {
    if (connection.socket.readyState !== WebSocket.OPEN) return;
    const started = Date.now();
    let json: unknown;
    let malformed = false;
    if (raw !== null) {
      try {
        json = JSON.parse(raw);
      } catch {
        malformed = true;
      }
    }
    const isMessage = (json as { type?: unknown } | null)?.type === 'message';
    if (!(await withinLimits(connection, isMessage, idOf(json)))) return;
    if (raw === null) return refuse(connection, 'bad-frame', 'frames are JSON text');
    if (malformed) return refuse(connection, 'bad-frame', 'frame is not valid JSON');
    const parsed = ClientFrame.safeParse(json);
    if (!parsed.success) return refuse(connection, 'bad-frame', describe(parsed.error), idOf(json));
    const frame = parsed.data;
    if (frame.type === 'hello') return hello(connection, frame);
    if (!connection.visitor) return refuse(connection, 'hello-first', 'send a hello frame first', frame.id);
    const event = parseWebchatFrame(frame, connection.visitor, new Date());
    const visitorId = connection.visitor.visitorId;
    let result: EnqueueResult;
    try {
      // The visitor's own line goes into the history before the message is queued, so
      // that on a reload it stands above the bot's answer. Appending is once per frame id.
      // A referral alone has no line: the visitor clicked a link on the site, wrote nothing.
      const line = visitorLine(frame);
      const appendAndAccept = async () => {
        if (line !== undefined) {
          await appendToHistory(edge, prefix, visitorId, {
            id: frame.id,
            from: 'visitor',
            parts: [{ type: 'text', text: line }],
          });
        }
        return options.accept(event);
      };
      // One budget for the whole frame: a rate limit check that waited for a stuck Redis (and then
      // let the frame through) leaves less for the rest, so the refusal still comes in time. A
      // message that lands after its refusal is harmless: the resend has the same id (see above).
      const left = Math.max(100, ACCEPT_DEADLINE_MS - (Date.now() - started));
      result = await withinDeadline(left, appendAndAccept());
    } catch (caught) {
      // Not acked: the widget keeps the message and sends it again later.
      const error = asRedisUnavailable(caught);
      if (error instanceof RedisUnavailable) {
        // The Redis connection's own log line says Redis is away; one line per frame is enough here.
        logger.warn({ channel: 'webchat', reason: error.message }, 'web chat message not taken: Redis unavailable');
      } else {
        logger.error({ err: error, channel: 'webchat' }, 'could not queue web chat message');
      }
      return refuse(
        connection,
        'unavailable',
        `not accepted, please resend in ${UNAVAILABLE_RETRY_AFTER_SECONDS} s`,
        frame.id,
        UNAVAILABLE_RETRY_AFTER_SECONDS,
      );
    }
    send(connection, { type: 'ack', id: frame.id, duplicate: result === 'duplicate' });
  }

  async function hello(connection: Connection, frame: HelloFrame): Promise<void> {
    const known = frame.visitorId && verifyVisitor(secret, frame.visitorId, frame.token);
    const visitorId = known && frame.visitorId ? frame.visitorId : newVisitorId();
    await unlisten(connection);
    connection.visitor = { visitorId, site: frame.site, locale: frame.locale, name: frame.name };
    connection.lastSentSeq = known ? frame.lastSeq : 0;
    send(connection, { type: 'welcome', visitorId, token: signVisitor(secret, visitorId) });
    try {
      // Subscribe before reading history: a reply published in between is then seen
      // twice rather than never, and the seq check drops the second copy. With Redis away the
      // subscription waits for it (and the subscriber's 'ready' then catches this socket up from
      // its history), but the frames behind this hello do not wait: they are refused at once.
      await withinDeadline(ACCEPT_DEADLINE_MS, listen(connection));
      const history = await edge.lrange(webchatKeys(prefix, visitorId).history, 0, -1);
      for (const json of history) deliver(connection, JSON.parse(json) as ServerMessageFrame);
    } catch (caught) {
      const error = asRedisUnavailable(caught);
      if (!(error instanceof RedisUnavailable)) throw error;
      logger.warn({ channel: 'webchat', reason: error.message }, 'web chat history delayed: Redis unavailable');
      refuse(
        connection,
        'unavailable',
        'earlier messages cannot be loaded just now; they follow when the server is back',
        undefined,
        UNAVAILABLE_RETRY_AFTER_SECONDS,
      );
      // In the background, on the connection that waits Redis out: the history comes once it can.
      catchUp(connection);
    }
  }

  /** Listens for the visitor's live frames; the socket counts as listening before the subscription is made. */
  async function listen(connection: Connection): Promise<void> {
    if (!connection.visitor) return;
    const channel = webchatKeys(prefix, connection.visitor.visitorId).live;
    const set = listeners.get(channel);
    if (set) {
      set.add(connection);
      return;
    }
    listeners.set(channel, new Set([connection]));
    await subscriber.subscribe(channel);
  }

  async function unlisten(connection: Connection): Promise<void> {
    if (!connection.visitor) return;
    const channel = webchatKeys(prefix, connection.visitor.visitorId).live;
    const set = listeners.get(channel);
    if (!set) return;
    set.delete(connection);
    if (set.size === 0) {
      listeners.delete(channel);
      await subscriber.unsubscribe(channel).catch(() => {});
    }
  }

  function deliver(connection: Connection, frame: ServerMessageFrame): void {
    enqueueOut(connection, async () => {
      if (frame.seq <= connection.lastSentSeq) return;
      // A visitor's seqs follow each other; a jump means frames were missed live (Redis was away).
      if (frame.seq > connection.lastSentSeq + 1) await sendHistory(connection);
      if (frame.seq <= connection.lastSentSeq) return;
      connection.lastSentSeq = frame.seq;
      send(connection, frame);
    });
  }

  function catchUp(connection: Connection): void {
    enqueueOut(connection, () => sendHistory(connection));
  }

  /** Sends what the history holds past the last seq sent (a frame is in the history before it is published). */
  async function sendHistory(connection: Connection): Promise<void> {
    if (!connection.visitor) return;
    const history = await redis.lrange(webchatKeys(prefix, connection.visitor.visitorId).history, 0, -1);
    for (const json of history) {
      const frame = JSON.parse(json) as ServerMessageFrame;
      if (frame.seq <= connection.lastSentSeq) continue;
      connection.lastSentSeq = frame.seq;
      send(connection, frame);
    }
  }

  function enqueueOut(connection: Connection, work: () => Promise<void>): void {
    connection.outbox = (connection.outbox ?? Promise.resolve())
      .then(work)
      .catch((error: unknown) => logger.warn({ err: error, channel: 'webchat' }, 'web chat frames not delivered'));
  }

  function refuse(
    connection: Connection,
    code: string,
    message: string,
    id?: string,
    retryAfterSeconds?: number,
  ): void {
    logger.info({ channel: 'webchat', code, reason: message }, 'web chat frame refused');
    send(connection, { type: 'error', code, message, id, ...(retryAfterSeconds ? { retryAfterSeconds } : {}) });
  }

  return {
    connectionCount: () => wss.clients.size,
    async close() {
      clearInterval(heartbeat);
      server.off('upgrade', onUpgrade);
      for (const client of wss.clients) client.close(1001, 'server shutting down');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** What the visitor's bubble shows for a frame, or undefined when the visitor wrote nothing (a referral). */
function visitorLine(frame: MessageFrame): string | undefined {
  return frame.text?.trim() ? frame.text : (frame.postback?.title ?? frame.postback?.payload);
}

function send(connection: Connection, frame: ServerFrame): void {
  if (connection.socket.readyState === WebSocket.OPEN) connection.socket.send(JSON.stringify(frame));
}

function describe(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || 'frame'} ${issue.message}`).join('; ');
}

function idOf(json: unknown): string | undefined {
  const id = (json as { id?: unknown } | null)?.id;
  return typeof id === 'string' && id.length <= 64 ? id : undefined;
}
