/**
 * Turns the `connectors:` section of bot.yaml into working connectors:
 *
 *   connectors:
 *     orders: demo                      # a built-in type, default settings
 *     bookings:
 *       type: calcom                    # or package: "@acme/passerelle-booking" (its own npm package)
 *       timeout: 3s                     # common to every connector: timeout, retries, cache,
 *       retries: 2                      #   breaker_failures, breaker_open
 *       api_key: { env: CALCOM_API_KEY } # the connector's own settings; secrets from the environment
 *
 * Each connector's settings are checked against its schema; every problem
 * names its path (connectors.bookings.api_key). What comes out is wrapped
 * with timeouts, retries, a circuit breaker and a read cache.
 */
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Duration } from '@passerelle/core';
import { z } from 'zod';
import { calcomConnector } from './calcom/definition.js';
import type { ConnectorSet } from './connector-set.js';
import { CONNECTOR_KINDS, type ConnectorContext, type ConnectorDefinition, type ConnectorKind } from './definition.js';
import { demoConnector } from './demo/definition.js';
import { ConnectorConfigError } from './errors.js';
import { hubspotConnector } from './hubspot/definition.js';
import { DEFAULT_RESILIENCE, type ResilienceSettings, withResilience } from './resilience.js';
import { restConnector } from './rest/definition.js';
import { resolveSecret, Secret } from './secrets.js';
import { shopifyConnector } from './shopify/definition.js';

/** What bot.yaml holds under one kind: a type name, or the type with settings. */
export type ConnectorChoice = string | ({ type?: string; package?: string } & Record<string, unknown>);
export type ConnectorChoices = Partial<Record<ConnectorKind, ConnectorChoice>>;

export interface ConnectorHost extends Omit<ConnectorContext, 'env' | 'now'> {
  env?: ConnectorContext['env'];
  now?: () => Date;
}

const builtIns = new Map<string, ConnectorDefinition<unknown>>();

/** Makes a connector type available to bot.yaml by name (built-ins do this below). */
export function registerConnector<Settings>(definition: ConnectorDefinition<Settings>): void {
  builtIns.set(definition.type, definition as unknown as ConnectorDefinition<unknown>);
}

export function connectorTypes(): string[] {
  return [...builtIns.keys()].sort();
}

registerConnector(demoConnector);
registerConnector(calcomConnector);
registerConnector(hubspotConnector);
registerConnector(restConnector);
registerConnector(shopifyConnector);

const CommonSettings = z.object({
  type: z.string().min(1).optional(),
  package: z.string().min(1).optional(),
  timeout: Duration.optional(),
  retries: z.number().int().min(0).max(5).optional(),
  cache: Duration.optional(),
  breaker_failures: z.number().int().min(1).max(100).optional(),
  breaker_open: Duration.optional(),
});
const COMMON_KEYS = Object.keys(CommonSettings.shape);

interface ResolvedChoice {
  kind: ConnectorKind;
  path: string;
  definition: ConnectorDefinition<unknown>;
  settings: unknown;
  common: z.infer<typeof CommonSettings>;
}

/**
 * Checks every connector's type, settings and secrets (the environment
 * variables they name are set) without starting anything: `gateway check-bot`.
 */
export async function checkConnectors(
  choices: ConnectorChoices,
  host: { botDir: string; env?: ConnectorContext['env'] },
): Promise<void> {
  for (const kind of CONNECTOR_KINDS) {
    const choice = choices[kind];
    if (choice !== undefined) await resolveChoice(kind, choice, host.botDir, host.env ?? process.env);
  }
}

export async function openConnectors(choices: ConnectorChoices, host: ConnectorHost): Promise<ConnectorSet> {
  const context: ConnectorContext = {
    db: host.db,
    botDir: host.botDir,
    env: host.env ?? process.env,
    now: host.now ?? (() => new Date()),
    logger: host.logger,
  };
  const set: ConnectorSet = {};
  // Two kinds served by the same type and settings (orders: demo, bookings: demo) share one instance.
  const made = new Map<string, Promise<ConnectorSet>>();
  for (const kind of CONNECTOR_KINDS) {
    const choice = choices[kind];
    if (choice === undefined) continue;
    const { path, definition, settings, common } = await resolveChoice(kind, choice, host.botDir, context.env);
    const key = `${definition.type}:${JSON.stringify(settings)}`;
    let instance = made.get(key);
    if (!instance) {
      instance = Promise.resolve(definition.create(settings, context)).catch((error: unknown) => {
        if (error instanceof ConnectorConfigError)
          throw new ConnectorConfigError(`${path}.${error.path}`, error.problem);
        throw error;
      });
      made.set(key, instance);
    }
    const connector = (await instance)[kind];
    if (!connector) throw new ConnectorConfigError(path, `the ${definition.type} connector gave no ${kind} connector`);
    const resilience: ResilienceSettings = {
      ...DEFAULT_RESILIENCE,
      ...(common.timeout !== undefined ? { timeoutMs: common.timeout } : {}),
      ...(common.retries !== undefined ? { retries: common.retries } : {}),
      ...(common.cache !== undefined ? { cacheMs: common.cache } : {}),
      ...(common.breaker_failures !== undefined ? { breakerFailures: common.breaker_failures } : {}),
      ...(common.breaker_open !== undefined ? { breakerOpenMs: common.breaker_open } : {}),
    };
    Object.assign(set, {
      [kind]: withResilience(connector, {
        kind,
        name: `${kind} (${definition.type})`,
        settings: resilience,
        idempotentWrites: definition.idempotentWrites,
        logger: host.logger,
      }),
    });
  }
  return set;
}

async function resolveChoice(
  kind: ConnectorKind,
  choice: ConnectorChoice,
  botDir: string,
  env: ConnectorContext['env'],
): Promise<ResolvedChoice> {
  const path = `connectors.${kind}`;
  const raw = typeof choice === 'string' ? { type: choice } : choice;
  const common = CommonSettings.safeParse(pick(raw, COMMON_KEYS));
  if (!common.success) throw fromZod(path, common.error);
  const definition = await definitionFor(common.data, botDir, path);
  if (!definition.kinds.includes(kind)) {
    throw new ConnectorConfigError(
      path,
      `a ${definition.type} connector serves ${definition.kinds.join(', ')}, not ${kind}`,
    );
  }
  const settings = definition.settings.safeParse(omit(raw, COMMON_KEYS));
  if (!settings.success) throw fromZod(path, settings.error);
  checkSecrets(settings.data, path, env);
  return { kind, path, definition, settings: settings.data, common: common.data };
}

/** Every `{ env: NAME }` in the settings names a variable that is set: said at start, not at the first call. */
function checkSecrets(value: unknown, path: string, env: ConnectorContext['env']): void {
  if (!value || typeof value !== 'object') return;
  const parsed = Secret.safeParse(value);
  if (parsed.success) {
    resolveSecret(parsed.data, env, path);
    return;
  }
  for (const [key, inner] of Object.entries(value)) checkSecrets(inner, `${path}.${key}`, env);
}

async function definitionFor(
  common: z.infer<typeof CommonSettings>,
  botDir: string,
  path: string,
): Promise<ConnectorDefinition<unknown>> {
  if (common.package) {
    // A path is relative to the bot folder; anything else is an installed npm package.
    const specifier =
      common.package.startsWith('.') || isAbsolute(common.package)
        ? pathToFileURL(resolve(botDir, common.package)).href
        : common.package;
    let loaded: { default?: unknown; connector?: unknown };
    try {
      loaded = (await import(specifier)) as typeof loaded;
    } catch (error) {
      throw new ConnectorConfigError(`${path}.package`, `cannot load ${common.package}: ${(error as Error).message}`);
    }
    const definition = (loaded.default ?? loaded.connector) as ConnectorDefinition<unknown> | undefined;
    if (!definition || typeof definition.create !== 'function' || !Array.isArray(definition.kinds)) {
      throw new ConnectorConfigError(
        `${path}.package`,
        `${common.package} does not export a connector (export default defineConnector({ ... }))`,
      );
    }
    if (common.type && common.type !== definition.type) {
      throw new ConnectorConfigError(
        `${path}.type`,
        `${common.package} is a ${definition.type} connector, not ${common.type}`,
      );
    }
    return definition;
  }
  const definition = common.type ? builtIns.get(common.type) : undefined;
  if (!definition) {
    throw new ConnectorConfigError(
      `${path}${common.type ? '.type' : ''}`,
      `${common.type ? `unknown connector type "${common.type}"` : 'a connector needs a type'} (built in: ${connectorTypes().join(', ')}; or package: <npm package>)`,
    );
  }
  return definition;
}

function fromZod(path: string, error: z.ZodError): ConnectorConfigError {
  const issue = error.issues[0];
  const where = [path, ...(issue?.path ?? []).map(String)].join('.');
  if (issue?.code === 'unrecognized_keys')
    return new ConnectorConfigError(where, `unknown setting "${issue.keys.join('", "')}"`);
  return new ConnectorConfigError(where, issue?.message.replace(/^Invalid input: /, '') ?? 'is not valid');
}

function pick(record: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([key]) => keys.includes(key)));
}

function omit(record: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([key]) => !keys.includes(key)));
}
