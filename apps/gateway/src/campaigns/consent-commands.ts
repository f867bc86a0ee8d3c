/** `gateway consent export`: the consent history as CSV, the proof of who agreed or refused, and how. */
import { consentHistory, localToInstant } from '@passerelle/core';
import type { Command } from 'commander';
import { stringify } from 'csv-stringify/sync';
import { botTimeZone } from './bot-folder.js';
import { localDay } from './cli-options.js';
import type { CommandContext } from './command-runner.js';

export function registerConsentCommand(program: Command, { helpers, withDb }: CommandContext): void {
  const consent = program.command('consent').description('the record of who agreed to or refused our messages');
  consent
    .command('export')
    .description('the consent history as CSV, oldest first: who, on which channel, yes or no, how, the proof, when')
    .option(
      '--since <date>',
      "only what was recorded from this day on (YYYY-MM-DD or dd/mm/yyyy, midnight in the bot's time zone)",
      localDay,
    )
    .action(
      withDb(async (db, options: { since?: string }) => {
        let since: Date | undefined;
        if (options.since) {
          const timeZone = await botTimeZone(helpers.config().botDir);
          since = localToInstant(options.since, 0, timeZone);
        }
        const history = await consentHistory(db, { since });
        process.stdout.write(
          stringify([
            ['contact_id', 'channel', 'account', 'user_id', 'kind', 'source', 'detail', 'given_at', 'recorded_at'],
            ...history.map((record) => [
              record.contactId,
              record.channel,
              record.account,
              record.userId,
              record.kind,
              record.source,
              record.detail ?? '',
              record.givenAt?.toISOString() ?? '',
              record.recordedAt.toISOString(),
            ]),
          ]),
        );
      }),
    );
}
