/**
 * The bot folder for the marketer's commands. The dialog package loads only
 * when a command needs it, so `gateway --help` and the other commands stay
 * quick; a folder with problems throws BotFolderError, which is a refusal.
 */
import type { BotDefinition } from '@passerelle/dialog';

export async function loadBotOrRefuse(dir: string): Promise<BotDefinition> {
  const { loadBot } = await import('@passerelle/dialog');
  return loadBot(dir);
}

/** The bot's time zone for reading a day; Europe/Paris when the folder cannot be read (said on stderr). */
export async function botTimeZone(dir: string): Promise<string> {
  try {
    return (await loadBotOrRefuse(dir)).settings.time_zone;
  } catch (error) {
    console.error(
      `note: the bot folder ${dir} cannot be read (${(error as Error).message.split('\n')[0]}); days in Europe/Paris`,
    );
    return 'Europe/Paris';
  }
}
