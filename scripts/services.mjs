// Finds the Redis the gateway and the tests need, or starts a private one.
// Plain JavaScript so it runs before anything is built.
import { spawn, spawnSync } from 'node:child_process';
import { createConnection, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** Resolves true when something at url answers a Redis PING (an auth error counts: it is a Redis). */
export function redisAnswers(url, timeoutMs = 1500) {
  return new Promise((resolve) => {
    let parsed;
    try {
      parsed = new URL(url);
    } catch {
      return resolve(false);
    }
    const socket = createConnection({ host: parsed.hostname, port: Number(parsed.port || 6379) });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(/^(\+PONG|-NOAUTH|-ERR)/.test(data.toString())));
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const HOW_TO_GET_REDIS = [
  'Redis is needed and none was found.',
  '  Debian/Ubuntu: sudo apt-get install redis-server',
  '  macOS:         brew install redis',
  '  Docker:        docker compose up -d redis',
  '  Or point REDIS_URL at an existing Redis (redis://host:6379).',
].join('\n');

/**
 * REDIS_URL if set (it must answer); else a Redis on 127.0.0.1:6379 if one
 * answers; else a private redis-server started on a free port, stopped by
 * stop(). Throws with install instructions when there is no way to get one.
 */
export async function ensureRedis(log = console.error) {
  const configured = process.env.REDIS_URL;
  if (configured) {
    if (await redisAnswers(configured)) return { url: configured, stop: async () => {} };
    throw new Error(`REDIS_URL is set but nothing answers there.\n${HOW_TO_GET_REDIS}`);
  }
  if (await redisAnswers(DEFAULT_REDIS_URL)) return { url: DEFAULT_REDIS_URL, stop: async () => {} };
  if (spawnSync('redis-server', ['--version']).status !== 0) throw new Error(HOW_TO_GET_REDIS);

  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  log(`No Redis answered on 127.0.0.1:6379; starting a private redis-server on port ${port} (nothing kept on disk).`);
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  for (let i = 0; i < 50 && !(await redisAnswers(url)); i++) await new Promise((r) => setTimeout(r, 100));
  if (!(await redisAnswers(url))) {
    child.kill();
    throw new Error(`started redis-server on port ${port} but it does not answer`);
  }
  return {
    url,
    stop: async () => {
      child.kill();
    },
  };
}

/** ensureRedis(), or print why not and exit 1: what every script here wants. */
export async function ensureRedisOrExit() {
  try {
    return await ensureRedis();
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Node flags that run the TypeScript sources directly (tsx), resolving workspace packages to src/. */
export const TS_NODE_FLAGS = ['--conditions=@passerelle/source', '--import', 'tsx'];

/** Runs node with args in the repository root, inheriting the terminal; resolves with the exit code. */
export function runNode(args, env) {
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...env } });
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}
