/**
 * The console login as a browser meets it: a real express app with the auth
 * router and protected routes on a real HTTP port, a real Redis (sessions,
 * attempt counters) and PGlite in memory. Each test logs in from an address
 * of its own (X-Forwarded-For, as behind the gateway's proxy) so that the
 * per-IP counters of one test never touch another.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { jsonErrorHandler } from '@passerelle/channels';
import {
  createLogger,
  createOperator,
  type Db,
  maskPhonesInText,
  migrate,
  openDb,
  type Redis,
  setOperatorActive,
  setOperatorPassword,
  updateOperator,
} from '@passerelle/core';
import express from 'express';
import { deletePrefix, openRedis, uniquePrefix } from '../../../test/support/services.js';
import { type ConsoleAuth, createConsoleAuth, currentOperator, maskEmail } from '../src/console/auth.js';
import { ipKey, loginLimitKeys } from '../src/console/login-limits.js';
import { SESSION_TTL_SECONDS, sessionKey } from '../src/console/sessions.js';

const PASSWORD = 'the right password';
const logLines: string[] = [];
const logger = createLogger({
  level: 'info',
  destination: {
    write(line: string) {
      logLines.push(line);
    },
  },
});

let redis: Redis;
let db: Db;
let prefix: string;
let base: string;
let secureBase: string;
let auth: ConsoleAuth;
const servers: Array<{ close(): unknown }> = [];

async function serve(secureCookies: boolean): Promise<{ url: string; auth: ConsoleAuth }> {
  const consoleAuth = createConsoleAuth({ db, redis, prefix, secureCookies, logger });
  const app = express();
  app.set('trust proxy', true);
  app.use(consoleAuth.router);
  app.get('/console/api/test/whoami', consoleAuth.requireOperator(), (_req, res) => {
    res.json({ id: currentOperator(res).id });
  });
  app.post('/console/api/test/action', consoleAuth.requireOperator(), express.json(), (req, res) => {
    res.json({ done: req.body, by: currentOperator(res).email });
  });
  app.get('/console/api/test/managers', consoleAuth.requireOperator('manager'), (_req, res) => {
    res.json({ ok: true });
  });
  app.get('/console/api/test/operator-of', async (req, res) => {
    res.json({ email: (await consoleAuth.operatorOf(req))?.email ?? null });
  });
  app.use(jsonErrorHandler(logger));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, auth: consoleAuth };
}

let addressCounter = 0;
/** An address of its own for each test (documentation range). */
function newIp(): string {
  addressCounter += 1;
  return `203.0.113.${addressCounter}`;
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
  cookie: string | undefined;
  setCookie: string[];
}

async function call(
  method: string,
  path: string,
  options: { ip?: string; cookie?: string; json?: unknown; body?: string; contentType?: string; url?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { 'x-forwarded-for': options.ip ?? '198.51.100.1' };
  if (options.cookie) headers.cookie = options.cookie;
  let body: string | undefined = options.body;
  if (options.json !== undefined) body = JSON.stringify(options.json);
  if (options.contentType ?? (body !== undefined || method !== 'GET')) {
    headers['content-type'] = options.contentType ?? 'application/json';
  }
  const response = await fetch(`${options.url ?? base}${path}`, { method, headers, body: body ?? null });
  const text = await response.text();
  const setCookie = response.headers.getSetCookie();
  const session = setCookie.find((line) => line.startsWith('passerelle_console='));
  return {
    status: response.status,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    headers: response.headers,
    cookie: session?.split(';')[0],
    setCookie,
  };
}

const login = (email: string, password: string, ip: string, url?: string) =>
  call('POST', '/console/api/login', { json: { email, password }, ip, ...(url ? { url } : {}) });

function tokenOf(cookie: string | undefined): string {
  assert.ok(cookie, 'a session cookie was set');
  return decodeURIComponent(cookie.slice('passerelle_console='.length));
}

const emails = {
  alice: 'alice@example.com',
  martin: 'martin@example.com',
  carol: 'carol@example.com',
  dave: 'dave@example.com',
  erin: 'erin@example.com',
  frank: 'frank@example.com',
};

describe('console login, sessions and operator checks', () => {
  before(async () => {
    redis = openRedis('console-auth-test');
    prefix = uniquePrefix('console-auth');
    db = await openDb({ inMemory: true });
    await migrate(db);
    await createOperator(db, { email: emails.alice, name: 'Alice', password: PASSWORD, maxConversations: 4 });
    await createOperator(db, {
      email: emails.martin,
      name: 'Martin',
      role: 'manager',
      team: 'sales',
      password: PASSWORD,
    });
    for (const name of ['carol', 'dave', 'erin', 'frank'] as const) {
      await createOperator(db, { email: emails[name], name, password: PASSWORD });
    }
    ({ url: base, auth } = await serve(false));
    ({ url: secureBase } = await serve(true));
  });

  after(async () => {
    for (const server of servers) server.close();
    await deletePrefix(redis, prefix);
    await redis.quit();
    await db.close();
  });

  it('logs in: the operator, an HttpOnly SameSite=Strict cookie on /console, the session in Redis for 12 h', async () => {
    const answer = await login('  Alice@Example.com ', PASSWORD, newIp());
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const operator = answer.body.operator as Record<string, unknown>;
    assert.deepEqual(Object.keys(operator).sort(), ['email', 'id', 'maxConversations', 'name', 'role', 'team']);
    assert.deepEqual(
      { ...operator, id: undefined },
      { id: undefined, email: emails.alice, name: 'Alice', role: 'operator', team: 'support', maxConversations: 4 },
    );
    assert.equal(answer.headers.get('cache-control'), 'no-store');

    const line = answer.setCookie.find((cookie) => cookie.startsWith('passerelle_console='));
    assert.ok(line, `a passerelle_console cookie should be set: ${answer.setCookie.join(' | ')}`);
    const attributes = line.split(';').map((part) => part.trim().toLowerCase());
    assert.ok(attributes.includes('httponly'), `HttpOnly: ${line}`);
    assert.ok(attributes.includes('samesite=strict'), `SameSite=Strict: ${line}`);
    assert.ok(attributes.includes('path=/console'), `Path=/console: ${line}`);
    assert.ok(!attributes.includes('secure'), `no Secure when secureCookies is off: ${line}`);
    const token = tokenOf(answer.cookie);
    assert.match(token, /^[A-Za-z0-9_-]{43}$/, '32 random bytes in base64url');

    const key = `${prefix}:console:session:${createHash('sha256').update(token).digest('hex')}`;
    assert.equal(sessionKey(prefix, token), key);
    const stored = await redis.get(key);
    assert.ok(stored, 'the session is in Redis under the SHA-256 of the token');
    assert.ok(!stored.includes(token), 'Redis does not hold the token itself');
    assert.equal(JSON.parse(stored).operatorId, operator.id);
    const ttl = await redis.ttl(key);
    assert.ok(ttl > SESSION_TTL_SECONDS - 10 && ttl <= SESSION_TTL_SECONDS, `TTL about 12 h, is ${ttl}`);

    const me = await call('GET', '/console/api/me', { cookie: answer.cookie });
    assert.equal(me.status, 200);
    assert.deepEqual(me.body, { operator });
    assert.deepEqual((await call('GET', '/console/api/test/operator-of', { cookie: answer.cookie })).body, {
      email: emails.alice,
    });
  });

  it('sets the Secure attribute when secureCookies is on', async () => {
    const answer = await login(emails.alice, PASSWORD, newIp(), secureBase);
    assert.equal(answer.status, 200);
    const line = answer.setCookie.find((cookie) => cookie.startsWith('passerelle_console=')) ?? '';
    assert.ok(
      line
        .split(';')
        .map((part) => part.trim().toLowerCase())
        .includes('secure'),
      `Secure: ${line}`,
    );
  });

  it('gives the same 401 for a wrong password, an unknown email and a deactivated operator, after the same work', async () => {
    await setOperatorActive(db, emails.frank, false);
    const ip = newIp();
    logLines.length = 0;
    const timed = async (email: string, password: string) => {
      const started = performance.now();
      const answer = await login(email, password, ip);
      return { answer, ms: performance.now() - started };
    };
    const wrong = await timed(emails.alice, 'not the password');
    const unknown = await timed('nobody@example.com', 'not the password');
    const inactive = await timed(emails.frank, PASSWORD);
    for (const { answer } of [wrong, unknown, inactive]) {
      assert.equal(answer.status, 401);
      assert.deepEqual(answer.body, { error: 'wrong email or password' });
      assert.equal(answer.cookie, undefined, 'no session cookie on a failed login');
    }
    // Without a dummy hash an unknown email would answer in a millisecond instead of a scrypt's time.
    assert.ok(
      unknown.ms > wrong.ms * 0.3,
      `an unknown email should cost a password check too (${unknown.ms.toFixed(0)} ms vs ${wrong.ms.toFixed(0)} ms)`,
    );

    const warnings = logLines.map((line) => JSON.parse(line)).filter((entry) => entry.msg === 'console login failed');
    assert.equal(warnings.length, 3, logLines.join(''));
    assert.deepEqual(
      warnings.map((entry) => [entry.level, entry.email]),
      [
        ['warn', 'a***@example.com'],
        ['warn', 'n***@example.com'],
        ['warn', 'f***@example.com'],
      ],
    );
    for (const entry of warnings) {
      // The logger's phone masking currently also masks a dotted IPv4 (9+ digits): either form is the address.
      assert.ok(entry.ip === ip || entry.ip === maskPhonesInText(ip), `the IP is logged: ${entry.ip}`);
    }
    const logged = logLines.join('');
    assert.ok(!logged.includes('not the password') && !logged.includes(PASSWORD), 'no password in the logs');
    assert.ok(!logged.includes(emails.alice), 'no full email in the logs');
    assert.equal(maskEmail('zoe@example.com'), 'z***@example.com');
    await setOperatorActive(db, emails.frank, true);
  });

  it('answers 400 with a reason for bad input, and 415 for a login that is not JSON', async () => {
    const ip = newIp();
    const missing = await call('POST', '/console/api/login', { json: { email: emails.alice }, ip });
    assert.equal(missing.status, 400);
    assert.match(String(missing.body.error), /password/);
    const notEmail = await call('POST', '/console/api/login', { json: { email: 'alice', password: PASSWORD }, ip });
    assert.equal(notEmail.status, 400);
    assert.match(String(notEmail.body.error), /email: not an email address/);
    const malformed = await call('POST', '/console/api/login', { body: '{"email":', ip });
    assert.deepEqual([malformed.status, malformed.body], [400, { error: 'the body is not valid JSON' }]);
    const notObject = await call('POST', '/console/api/login', { json: ['x'], ip });
    assert.equal(notObject.status, 400);
    const form = await call('POST', '/console/api/login', {
      body: `email=${encodeURIComponent(emails.alice)}&password=${encodeURIComponent(PASSWORD)}`,
      contentType: 'application/x-www-form-urlencoded',
      ip,
    });
    assert.equal(form.status, 415);
    assert.equal(form.cookie, undefined, 'a form post never logs in');
  });

  it('refuses the protected routes without a session: 401 log in first', async () => {
    assert.deepEqual(await call('GET', '/console/api/me').then((a) => [a.status, a.body]), [
      401,
      { error: 'log in first' },
    ]);
    const forged = await call('GET', '/console/api/test/whoami', { cookie: `passerelle_console=${'A'.repeat(43)}` });
    assert.deepEqual([forged.status, forged.body], [401, { error: 'log in first' }]);
    assert.ok(
      forged.setCookie.some((line) => /^passerelle_console=;/.test(line)),
      `a dead cookie is cleared: ${forged.setCookie.join(' | ')}`,
    );
    assert.deepEqual((await call('GET', '/console/api/test/operator-of')).body, { email: null });
  });

  it('slides the session: each use gives it 12 hours again', async () => {
    const { cookie } = await login(emails.alice, PASSWORD, newIp());
    const key = sessionKey(prefix, tokenOf(cookie));
    await redis.expire(key, 60);
    assert.ok((await redis.ttl(key)) <= 60, 'the TTL was shortened for the test');
    assert.equal((await call('GET', '/console/api/test/whoami', { cookie })).status, 200);
    const ttl = await redis.ttl(key);
    assert.ok(ttl > SESSION_TTL_SECONDS - 10, `the TTL is back to about 12 h after a use, is ${ttl}`);
  });

  it('logs out: the session is deleted, the cookie cleared, and the old cookie no longer works', async () => {
    const { cookie } = await login(emails.alice, PASSWORD, newIp());
    const key = sessionKey(prefix, tokenOf(cookie));
    assert.equal(await redis.exists(key), 1);
    assert.equal(
      (await call('POST', '/console/api/logout', { cookie, body: '', contentType: 'text/plain' })).status,
      415,
    );
    assert.equal(await redis.exists(key), 1, 'a logout that is not JSON does nothing');
    const out = await call('POST', '/console/api/logout', { cookie });
    assert.equal(out.status, 204);
    const cleared = out.setCookie.find((line) => line.startsWith('passerelle_console=')) ?? '';
    assert.match(cleared, /^passerelle_console=;/, `the cookie is emptied: ${cleared}`);
    assert.match(cleared, /Expires=Thu, 01 Jan 1970/i, `and expired: ${cleared}`);
    assert.match(cleared, /Path=\/console/i, `on the same path: ${cleared}`);
    assert.equal(await redis.exists(key), 0, 'the session is gone from Redis');
    assert.equal((await call('GET', '/console/api/me', { cookie })).status, 401);
    assert.equal((await call('POST', '/console/api/logout', {})).status, 204, 'logging out twice is fine');
  });

  it('a new login replaces the session the browser had', async () => {
    const ip = newIp();
    const first = await login(emails.alice, PASSWORD, ip);
    const second = await call('POST', '/console/api/login', {
      json: { email: emails.alice, password: PASSWORD },
      cookie: first.cookie,
      ip,
    });
    assert.equal(second.status, 200);
    assert.notEqual(second.cookie, first.cookie);
    assert.equal(await redis.exists(sessionKey(prefix, tokenOf(first.cookie))), 0, 'the old session ended');
    assert.equal((await call('GET', '/console/api/me', { cookie: second.cookie })).status, 200);
  });

  it('refuses a deactivated operator at once, even with a live session, and the session does not come back', async () => {
    const { cookie } = await login(emails.carol, PASSWORD, newIp());
    assert.equal((await call('GET', '/console/api/me', { cookie })).status, 200);
    await setOperatorActive(db, emails.carol, false);
    const refused = await call('GET', '/console/api/me', { cookie });
    assert.deepEqual([refused.status, refused.body], [401, { error: 'log in first' }]);
    assert.equal(await redis.exists(sessionKey(prefix, tokenOf(cookie))), 0, 'the session was deleted');
    const again = await login(emails.carol, PASSWORD, newIp());
    assert.deepEqual([again.status, again.body], [401, { error: 'wrong email or password' }]);
    await setOperatorActive(db, emails.carol, true);
    assert.equal((await call('GET', '/console/api/me', { cookie })).status, 401, 'reactivating does not revive it');
  });

  it('ends every session of an operator whose password is changed', async () => {
    const { cookie } = await login(emails.dave, PASSWORD, newIp());
    assert.equal((await call('GET', '/console/api/me', { cookie })).status, 200);
    await setOperatorPassword(db, emails.dave, 'another right password');
    assert.equal((await call('GET', '/console/api/me', { cookie })).status, 401);
    assert.equal((await login(emails.dave, 'another right password', newIp())).status, 200);
  });

  it('answers 403 when the role is not enough, and follows a role change at once', async () => {
    const operator = await login(emails.erin, PASSWORD, newIp());
    const manager = await login(emails.martin, PASSWORD, newIp());
    const refused = await call('GET', '/console/api/test/managers', { cookie: operator.cookie });
    assert.equal(refused.status, 403);
    assert.equal(typeof refused.body.error, 'string');
    assert.equal((await call('GET', '/console/api/test/managers', { cookie: manager.cookie })).status, 200);
    assert.equal(
      (await call('GET', '/console/api/test/whoami', { cookie: manager.cookie })).status,
      200,
      'a manager is also an operator',
    );
    await updateOperator(db, emails.erin, { role: 'manager' });
    assert.equal((await call('GET', '/console/api/test/managers', { cookie: operator.cookie })).status, 200);
    await updateOperator(db, emails.martin, { role: 'operator' });
    assert.equal((await call('GET', '/console/api/test/managers', { cookie: manager.cookie })).status, 403);
    await updateOperator(db, emails.erin, { role: 'operator' });
    await updateOperator(db, emails.martin, { role: 'manager' });
  });

  it('answers 415 to a form post or a text body on a protected route, and serves JSON', async () => {
    const { cookie } = await login(emails.alice, PASSWORD, newIp());
    const form = await call('POST', '/console/api/test/action', {
      cookie,
      body: 'close=1',
      contentType: 'application/x-www-form-urlencoded',
    });
    assert.equal(form.status, 415);
    assert.match(String(form.body.error), /application\/json/);
    const text = await call('POST', '/console/api/test/action', { cookie, body: 'close', contentType: 'text/plain' });
    assert.equal(text.status, 415);
    const multipart = await call('POST', '/console/api/test/action', {
      cookie,
      body: '--x--',
      contentType: 'multipart/form-data; boundary=x',
    });
    assert.equal(multipart.status, 415);
    const json = await call('POST', '/console/api/test/action', {
      cookie,
      json: { close: 1 },
      contentType: 'application/json; charset=utf-8',
    });
    assert.deepEqual([json.status, json.body], [200, { done: { close: 1 }, by: emails.alice }]);
  });

  it('answers the 6th wrong attempt for one email from one address with 429, even with the right password', async () => {
    const ip = newIp();
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      const answer = await login(emails.alice, `wrong password ${attempt}`, ip);
      assert.equal(answer.status, 401, `attempt ${attempt} is a plain refusal`);
    }
    const sixth = await login(emails.alice, 'wrong password 6', ip);
    assert.equal(sixth.status, 429);
    const retryAfter = Number(sixth.headers.get('retry-after'));
    assert.ok(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= 15 * 60, `Retry-After: ${retryAfter}`);
    assert.match(String(sixth.body.error), /^too many attempts, try again in (\d+) minutes?$/);
    assert.equal(
      Number(/in (\d+) minute/.exec(String(sixth.body.error))?.[1]),
      Math.ceil(retryAfter / 60),
      'the minutes in the message match Retry-After',
    );

    const right = await login(emails.alice, PASSWORD, ip);
    assert.equal(right.status, 429, 'the right password does not get through the window either');
    assert.equal(right.cookie, undefined);
    const key = loginLimitKeys(prefix, emails.alice, ip).emailAndIp;
    const ttl = await redis.pttl(key);
    assert.ok(ttl > 0 && ttl <= 15 * 60 * 1000, `the (email, IP) counter lives for the 15-minute window, pttl ${ttl}`);
    assert.ok(
      Math.abs(Math.ceil(ttl / 1000) - retryAfter) <= 2,
      `Retry-After ${retryAfter} s matches the TTL ${ttl} ms`,
    );

    const elsewhere = await login(emails.alice, PASSWORD, newIp());
    assert.equal(elsewhere.status, 200, 'the same email from another address is not blocked');
    const otherEmail = await login(emails.martin, PASSWORD, ip);
    assert.equal(otherEmail.status, 200, 'another email from the same address is not blocked');

    // The window passing, without waiting 15 minutes.
    await redis.pexpire(key, 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal((await login(emails.alice, PASSWORD, ip)).status, 200, 'after the window, the right password works');
  });

  it('starts the count again after a success', async () => {
    const ip = newIp();
    for (let attempt = 1; attempt <= 4; attempt += 1)
      assert.equal((await login(emails.alice, 'wrong password', ip)).status, 401);
    assert.equal((await login(emails.alice, PASSWORD, ip)).status, 200);
    assert.equal(await redis.exists(loginLimitKeys(prefix, emails.alice, ip).emailAndIp), 0, 'the counter was reset');
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      assert.equal((await login(emails.alice, 'wrong password', ip)).status, 401, `attempt ${attempt} after the reset`);
    }
    assert.equal((await login(emails.alice, 'wrong password', ip)).status, 429);
  });

  it('counts attempts sent all at once: 5 are checked, the others refused', async () => {
    const ip = newIp();
    const answers = await Promise.all(Array.from({ length: 10 }, () => login(emails.alice, 'wrong password', ip)));
    const statuses = answers.map((answer) => answer.status).sort();
    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429, 429, 429, 429, 429]);
  });

  it('limits one address to 30 failed attempts an hour across emails', async () => {
    const ip = newIp();
    assert.equal((await login(emails.alice, PASSWORD, ip)).status, 200, 'a success does not count');
    for (let n = 1; n <= 30; n += 1) {
      const answer = await login(`guess${n}@example.com`, 'wrong password', ip);
      assert.equal(answer.status, 401, `failure ${n} of 30 is a plain refusal`);
    }
    const limited = await login(emails.alice, PASSWORD, ip);
    assert.equal(limited.status, 429, 'the 31st attempt is refused, even a right one for a fresh email');
    const retryAfter = Number(limited.headers.get('retry-after'));
    assert.ok(retryAfter > 15 * 60 && retryAfter <= 60 * 60, `Retry-After within the hour: ${retryAfter}`);
    const ttl = await redis.ttl(loginLimitKeys(prefix, emails.alice, ip).ip);
    assert.ok(ttl > 0 && ttl <= 60 * 60, `the per-IP counter lives for the hour, ttl ${ttl}`);
    assert.equal((await login(emails.alice, PASSWORD, newIp())).status, 200, 'another address is not limited');
  });

  it('counts an IPv6 client by its /64, and an IPv4-mapped address as IPv4', () => {
    assert.equal(ipKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
    assert.equal(ipKey('2001:0db8:0001:0002:bbbb:cccc:dddd:eeee'), '2001:db8:1:2::/64');
    assert.equal(ipKey('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(ipKey('::1'), '0:0:0:0::/64');
    assert.equal(ipKey('::ffff:192.0.2.7'), '192.0.2.7');
    assert.equal(ipKey('192.0.2.7'), '192.0.2.7');
    assert.ok(auth, 'the auth was created');
  });
});
