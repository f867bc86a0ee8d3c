/** `gateway campaigns list|results`: the bot folder's campaigns and what people did in them. */
import { campaignResults } from '@passerelle/core';
import type { Command } from 'commander';
import { stringify } from 'csv-stringify/sync';
import { type CommandContext, failClearly } from './command-runner.js';
import { resultsText } from './results-text.js';
import { table } from './terminal-text.js';

export function registerCampaignsCommand(program: Command, { withDb, bot }: CommandContext): void {
  const campaigns = program
    .command('campaigns')
    .description("the bot folder's campaigns (list) and what people did in them (results)");

  campaigns
    .command('list', { isDefault: true })
    .description("list the bot folder's campaigns (BOT_DIR) with their window and whether it is open")
    .action(
      failClearly(async () => {
        const definition = await bot();
        const now = new Date();
        const { summarizeCampaign } = await import('@passerelle/dialog');
        if (definition.campaigns.size === 0) {
          console.log(`no campaign in ${definition.dir}/campaigns: add one as campaigns/<id>.yaml`);
          return;
        }
        console.log(
          table(
            ['ID', 'TITLE', 'WINDOW', 'STATE', 'CHANNELS'],
            [...definition.campaigns.values()].map((campaign) => {
              const summary = summarizeCampaign(campaign, definition, now, definition.settings.locales[0]);
              return [
                campaign.id,
                summary.title,
                `${campaign.window.start} → ${campaign.window.end} ${campaign.timeZone}`,
                summary.state,
                campaign.channels?.join(', ') ?? 'all',
              ];
            }),
          ),
        );
      }),
    );

  campaigns
    .command('results <id>')
    .description(
      'what people did in a campaign: entered, completed, converted, handoffs, opt-outs, by day, channel, entry and step',
    )
    .option('--csv', 'print one CSV table (for a spreadsheet) instead of text tables')
    .action(
      withDb(async (db, id: string, options: { csv?: boolean }) => {
        const definition = await bot();
        const { resultsOf, resultsTable } = await import('@passerelle/dialog');
        const campaign = definition.campaigns.get(id);
        // A campaign whose file was removed keeps its figures: shown without the order of its steps.
        const results = campaign
          ? await resultsOf(db, definition, campaign)
          : await campaignResults(db, id, { timeZone: definition.settings.time_zone, steps: [] });
        if (!campaign) {
          console.error(
            `note: no campaign "${id}" in ${definition.dir}/campaigns any more: figures from the database, ` +
              `days in ${definition.settings.time_zone}, no drop-off by step`,
          );
        }
        if (options.csv) {
          process.stdout.write(stringify(resultsTable(results)));
          return;
        }
        console.log(resultsText(results, campaign, definition));
      }),
    );
}
