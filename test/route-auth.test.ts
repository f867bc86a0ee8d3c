/**
 * Who may call what: every route the real gateway serves (read from the
 * express router stack of the app its runtime built, every channel on, so a
 * route added later is checked without anyone listing it here) is either on
 * the public allow-list below, with the reason it may be public, or refuses
 * a caller without credentials, with a wrong session cookie, with a session
 * that ended (logged out), with a wrong admin token, and with the other
 * kind's credentials (an operator's session on an admin route, the admin
 * token on a console route): 401 or 403, every time.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ALL_CHANNELS_SECRETS, type AllChannelsGateway, startAllChannelsGateway } from './support/all-channels.js';
import { addOperator } from './support/console-client.js';
import { runCliToEnd } from './support/gateway-process.js';
import { waitFor } from './support/services.js';

const PRELOAD = fileURLToPath(new URL('./support/route-table-preload.mjs', import.meta.url));
const OPERATOR = { email: 'route-auth@example.com', name: 'Route Auth', password: 'a long operator password 42' };

interface RouteTable {
  routes: Array<{ method: string; path: string }>;
  staticMounts: string[];
  prefixedRouters: string[];
}

/**
 * Routes anyone may call, and why that is safe. Anything not matched here must refuse
 * unauthenticated callers.
 */
const PUBLIC_ROUTES: Array<{ method: string; path: RegExp; why: string }> = [
  { method: 'GET', path: /^\/healthz$/, why: 'liveness probe: says "ok", nothing else' },
  { method: 'GET', path: /^\/readyz$/, why: 'readiness probe: Redis and database reachable or not, no detail' },
  {
    method: 'GET',
    path: /^\/metrics$/,
    why: 'Prometheus scrape: counters and histograms by channel and result, no message, id or number (docs/security.md)',
  },
  { method: 'GET', path: /^\/webchat\/widget\.js$/, why: 'the widget script, embedded by any site' },
  {
    method: 'GET',
    path: /^\/console\/vendor\/chart\.umd\.min\.js$/,
    why: "Chart.js's browser build, a public library",
  },
  { method: 'POST', path: /^\/console\/api\/login$/, why: 'the login itself (rate-limited per email and address)' },
  { method: 'POST', path: /^\/console\/api\/logout$/, why: 'ends the caller’s own session, if any' },
  { method: 'POST', path: /^\/webhooks\/twilio(\/status)?$/, why: 'Twilio webhooks: X-Twilio-Signature checked' },
  { method: 'POST', path: /^\/webhooks\/telegram$/, why: 'Telegram webhook: secret token header checked' },
  { method: 'POST', path: /^\/api\/messages$/, why: 'Bot Framework: JWT checked (open mode: loopback only)' },
  { method: 'GET', path: /^\/media\/telegram\/:fileId$/, why: 'media links signed with an HMAC of the bot token' },
  {
    method: 'GET',
    path: /^\/whatsapp\/media\/:id$/,
    why: 'media ids are 18 random bytes, unguessable (whatsapp/media.ts)',
  },
];

/** Runs a gateway command to its end; fails with its output unless it exits 0. */
async function runToEnd(args: string[], env: Record<string, string>): Promise<void> {
  const run = await runCliToEnd(args, env);
  assert.equal(
    run.code,
    0,
    `gateway ${args.join(' ')} failed:
${run.stdout}${run.stderr}`,
  );
}

/** Admin routes: the bearer ADMIN_TOKEN. Everything else not public: a console session. */
const isAdmin = (path: string) => path.startsWith('/admin/');

/** A concrete URL for a route pattern: each :param becomes a value that exists nowhere. */
const concrete = (path: string) => path.replace(/:(\w+)/g, (_match, name: string) => `no-such-${name}`);

describe('every route the gateway serves needs credentials unless it is on the public list', () => {
  let all: AllChannelsGateway;
  let table: RouteTable;
  let tableDir: string;
  let operatorCookie: string;
  let endedSessionCookie: string;

  /** Logs in as the operator; the session cookie (name=value). */
  async function login(): Promise<string> {
    const response = await fetch(`${all.gateway.url}/console/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: OPERATOR.email, password: OPERATOR.password }),
    });
    assert.equal(response.status, 200, `login: ${await response.text()}`);
    const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    assert.match(cookie, /^passerelle_console=./, 'the login sets the session cookie');
    return cookie;
  }

  before(
    async () => {
      tableDir = await mkdtemp(join(tmpdir(), 'passerelle-route-table-'));
      const tableFile = join(tableDir, 'routes.json');
      all = await startAllChannelsGateway('route-auth', {
        nodeOptions: `--import=${PRELOAD}`,
        env: { ROUTE_TABLE_FILE: tableFile },
        beforeStart: async (env) => {
          await runToEnd(['migrate'], env);
          await addOperator(env, OPERATOR);
        },
      });
      table = JSON.parse(await waitFor('the route table', () => readFile(tableFile, 'utf8'))) as RouteTable;
      operatorCookie = await login();
      // A session that has ended: logged in, then out; its cookie is kept, as a thief would keep it.
      endedSessionCookie = await login();
      const logout = await fetch(`${all.gateway.url}/console/api/logout`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: endedSessionCookie },
        body: '{}',
      });
      assert.equal(logout.status, 204, 'logout');
    },
    { timeout: 120_000 },
  );
  after(async () => {
    await all?.close();
    if (tableDir) await rm(tableDir, { recursive: true, force: true });
  });

  it('reads the routes of the running app, every channel on', () => {
    const paths = table.routes.map((route) => `${route.method} ${route.path}`);
    for (const expected of [
      'POST /webhooks/twilio',
      'POST /webhooks/telegram',
      'POST /api/messages',
      'GET /admin/whatsapp',
      'GET /admin/dead-letters',
      'GET /console/api/me',
      'GET /console/api/events',
    ]) {
      assert.ok(paths.includes(expected), `the walk found ${expected} (found: ${paths.join(', ')})`);
    }
    assert.deepEqual(table.prefixedRouters, [], 'no router is mounted under a prefix the walk would have to know');
    assert.deepEqual(table.staticMounts, ['/'], 'static files (pages, scripts, styles) are served from public/ only');
  });

  it('lists every public route as public for a reason, and no route twice', () => {
    const seen = new Set<string>();
    for (const route of table.routes) {
      const key = `${route.method} ${route.path}`;
      assert.ok(!seen.has(key), `${key} is mounted twice`);
      seen.add(key);
    }
    for (const entry of PUBLIC_ROUTES) {
      assert.ok(
        table.routes.some((route) => route.method === entry.method && entry.path.test(route.path)),
        `the public list names ${entry.method} ${entry.path}, which the gateway no longer serves: remove it`,
      );
    }
  });

  it('refuses every other route without credentials, with wrong or ended ones, and with the other kind', async () => {
    const protectedRoutes = table.routes.filter(
      (route) => !PUBLIC_ROUTES.some((entry) => entry.method === route.method && entry.path.test(route.path)),
    );
    assert.ok(
      protectedRoutes.length >= 20,
      `found ${protectedRoutes.length} protected routes; expected the console API`,
    );
    const attempts: Array<{ who: string; headers: Record<string, string> }> = [
      { who: 'no credentials', headers: {} },
      {
        who: 'a made-up session cookie',
        headers: { cookie: 'passerelle_console=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
      },
      { who: 'a session that was logged out', headers: { cookie: endedSessionCookie } },
      { who: 'a wrong admin token', headers: { authorization: 'Bearer admin-token-for-the-all-channels-gatewaX' } },
      { who: 'an admin token in the query string, wrong', headers: {} },
    ];
    const failures: string[] = [];
    for (const route of protectedRoutes) {
      const admin = isAdmin(route.path);
      const kinds = [
        ...attempts,
        admin
          ? { who: "an operator's session (not an admin)", headers: { cookie: operatorCookie } }
          : {
              who: 'the admin token (not an operator session)',
              headers: { authorization: `Bearer ${ALL_CHANNELS_SECRETS.adminToken}` },
            },
      ];
      for (const attempt of kinds) {
        const query = attempt.who.includes('query string') ? '?token=wrong-admin-token-0000000000' : '';
        const response = await fetch(`${all.gateway.url}${concrete(route.path)}${query}`, {
          method: route.method,
          headers: {
            ...attempt.headers,
            // JSON, so that the content-type check (415) does not answer before the credentials check.
            ...(route.method === 'GET' ? {} : { 'content-type': 'application/json' }),
          },
          body: route.method === 'GET' ? undefined : '{}',
          signal: AbortSignal.timeout(10_000),
        });
        await response.body?.cancel();
        if (response.status !== 401 && response.status !== 403) {
          failures.push(`${route.method} ${route.path} with ${attempt.who}: ${response.status}`);
        }
      }
    }
    assert.deepEqual(failures, [], 'every protected route refuses (401/403)');
  });

  it('lets the right credentials through (the refusals above are about credentials, not broken routes)', async () => {
    const me = await fetch(`${all.gateway.url}/console/api/me`, { headers: { cookie: operatorCookie } });
    assert.equal(me.status, 200, 'an operator session opens /console/api/me');
    const admin = await fetch(`${all.gateway.url}/admin/dead-letters`, {
      headers: { authorization: `Bearer ${ALL_CHANNELS_SECRETS.adminToken}` },
    });
    assert.equal(admin.status, 200, 'the admin token opens /admin/dead-letters');
  });
});
