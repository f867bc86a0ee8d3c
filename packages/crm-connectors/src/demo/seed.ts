/**
 * Reads the demo seed file and puts its orders in the database. Every
 * problem names the file, the line and the path of the bad value, since the
 * person reading it is a bot author editing YAML, not a developer.
 */
import { readFile } from 'node:fs/promises';
import type { Db } from '@passerelle/core';
import { isMap, isNode, isPair, isScalar, LineCounter, type Node, parseDocument } from 'yaml';
import type { z } from 'zod';
import { type DemoSeed, DemoSeedFile } from './seed-schema.js';

export async function readDemoSeed(seedFile: string): Promise<DemoSeed> {
  let text: string;
  try {
    text = await readFile(seedFile, 'utf8');
  } catch (error) {
    throw new Error(`${seedFile}: cannot read the demo seed file (${(error as Error).message})`);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax) {
    const at = syntax.linePos?.[0] ?? { line: 1, col: 1 };
    throw new Error(`${seedFile}:${at.line}:${at.col}: ${syntax.message.split('\n')[0]}`);
  }
  const parsed = DemoSeedFile.safeParse(doc.toJS() ?? {});
  if (parsed.success) return parsed.data;
  const root = isNode(doc.contents) ? doc.contents : null;
  const problems = parsed.error.issues.map((issue) => {
    const path = issue.path.filter((key) => typeof key !== 'symbol');
    const { line, col } = lines.linePos(offsetOf(root, path));
    return `  ${seedFile}:${line}:${col}: ${describe(path)}: ${message(issue)}`;
  });
  throw new Error(`${seedFile}: the demo seed file is not valid:\n${problems.join('\n')}`);
}

/**
 * Reads the seed and upserts its orders (keyed by number, so loading twice
 * leaves the same rows). placed_at is computed now from the relative offsets.
 */
export async function loadDemoSeed(db: Db, seedFile: string, options: { now?: () => Date } = {}): Promise<DemoSeed> {
  const seed = await readDemoSeed(seedFile);
  const now = (options.now?.() ?? new Date()).getTime();
  await db.transaction(async (tx) => {
    for (const order of seed.orders) {
      await tx.query(
        `insert into demo_orders
           (number, customer_email, customer_phone, status, placed_at, total_amount, currency, tracking_url, items)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         on conflict (number) do update set
           customer_email = excluded.customer_email, customer_phone = excluded.customer_phone,
           status = excluded.status, placed_at = excluded.placed_at, total_amount = excluded.total_amount,
           currency = excluded.currency, tracking_url = excluded.tracking_url, items = excluded.items`,
        [
          order.number,
          order.customer.email ?? null,
          order.customer.phone ?? null,
          order.status,
          new Date(now - order.placedMsAgo),
          order.total.amount,
          order.total.currency,
          order.trackingUrl ?? null,
          JSON.stringify(order.items),
        ],
      );
    }
  });
  return seed;
}

/** orders[3].customer.phone: the way a reader finds it in the file. */
function describe(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  return path
    .map((key, index) => (typeof key === 'number' ? `[${key}]` : `${index > 0 ? '.' : ''}${String(key)}`))
    .join('');
}

function message(issue: z.core.$ZodIssue): string {
  // zod leaves the input out of its issues, so a missing value is known by its message.
  if (issue.code === 'invalid_type' && issue.message.endsWith('received undefined')) return 'is required';
  if (issue.code === 'unrecognized_keys')
    return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
  return issue.message.replace(/^Invalid input: /, '');
}

/** Where the value at `path` starts; a missing value is reported where its parent starts. */
function offsetOf(root: Node | null, path: readonly PropertyKey[]): number {
  let node = root;
  let offset = node?.range?.[0] ?? 0;
  for (const key of path) {
    const next = childOf(node, key);
    if (!next) break;
    node = next;
    offset = next.range?.[0] ?? offset;
  }
  return offset;
}

function childOf(node: Node | null, key: PropertyKey): Node | null {
  if (!node || !('items' in node) || !Array.isArray(node.items)) return null;
  if (typeof key === 'number') {
    const item: unknown = node.items[key];
    return isNode(item) ? item : null;
  }
  if (!isMap(node)) return null;
  for (const pair of node.items) {
    if (!isPair(pair)) continue;
    const name = isScalar(pair.key) ? pair.key.value : pair.key;
    if (String(name) === String(key)) return isNode(pair.value) ? pair.value : isNode(pair.key) ? pair.key : null;
  }
  return null;
}
