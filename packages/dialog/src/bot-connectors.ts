/**
 * The connectors a bot folder asks for (bot.yaml `connectors:`), opened by
 * @passerelle/crm-connectors. A mistake in their settings (an unknown type,
 * a secret written in the file, a variable not set) becomes a BotFolderError
 * pointing at its line in bot.yaml, like any other mistake in the folder.
 */
import {
  ConnectorConfigError,
  type ConnectorHost,
  type ConnectorSet,
  checkConnectors,
  openConnectors,
} from '@passerelle/crm-connectors';
import type { BotDefinition } from './bot-folder/load-bot.js';
import { BotFolderError } from './bot-folder/yaml-source.js';

export async function openBotConnectors(
  bot: BotDefinition,
  host: Omit<ConnectorHost, 'botDir'>,
): Promise<ConnectorSet> {
  try {
    return await openConnectors(bot.settings.connectors, { ...host, botDir: bot.dir });
  } catch (error) {
    throw pinned(bot, error);
  }
}

/** Settings and secrets of every connector, checked without starting them (`gateway check-bot`). */
export async function checkBotConnectors(bot: BotDefinition, env?: Record<string, string | undefined>): Promise<void> {
  try {
    await checkConnectors(bot.settings.connectors, { botDir: bot.dir, ...(env ? { env } : {}) });
  } catch (error) {
    throw pinned(bot, error);
  }
}

function pinned(bot: BotDefinition, error: unknown): unknown {
  if (!(error instanceof ConnectorConfigError)) return error;
  return new BotFolderError([bot.problemAt(error.path.split('.'), `${error.path}: ${error.problem}`)]);
}
