/**
 * The operator console's login: password check (scrypt, same work whether or
 * not the email exists), brute-force limits, and sessions in a cookie. Also
 * the middleware every console API route sits behind.
 *
 *   POST /console/api/login   { email, password } -> { operator } and the cookie
 *   POST /console/api/logout  ends the session
 *   GET  /console/api/me      { operator }, or 401
 *
 * Cookies are HttpOnly, SameSite=Strict, Path=/console; on top of that every
 * request that changes something must be JSON (a cross-site form cannot send
 * that content type without a CORS preflight), else 415.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import {
  type Db,
  hashPassword,
  type Logger,
  type Operator,
  type OperatorCredentials,
  operatorCredentialsByEmail,
  operatorCredentialsById,
  type Redis,
  verifyPassword,
} from '@passerelle/core';
import express, { type CookieOptions, type RequestHandler, type Response, type Router } from 'express';
import { z } from 'zod';
import { LoginLimits } from './login-limits.js';
import { ConsoleSessions, credentialStamp, readCookie, SESSION_COOKIE } from './sessions.js';

export interface ConsoleAuthOptions {
  db: Db;
  redis: Redis;
  /** config.redisKeyPrefix */
  prefix: string;
  /** Secure cookies: on whenever the console is served over HTTPS. */
  secureCookies: boolean;
  logger: Logger;
}

export interface ConsoleAuth {
  /** The login, logout and me routes (full paths under /console/api; mount at the root). */
  router: Router;
  /** Lets through an active operator with a live session (and the manager role if asked). */
  requireOperator(role?: 'manager'): RequestHandler;
  /** The operator behind a request's session cookie, for what is not an express route (a WebSocket upgrade). */
  operatorOf(req: IncomingMessage): Promise<Operator | undefined>;
}

/** What the console gets to see of an operator. */
export interface ConsoleOperator {
  id: string;
  email: string;
  name: string;
  role: Operator['role'];
  team: string;
  maxConversations: number;
}

export const WRONG_CREDENTIALS = 'wrong email or password';
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const loginBody = z.object({
  email: z.string().trim().toLowerCase().max(254).pipe(z.email('not an email address')),
  password: z.string().min(1, 'empty').max(1024, 'too long'),
});

/** The operator a requireOperator()-protected route runs for. */
export function currentOperator(res: Response): Operator {
  const operator = res.locals.operator as Operator | undefined;
  if (!operator) throw new Error('currentOperator() used on a route without requireOperator()');
  return operator;
}

export function toConsoleOperator(operator: Operator): ConsoleOperator {
  const { id, email, name, role, team, maxConversations } = operator;
  return { id, email, name, role, team, maxConversations };
}

/** z***@example.com: enough to follow one account's failures in the logs, not to collect addresses. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return '***';
  return `${email.slice(0, 1)}***${email.slice(at)}`;
}

export function createConsoleAuth({ db, redis, prefix, secureCookies, logger }: ConsoleAuthOptions): ConsoleAuth {
  const sessions = new ConsoleSessions(redis, prefix);
  const limits = new LoginLimits(redis, prefix);
  const log = logger.child({ component: 'console-auth' });
  const cookie: CookieOptions = { httpOnly: true, sameSite: 'strict', path: '/console', secure: secureCookies };
  // Checked against when the email is unknown, so that the answer takes as long as for a real account.
  let dummyHash: Promise<string> | undefined;
  const dummy = () => {
    dummyHash ??= hashPassword(`no such operator ${randomUUID()}`);
    return dummyHash;
  };
  dummy().catch(() => {
    dummyHash = undefined; // tried again at the next unknown email
  });

  /** The session and its operator, if both are still good; a dead session is deleted. */
  async function resolve(token: string | undefined): Promise<OperatorCredentials | undefined> {
    if (!token) return undefined;
    const session = await sessions.touch(token);
    if (!session) return undefined;
    const credentials = await operatorCredentialsById(db, session.operatorId);
    if (!credentials?.operator.active || credentialStamp(credentials.passwordHash) !== session.credentialStamp) {
      await sessions.destroy(token);
      return undefined;
    }
    return credentials;
  }

  const router = express.Router();
  const json = jsonBody();

  router.post('/console/api/login', requireJsonContent, json, async (req, res) => {
    res.set('Cache-Control', 'no-store');
    const parsed = loginBody.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: describeIssues(parsed.error) });
      return;
    }
    const { email, password } = parsed.data;
    const ip = req.ip ?? req.socket.remoteAddress ?? 'unknown';

    const attempt = await limits.attempt(email, ip);
    if (!attempt.allowed) {
      const seconds = Math.ceil(attempt.retryAfterMs / 1000);
      const minutes = Math.ceil(seconds / 60);
      log.warn({ email: maskEmail(email), ip, retryAfterSeconds: seconds }, 'console login refused: too many attempts');
      res.set('Retry-After', String(seconds));
      res.status(429).json({ error: `too many attempts, try again in ${minutes} minute${minutes === 1 ? '' : 's'}` });
      return;
    }

    let credentials: OperatorCredentials | undefined;
    let matches = false;
    try {
      credentials = await operatorCredentialsByEmail(db, email);
      matches = await verifyPassword(password, credentials?.passwordHash ?? (await dummy()));
    } catch (error) {
      // Not a wrong password (the database, a corrupt hash): do not count it against the person.
      await attempt.release('error').catch(() => {});
      throw error;
    }
    const ok = Boolean(credentials?.operator.active && matches);
    await attempt.release(ok ? 'success' : 'failure');
    if (!credentials || !ok) {
      const reason = !credentials ? 'unknown email' : !matches ? 'wrong password' : 'operator deactivated';
      log.warn({ email: maskEmail(email), ip, reason }, 'console login failed');
      res.status(401).json({ error: WRONG_CREDENTIALS });
      return;
    }

    // A new token at every login (no session fixation); the one this browser had, if any, ends.
    const previous = readCookie(req.headers.cookie, SESSION_COOKIE);
    if (previous) await sessions.destroy(previous);
    const token = await sessions.create(credentials.operator.id, credentialStamp(credentials.passwordHash));
    res.cookie(SESSION_COOKIE, token, cookie);
    log.info({ operatorId: credentials.operator.id, ip }, 'console login');
    res.json({ operator: toConsoleOperator(credentials.operator) });
  });

  router.post('/console/api/logout', requireJsonContent, async (req, res) => {
    res.set('Cache-Control', 'no-store');
    const token = readCookie(req.headers.cookie, SESSION_COOKIE);
    if (token) await sessions.destroy(token);
    res.clearCookie(SESSION_COOKIE, cookie);
    res.status(204).end();
  });

  function requireOperator(role?: 'manager'): RequestHandler {
    return async (req, res, next) => {
      if (MUTATING.has(req.method) && !isJsonContent(req.get('content-type'))) {
        res.status(415).json({ error: 'send JSON, with content-type: application/json' });
        return;
      }
      const token = readCookie(req.headers.cookie, SESSION_COOKIE);
      const credentials = await resolve(token);
      if (!credentials) {
        if (token) res.clearCookie(SESSION_COOKIE, cookie);
        res.status(401).json({ error: 'log in first' });
        return;
      }
      if (role === 'manager' && credentials.operator.role !== 'manager') {
        res.status(403).json({ error: 'only a manager may do this' });
        return;
      }
      res.locals.operator = credentials.operator;
      next();
    };
  }

  router.get('/console/api/me', requireOperator(), (_req, res) => {
    res.set('Cache-Control', 'no-store');
    res.json({ operator: toConsoleOperator(currentOperator(res)) });
  });

  return {
    router,
    requireOperator,
    async operatorOf(req) {
      const credentials = await resolve(readCookie(req.headers.cookie, SESSION_COOKIE));
      return credentials?.operator;
    },
  };
}

function isJsonContent(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() === 'application/json';
}

const requireJsonContent: RequestHandler = (req, res, next) => {
  if (!isJsonContent(req.get('content-type'))) {
    res.status(415).json({ error: 'send JSON, with content-type: application/json' });
    return;
  }
  next();
};

/** express.json() on this route only (webhooks mounted elsewhere keep their raw bodies), with plain refusals. */
function jsonBody(): RequestHandler {
  const parse = express.json({ limit: '10kb' });
  return (req, res, next) => {
    parse(req, res, (error?: unknown) => {
      if (!error) return next();
      const status = (error as { status?: number }).status;
      if (status === 413) res.status(413).json({ error: 'the body is too large' });
      else res.status(400).json({ error: 'the body is not valid JSON' });
    });
  };
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}
