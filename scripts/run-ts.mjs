#!/usr/bin/env node
// Runs a TypeScript script from the sources (no build needed) with a Redis
// found or started by services.mjs: node scripts/run-ts.mjs scripts/bench/pipeline.ts [args]
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensureRedis } from './services.mjs';

const [script, ...args] = process.argv.slice(2);
if (!script) {
  console.error('usage: node scripts/run-ts.mjs <file.ts> [args...]');
  process.exit(2);
}
let redis;
try {
  redis = await ensureRedis();
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
const child = spawn(process.execPath, ['--conditions=@passerelle/source', '--import', 'tsx', script, ...args], {
  cwd: fileURLToPath(new URL('..', import.meta.url)),
  stdio: 'inherit',
  env: { ...process.env, REDIS_URL: redis.url },
});
const code = await new Promise((resolve) => child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
await redis.stop();
process.exit(code);
