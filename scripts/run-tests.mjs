#!/usr/bin/env node
// `npm test`: every *.test.ts file, with node's own test runner, against a
// real Redis (found or started, see services.mjs). Pass file paths to run
// only those: npm test -- test/pipeline-order.test.ts
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureRedis } from './services.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

function findTests(dir) {
  const found = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...findTests(path));
    else if (name.endsWith('.test.ts')) found.push(relative(root, path));
  }
  return found;
}

const requested = process.argv.slice(2);
const files =
  requested.length > 0 ? requested : ['packages', 'apps', 'test'].flatMap((dir) => findTests(join(root, dir))).sort();
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}

let redis;
try {
  redis = await ensureRedis();
} catch (error) {
  console.error(error.message);
  process.exit(1);
}

const child = spawn(
  process.execPath,
  [
    '--conditions=@passerelle/source',
    '--import',
    'tsx',
    '--test',
    `--test-concurrency=${process.env.TEST_CONCURRENCY ?? 2}`,
    '--test-reporter=spec',
    ...files,
  ],
  { cwd: root, stdio: 'inherit', env: { ...process.env, REDIS_URL: redis.url } },
);
const code = await new Promise((resolve) => child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
await redis.stop();
process.exit(code);
