/**
 * Secrets never live in the bot folder: a setting that is one is written
 * `{ env: SHOPIFY_ADMIN_TOKEN }` and read from the environment when the
 * connector starts. A plain string there is refused with a message saying so.
 */
import { z } from 'zod';
import { ConnectorConfigError } from './errors.js';

export const Secret = z
  .object(
    { env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name, like HUBSPOT_TOKEN') },
    {
      error: (issue) =>
        typeof issue.input === 'string'
          ? 'a secret is not written in the bot folder: write { env: NAME } and set NAME in the environment'
          : undefined,
    },
  )
  .strict();
export type Secret = z.infer<typeof Secret>;

export function resolveSecret(value: Secret, env: Readonly<Record<string, string | undefined>>, path: string): string {
  const found = env[value.env];
  if (!found) throw new ConnectorConfigError(path, `the environment variable ${value.env} is not set`);
  return found;
}
