/**
 * Turns the bot folder's `connectors:` section (bot.yaml) into connectors.
 * Built in: `demo` (this project's database, seeded from the bot folder's
 * seed.yaml). More built-ins and connectors from other npm packages register
 * here.
 */
import { join } from 'node:path';
import type { Db } from '@passerelle/core';
import type { ConnectorSet } from './connector-set.js';
import { createDemoConnectors, type DemoSeed, loadDemoSeed } from './demo/index.js';

export interface ConnectorChoice {
  crm?: string | undefined;
  orders?: string | undefined;
  bookings?: string | undefined;
}

export interface ConnectorHost {
  db: Db;
  botDir: string;
  now?: () => Date;
}

export const DEMO_SEED_FILE = 'seed.yaml';
const BUILT_IN = ['demo'] as const;

export async function openConnectors(choice: ConnectorChoice, host: ConnectorHost): Promise<ConnectorSet> {
  const set: ConnectorSet = {};
  let demo: ReturnType<typeof createDemoConnectors> | undefined;
  for (const kind of ['crm', 'orders', 'bookings'] as const) {
    const name = choice[kind];
    if (!name) continue;
    if (name !== 'demo') {
      throw new Error(`bot.yaml: unknown ${kind} connector "${name}" (built in: ${BUILT_IN.join(', ')})`);
    }
    if (!demo) {
      const seed: DemoSeed = await loadDemoSeed(
        host.db,
        join(host.botDir, DEMO_SEED_FILE),
        host.now ? { now: host.now } : {},
      );
      demo = createDemoConnectors(host.db, seed, host.now ? { now: host.now } : {});
    }
    Object.assign(set, { [kind]: demo[kind] });
  }
  return set;
}
