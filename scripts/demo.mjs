#!/usr/bin/env node
// `npm run demo`: builds the gateway, finds or starts a Redis, and runs all
// roles in one process with the embedded PGlite database and the demo bot.
// Then open http://localhost:3000 and chat. Ctrl-C stops everything.
import { spawn, spawnSync } from 'node:child_process';
import pretty from 'pino-pretty';
import { ensureRedisOrExit, ROOT as root } from './services.mjs';

// package.json's engines.node: the LTS lines 22 and 24 (20 is past its end of life).
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(
    `Node.js 22.12 or newer is needed (this is ${process.versions.node}): install Node.js 22 or 24 LTS ` +
      '(https://nodejs.org, your package manager, or `bash scripts/ensure-node.sh` as root on Linux).',
  );
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
