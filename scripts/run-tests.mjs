#!/usr/bin/env node
// `npm test`: every *.test.ts file, with node's own test runner, against a
// real Redis (found or started, see services.mjs). Pass file paths to run
// only those: npm test -- test/pipeline-order.test.ts
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { makePgliteTemplate, PGLITE_TEMPLATE_VARIABLE } from './pglite-template.mjs';
import { ensureRedisOrExit, ROOT as root, runNode, TS_NODE_FLAGS } from './services.mjs';

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

const redis = await ensureRedisOrExit();
const template = await makePgliteTemplate();
const code = await runNode(
  [
    ...TS_NODE_FLAGS,
    '--test',
    `--test-concurrency=${process.env.TEST_CONCURRENCY ?? 2}`,
    '--test-reporter=spec',
    ...files,
  ],
  { REDIS_URL: redis.url, [PGLITE_TEMPLATE_VARIABLE]: template.dir },
);
await template.remove();
await redis.stop();
process.exit(code);
