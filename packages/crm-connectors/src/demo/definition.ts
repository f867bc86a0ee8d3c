import { join } from 'node:path';
import { z } from 'zod';
import { defineConnector } from '../definition.js';
import { createDemoConnectors } from './index.js';
import { loadDemoSeed } from './seed.js';

/** `orders: demo` in bot.yaml: the shop and calendar of seed.yaml, in this project's database. */
export const demoConnector = defineConnector({
  type: 'demo',
  kinds: ['crm', 'orders', 'bookings'],
  settings: z.object({ seed: z.string().min(1).default('seed.yaml') }).strict(),
  async create(settings, context) {
    if (!context.db) throw new Error('the demo connector keeps its shop in the project database, and none was given');
    const seed = await loadDemoSeed(context.db, join(context.botDir, settings.seed), { now: context.now });
    return createDemoConnectors(context.db, seed, { now: context.now });
  },
  // The database makes these safe to repeat: a booking is one row per slot (unique index).
  idempotentWrites: [],
});
