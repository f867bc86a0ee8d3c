/**
 * Console sessions: a random token in a cookie, and in Redis (under the
 * SHA-256 of the token, so a Redis dump holds no usable token) the operator
 * it belongs to. The TTL slides: every use gives the session 12 hours more.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from '@passerelle/core';

export const SESSION_COOKIE = 'passerelle_console';
export const SESSION_TTL_SECONDS = 12 * 60 * 60;
/** 32 random bytes in base64url. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export interface ConsoleSession {
  operatorId: string;
  /** A digest of the password hash at login: a new password ends every older session. */
  credentialStamp: string;
  createdAt: string;
}

export function sessionKey(prefix: string, token: string): string {
  return `${prefix}:console:session:${createHash('sha256').update(token).digest('hex')}`;
}

/** What a session remembers of the password hash (not the hash itself). */
export function credentialStamp(passwordHash: string): string {
  return createHash('sha256').update(passwordHash).digest('base64url').slice(0, 22);
}

export class ConsoleSessions {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  /** A new session; returns the token to put in the cookie. */
  async create(operatorId: string, stamp: string): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    const session: ConsoleSession = { operatorId, credentialStamp: stamp, createdAt: new Date().toISOString() };
    await this.redis.set(sessionKey(this.prefix, token), JSON.stringify(session), 'EX', SESSION_TTL_SECONDS);
    return token;
  }

  /** The session behind a token, its TTL pushed back to 12 hours; undefined if none. */
  async touch(token: string): Promise<ConsoleSession | undefined> {
    if (!TOKEN_SHAPE.test(token)) return undefined;
    const raw = await this.redis.getex(sessionKey(this.prefix, token), 'EX', SESSION_TTL_SECONDS);
    if (!raw) return undefined;
    try {
      const session = JSON.parse(raw) as Partial<ConsoleSession>;
      if (typeof session.operatorId !== 'string' || typeof session.credentialStamp !== 'string') return undefined;
      return session as ConsoleSession;
    } catch {
      return undefined;
    }
  }

  async destroy(token: string): Promise<void> {
    if (TOKEN_SHAPE.test(token)) await this.redis.del(sessionKey(this.prefix, token));
  }
}

/** One cookie's value from a Cookie header (no cookie-parser needed for one name). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    const value = part
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
    try {
      return decodeURIComponent(value);
    } catch {
      return undefined;
    }
  }
  return undefined;
}
