/**
 * Serves an open PGlite database to other processes over the PostgreSQL wire
 * protocol, on a Unix socket, so any PostgreSQL client (pg, psql) reaches it.
 *
 * PGlite is a single PostgreSQL session. Clients take turns: a connection
 * holds the session from its first message until PostgreSQL says it is idle
 * again (ReadyForQuery with status 'I'), so a transaction, or an extended-query
 * exchange (Parse, Bind, Execute... Sync), is never interleaved with another
 * client's. The owner process's own queries take the same turns (SessionGate).
 *
 * Why not @electric-sql/pglite-socket: it queues single messages, not whole
 * exchanges; with two pg clients it interleaves one client's Parse and the
 * other's Bind ("portal does not exist", reproduced with pglite-socket 0.2.18),
 * and it pins pglite to one exact version.
 */
import { chmod, mkdir, stat, unlink } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import type { PGlite } from '@electric-sql/pglite';
import type { MutexInterface } from 'async-mutex';
import type { SessionGate } from './session-gate.js';

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const TERMINATE = 0x58; // 'X'
const READY_FOR_QUERY = 0x5a; // 'Z'
const IDLE = 0x49; // 'I'
/**
 * A client that holds the session and then says nothing (a command suspended with Ctrl-Z in the
 * middle of a transaction) would stop everyone: after this long its connection is closed and its
 * transaction rolled back. Nothing committed is lost.
 */
const HOLD_IDLE_LIMIT_MS = 60_000;

export interface ProtocolServer {
  close(): Promise<void>;
  /** Connections open right now. */
  connections(): number;
}

export async function serveOverSocket(lite: PGlite, gate: SessionGate, path: string): Promise<ProtocolServer> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    new Connection(socket, lite, gate);
  });
  // Only the owner's user may connect: PGlite asks for no password.
  await unlink(path).catch(() => {});
  await listen(server, path);
  await chmod(path, 0o600);
  return {
    connections: () => sockets.size,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
      await unlink(path).catch(() => {});
    },
  };
}

/**
 * Makes the folder for the socket, open to this user only. A folder that already exists must be
 * this user's and closed to others: in a shared temporary folder, someone else could have made
 * it first to put a socket of their own where our guests would connect.
 */
export async function makeSocketDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const info = await stat(dir);
  const mine = typeof process.getuid !== 'function' || info.uid === process.getuid();
  if (!mine || (info.mode & 0o077) !== 0) {
    throw new Error(
      `the embedded database's socket folder ${dir} belongs to another user or is open to others: remove it, or set DATA_DIR to a shorter path of your own`,
    );
  }
}

function listen(server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** One client connection: frames its messages and runs them, in order, in its turn. */
class Connection {
  private buffer = Buffer.alloc(0);
  private started = false;
  private release: MutexInterface.Releaser | undefined;
  /** Messages are run one after another, in the order they arrived. */
  private work: Promise<void> = Promise.resolve();
  private closed = false;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly lite: PGlite,
    private readonly gate: SessionGate,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.work = this.work.then(() => this.drain()).catch((error) => this.fail(error));
    });
    socket.on('error', () => {});
    socket.once('close', () => {
      this.closed = true;
      this.work = this.work.then(() => this.endTurn(true)).catch(() => {});
    });
  }

  private async drain(): Promise<void> {
    for (;;) {
      const message = this.nextMessage();
      if (!message || this.closed) return;
      if (!this.started && this.answerPreamble(message)) continue;
      if (this.started && message[0] === TERMINATE) {
        this.socket.end();
        return;
      }
      this.started = true;
      this.release ??= await this.gate.acquire();
      clearTimeout(this.idleTimer);
      const reply = await this.lite.execProtocolRaw(message);
      if (reply.length > 0 && !this.socket.destroyed) this.socket.write(reply);
      if (endsIdle(reply)) await this.endTurn(false);
      else this.idleTimer = setTimeout(() => this.socket.destroy(), HOLD_IDLE_LIMIT_MS).unref();
    }
  }

  /** The next whole message, or undefined until more bytes arrive. */
  private nextMessage(): Buffer | undefined {
    // Before the startup message, frames have no type byte: length (4), then the body.
    const header = this.started ? 5 : 4;
    if (this.buffer.length < header) return undefined;
    const length = this.started ? 1 + this.buffer.readInt32BE(1) : this.buffer.readInt32BE(0);
    if (this.buffer.length < length) return undefined;
    const message = this.buffer.subarray(0, length);
    this.buffer = this.buffer.subarray(length);
    return message;
  }

  /** SSL, GSS and cancel requests come before the startup message: no encryption on a local socket. */
  private answerPreamble(message: Buffer): boolean {
    const code = message.length >= 8 ? message.readInt32BE(4) : 0;
    if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
      this.socket.write('N');
      return true;
    }
    if (code === CANCEL_REQUEST) {
      this.socket.end();
      return true;
    }
    return false;
  }

  /** Gives the session back; a client gone mid-transaction has its transaction rolled back first. */
  private async endTurn(gone: boolean): Promise<void> {
    clearTimeout(this.idleTimer);
    if (!this.release) return;
    if (gone && this.lite.isInTransaction()) await this.lite.exec('ROLLBACK').catch(() => {});
    const release = this.release;
    this.release = undefined;
    release();
  }

  private fail(error: unknown): void {
    void error;
    this.socket.destroy();
    this.closed = true;
    void this.endTurn(true);
  }
}

/**
 * Whether a reply ends with ReadyForQuery saying the session is idle (not in a
 * transaction): 'Z', its length (always 5), then the status byte.
 */
function endsIdle(reply: Uint8Array): boolean {
  const n = reply.length;
  return (
    n >= 6 &&
    reply[n - 6] === READY_FOR_QUERY &&
    reply[n - 5] === 0 &&
    reply[n - 4] === 0 &&
    reply[n - 3] === 0 &&
    reply[n - 2] === 5 &&
    reply[n - 1] === IDLE
  );
}
