/**
 * How a marketer's command runs: with the database open for its length,
 * the bot folder loaded on demand, and its failure turned into one line on
 * stderr and an exit code: 2 for a refusal (a request that cannot be:
 * unknown campaign, wrong state, unreadable CSV), 1 for anything else.
 */
import type { Config, Db } from '@passerelle/core';
import type { BotDefinition } from '@passerelle/dialog';
import { loadBotOrRefuse } from './bot-folder.js';

export interface CampaignCommandHelpers {
  /** The validated configuration (exits with the list of problems when it is not). */
  config(): Config;
  /** Opens the database the configuration points at (closed by the command when done). */
  openDb(): Promise<Db>;
}

/** What every command's action is built with. */
export interface CommandContext {
  helpers: CampaignCommandHelpers;
  /** An action with the database open (closed when it ends), failing as failClearly says. */
  withDb<Args extends unknown[]>(work: (db: Db, ...args: Args) => Promise<void>): (...args: Args) => Promise<void>;
  /** The bot folder (BOT_DIR); a folder with problems is a refusal. */
  bot(): Promise<BotDefinition>;
}

export function commandContext(helpers: CampaignCommandHelpers): CommandContext {
  return {
    helpers,
    withDb: <Args extends unknown[]>(work: (db: Db, ...args: Args) => Promise<void>) =>
      failClearly(async (...args: Args) => {
        const db = await helpers.openDb();
        try {
          await work(db, ...args);
        } finally {
          await db.close();
        }
      }),
    bot: () => loadBotOrRefuse(helpers.config().botDir),
  };
}

/** Errors that mean "you asked for something that cannot be", by name: their modules load only when used. */
const REFUSALS = new Set(['RefusedError', 'CsvFormatError', 'BroadcastStateError', 'BotFolderError']);

/** A refusal raised here; broadcast-plan's RefusedError is the same by name (see REFUSALS). */
export function refusal(message: string): Error {
  const error = new Error(message);
  error.name = 'RefusedError';
  return error;
}

/** Runs a command; a refusal is one clear message and exit code 2, any other failure exit code 1. */
export function failClearly<Args extends unknown[]>(work: (...args: Args) => Promise<void>) {
  return async (...args: Args) => {
    try {
      await work(...args);
    } catch (error) {
      const refused = error instanceof Error && REFUSALS.has(error.name);
      console.error(`${refused ? 'refused' : 'error'}: ${explain(error)}`);
      process.exitCode = refused ? 2 : 1;
    }
  };
}

function explain(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  // undefined_table: a database that was never migrated.
  if (code === '42P01') return 'the database has no campaign tables yet: run "gateway migrate" first';
  return error instanceof Error ? error.message : String(error);
}
