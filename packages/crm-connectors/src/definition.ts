/**
 * How a connector plugs in, built in or from its own npm package: a type
 * name, the kinds it serves, the schema of its settings in bot.yaml, and a
 * factory. The registry validates the settings, resolves secrets from the
 * environment, and wraps what the factory returns with timeouts, retries, a
 * circuit breaker and a read cache (resilience.ts), so a connector itself is
 * just calls to its API.
 */
import type { Db, Logger } from '@passerelle/core';
import type { z } from 'zod';
import type { ConnectorSet } from './connector-set.js';

export type ConnectorKind = keyof ConnectorSet;
export const CONNECTOR_KINDS: readonly ConnectorKind[] = ['crm', 'orders', 'bookings'];

/** What a connector may use besides its settings. */
export interface ConnectorContext {
  /** The project's database (the demo connector keeps its shop there); absent where there is none. */
  db?: Db | undefined;
  /** The bot folder, for files a connector reads (the demo's seed.yaml). */
  botDir: string;
  /** Where secrets come from: `{ env: NAME }` in bot.yaml is read here, never from the file. */
  env: Readonly<Record<string, string | undefined>>;
  now: () => Date;
  logger?: Logger | undefined;
}

export interface ConnectorDefinition<Settings = unknown> {
  /** What bot.yaml says: `orders: { type: shopify, ... }`. */
  type: string;
  kinds: readonly ConnectorKind[];
  /** The settings under the kind in bot.yaml, `type` and the common keys (timeout, retries, cache) removed. */
  settings: z.ZodType<Settings>;
  create(settings: Settings, context: ConnectorContext): Promise<ConnectorSet> | ConnectorSet;
  /**
   * Calls that may be sent again after a timeout or a 5xx without doing
   * anything twice. Reads are always retried; list here the writes the API
   * makes idempotent (e.g. `crm.upsertContact` keyed by email).
   */
  idempotentWrites?: readonly string[];
}

/** Identity function that keeps the settings type: `export default defineConnector({ ... })`. */
export function defineConnector<Settings>(definition: ConnectorDefinition<Settings>): ConnectorDefinition<Settings> {
  return definition;
}
