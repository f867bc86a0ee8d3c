/**
 * The gateway's HTTP surface: health, readiness, metrics, the web chat widget
 * and demo page, and (for admins) the dead letters. Channel webhooks are
 * mounted here too as channels are added.
 */
import { timingSafeEqual } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jsonErrorHandler, TRUSTED_PROXIES, WEBCHAT_WIDGET_FILE } from '@passerelle/channels';
import { type Db, type Logger, type PipelineQueues, type Redis, redisReady } from '@passerelle/core';
import express, { type RequestHandler, type Router } from 'express';
import type { Registry } from 'prom-client';
import { allowCrossOriginEmbedding, securityHeaders } from './security-headers.js';

const PUBLIC_DIR = fileURLToPath(new URL('../../public/', import.meta.url));
/**
 * Chart.js's browser build, for the console's campaigns page. The package exports only its
 * module entry points, so the file is found next to the one `require` resolves.
 */
const CHART_JS_FILE = join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js');

export interface AppDeps {
  redis: Redis;
  db: Db;
  queues: PipelineQueues;
  registry: Registry;
  logger: Logger;
  adminToken: string | undefined;
  /** config.publicUrl: whether the gateway is reached over https decides HSTS (see security-headers.ts). */
  publicUrl: string;
  /** Worker-only processes serve health and metrics but no pages. */
  servePages: boolean;
  /** Channel webhooks (gateway role). */
  mountWebhooks?: (router: Router) => void;
  /** The operator console: its login, API and live events (gateway role). */
  consoleRouters?: Router[];
}

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // Only proxies on this machine or the private network may say who the client is (X-Forwarded-For):
  // the console's login limits count per client address, which a client must not be able to choose.
  app.set('trust proxy', TRUSTED_PROXIES);
  app.use(securityHeaders({ publicUrl: deps.publicUrl }));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  // 200 { status: 'ready', redis: 'ok', database: 'ok' }, or 503 with 'unreachable: why' for each
  // dependency that is not, and a one-line reason naming them. Says which and why, nothing more
  // (no address, no credentials: docs/security.md).
  app.get('/readyz', async (_req, res) => {
    const [redis, database] = await Promise.all([probeRedis(deps.redis), probe(() => deps.db.query('select 1'))]);
    const ready = redis === 'ok' && database === 'ok';
    const problems = [
      ...(redis === 'ok' ? [] : [`Redis ${redis}`]),
      ...(database === 'ok' ? [] : [`database ${database}`]),
    ];
    res.status(ready ? 200 : 503).json({
      status: ready ? 'ready' : 'not ready',
      redis,
      database,
      ...(ready ? {} : { reason: problems.join('; ') }),
    });
  });

  app.get('/metrics', async (_req, res, next) => {
    try {
      res.type(deps.registry.contentType).send(await deps.registry.metrics());
    } catch (error) {
      next(error);
    }
  });

  const admin = requireAdmin(deps.adminToken);
  app.get('/admin/dead-letters', admin, async (req, res, next) => {
    try {
      const limit = Math.min(1000, Math.max(1, Number(req.query.limit) || 100));
      res.json({ count: await deps.queues.deadLetters.count(), items: await deps.queues.deadLetters.list(limit) });
    } catch (error) {
      next(error);
    }
  });

  for (const router of deps.consoleRouters ?? []) app.use(router);

  if (deps.mountWebhooks) {
    const webhooks = express.Router();
    deps.mountWebhooks(webhooks);
    app.use(webhooks);
  }

  if (deps.servePages) {
    app.get('/webchat/widget.js', allowCrossOriginEmbedding, (_req, res) => {
      res.set('Cache-Control', 'public, max-age=300');
      // Any site may embed the widget.
      res.set('Access-Control-Allow-Origin', '*');
      res.sendFile(WEBCHAT_WIDGET_FILE);
    });
    app.get('/console/vendor/chart.umd.min.js', (_req, res) => {
      res.set('Cache-Control', 'public, max-age=3600');
      res.sendFile(CHART_JS_FILE);
    });
    app.use(express.static(PUBLIC_DIR, { index: 'index.html', maxAge: '5m' }));
  }

  app.use((_req, res) => {
    res.status(404).json({ error: 'not found' });
  });
  app.use(jsonErrorHandler(deps.logger));
  return app;
}

/**
 * A connection that is not up says so at once: a PING sent on it would only wait in ioredis's
 * offline queue until the probe's timeout (and stay there until Redis is back, one per probe).
 */
async function probeRedis(redis: Redis): Promise<string> {
  if (!redisReady(redis)) return `unreachable: not connected (${redis.status})`;
  return probe(() => redis.ping());
}

async function probe(check: () => Promise<unknown>): Promise<string> {
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timed out after 2s')), 2_000)),
    ]);
    return 'ok';
  } catch (error) {
    return `unreachable: ${(error as Error).message}`;
  }
}

function requireAdmin(token: string | undefined): RequestHandler {
  return (req, res, next) => {
    if (!token) {
      res.status(403).json({ error: 'admin endpoints are off: set ADMIN_TOKEN to use them' });
      return;
    }
    const given = Buffer.from((req.get('authorization') ?? '').replace(/^Bearer\s+/i, ''));
    const expected = Buffer.from(token);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      res.status(401).json({ error: 'missing or wrong bearer token' });
      return;
    }
    next();
  };
}
