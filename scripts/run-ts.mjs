#!/usr/bin/env node
// Runs a TypeScript script from the sources (no build needed) with a Redis
// found or started by services.mjs: node scripts/run-ts.mjs scripts/bench/pipeline.ts [args]
import { ensureRedisOrExit, runNode, TS_NODE_FLAGS } from './services.mjs';

const [script, ...args] = process.argv.slice(2);
if (!script) {
  console.error('usage: node scripts/run-ts.mjs <file.ts> [args...]');
  process.exit(2);
}
const redis = await ensureRedisOrExit();
const code = await runNode([...TS_NODE_FLAGS, script, ...args], { REDIS_URL: redis.url });
await redis.stop();
process.exit(code);
