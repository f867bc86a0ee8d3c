#!/usr/bin/env node
// `npm run demo`: builds the gateway, finds or starts a Redis, and runs all
// roles in one process with the embedded PGlite database and the demo bot.
// Then open http://localhost:3000 and chat. Ctrl-C stops everything.
import { spawn, spawnSync } from 'node:child_process';
import pretty from 'pino-pretty';
import { ensureRedisOrExit, ROOT as root } from './services.mjs';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 6)) {
  console.error(`Node.js 20.6 or newer is needed (this is ${process.versions.node}).`);
  process.exit(1);
}

console.error('Building (tsc -b)…');
const build = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-b'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const redis = await ensureRedisOrExit();

const gateway = spawn(process.execPath, ['apps/gateway/dist/cli.js', 'start'], {
  cwd: root,
  env: { ...process.env, REDIS_URL: redis.url, BOT_DIR: process.env.BOT_DIR ?? 'bots/demo' },
  stdio: ['ignore', 'pipe', 'inherit'],
  // A process group of its own: Ctrl-C and npm's signals reach this script only, which passes
  // each on once; the gateway would take a second copy of the same signal as "stop now".
  detached: true,
});
// JSON logs are for machines; a person at a terminal reads them pretty.
gateway.stdout.pipe(pretty({ colorize: process.stdout.isTTY, ignore: 'pid,hostname', translateTime: 'HH:MM:ss' }));

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => gateway.kill(signal));
process.on('exit', () => gateway.kill('SIGTERM'));
const code = await new Promise((resolve) => gateway.on('exit', (c) => resolve(c ?? 0)));
await redis.stop();
process.exit(code);
