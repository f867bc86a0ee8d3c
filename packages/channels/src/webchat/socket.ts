/**
 * The web chat socket on the gateway. Each browser says hello (who it is,
 * what it already has), sends message frames, and gets an ack once the
 * message is safely on the inbound queue: the socket's equivalent of a
 * webhook's 2xx. Replies come back through Redis pub/sub (see send.ts), so
 * any gateway process can hold the socket whatever process answers.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { EnqueueResult, InboundEvent, Logger, Redis } from '@passerelle/core';
import { WebSocket, WebSocketServer } from 'ws';
import type { z } from 'zod';
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
  redis: Redis;
  /** A connection of its own: a Redis connection in subscriber mode can do nothing else. */
  subscriber: Redis;
  prefix: string;
  secret: string;
  logger: Logger;
  accept: (event: InboundEvent) => Promise<EnqueueResult>;
}

interface Connection {
  socket: WebSocket;
  visitor?: WebchatVisitor;
  lastSentSeq: number;
  alive: boolean;
  /** Frames of one socket are handled one after the other, so they are queued in the order typed. */
  inbox: Promise<void>;
}

export interface WebchatSocketServer {
  connectionCount(): number;
  close(): Promise<void>;
}

export function attachWebchatSocket(server: Server, options: WebchatSocketOptions): WebchatSocketServer {
  const { redis, subscriber, prefix, secret, logger } = options;
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

  wss.on('connection', (socket: WebSocket) => {
    const connection: Connection = { socket, lastSentSeq: 0, alive: true, inbox: Promise.resolve() };
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
    socket.on('close', () => void unlisten(connection));
    socket.on('error', (error) => logger.warn({ err: error, channel: 'webchat' }, 'web chat socket error'));
  });

  async function onFrame(connection: Connection, raw: string | null): Promise<void> {
    if (raw === null) return refuse(connection, 'bad-frame', 'frames are JSON text');
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return refuse(connection, 'bad-frame', 'frame is not valid JSON');
    }
    const parsed = ClientFrame.safeParse(json);
    if (!parsed.success) return refuse(connection, 'bad-frame', describe(parsed.error), idOf(json));
    const frame = parsed.data;
    if (frame.type === 'hello') return hello(connection, frame);
    if (!connection.visitor) return refuse(connection, 'hello-first', 'send a hello frame first', frame.id);
    const event = parseWebchatFrame(frame, connection.visitor, new Date());
    let result: EnqueueResult;
    try {
      // The visitor's own line goes into the history before the message is queued, so
      // that on a reload it stands above the bot's answer. Appending is once per frame id.
      // A referral alone has no line: the visitor clicked a link on the site, wrote nothing.
      const line = visitorLine(frame);
      if (line !== undefined) {
        await appendToHistory(redis, prefix, connection.visitor.visitorId, {
          id: frame.id,
          from: 'visitor',
          parts: [{ type: 'text', text: line }],
        });
      }
      result = await options.accept(event);
    } catch (error) {
      // Not acked: the widget keeps the message and sends it again later.
      logger.error({ err: error, channel: 'webchat' }, 'could not queue web chat message');
      return refuse(connection, 'unavailable', 'not accepted, please resend', frame.id);
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
    // Subscribe before reading history: a reply published in between is then seen
    // twice rather than never, and the seq check drops the second copy.
    await listen(connection);
    const history = await redis.lrange(webchatKeys(prefix, visitorId).history, 0, -1);
    for (const json of history) deliver(connection, JSON.parse(json) as ServerMessageFrame);
  }

  async function listen(connection: Connection): Promise<void> {
    if (!connection.visitor) return;
    const channel = webchatKeys(prefix, connection.visitor.visitorId).live;
    let set = listeners.get(channel);
    if (!set) {
      set = new Set();
      listeners.set(channel, set);
      await subscriber.subscribe(channel);
    }
    set.add(connection);
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
    if (frame.seq <= connection.lastSentSeq) return;
    connection.lastSentSeq = frame.seq;
    send(connection, frame);
  }

  function refuse(connection: Connection, code: string, message: string, id?: string): void {
    logger.info({ channel: 'webchat', code, reason: message }, 'web chat frame refused');
    send(connection, { type: 'error', code, message, id });
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
