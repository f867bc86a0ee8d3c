/**
 * The demo connector: orders, bookings and a small CRM on the project's own
 * database, seeded from the bot folder (seed.yaml), so the demo bot's order
 * and booking flows run with no outside service.
 */
import type { Db } from '@passerelle/core';
import type { ConnectorSet } from '../connector-set.js';
import { demoBookings } from './bookings.js';
import { demoCrm } from './crm.js';
import { demoOrders } from './orders.js';
import type { DemoSeed } from './seed-schema.js';

export { loadDemoSeed, readDemoSeed } from './seed.js';
export type { DemoSeed, DemoService } from './seed-schema.js';

export interface DemoConnectorOptions {
  /** The clock for "slots in the past"; tests pass a fixed one. */
  now?: () => Date;
}

/** seed: what loadDemoSeed returned (its orders are in the database by then). */
export function createDemoConnectors(
  db: Db,
  seed: DemoSeed,
  options: DemoConnectorOptions = {},
): Required<ConnectorSet> {
  const now = options.now ?? (() => new Date());
  return { crm: demoCrm(db), orders: demoOrders(db, seed), bookings: demoBookings(db, seed.services, now) };
}
