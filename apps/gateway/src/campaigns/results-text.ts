/** A campaign's results as text tables (`gateway campaigns results`; --csv prints resultsTable instead). */
import type { CampaignResults } from '@passerelle/core';
import type { BotDefinition, Campaign } from '@passerelle/dialog';
import { table } from './terminal-text.js';

export function resultsText(results: CampaignResults, campaign: Campaign | undefined, bot: BotDefinition): string {
  const percent = (rate: number) => `${(rate * 100).toFixed(1)}%`;
  const counts = (row: { entered: number; completed: number; converted: number; handoff: number; opted_out: number }) =>
    [row.entered, row.completed, row.converted, row.handoff, row.opted_out].map(String);
  const COUNT_HEADER = ['ENTERED', 'COMPLETED', 'CONVERTED', 'HANDOFFS', 'OPT-OUTS'];
  const section = (title: string, header: string[], rows: string[][]) =>
    `\n${title}\n${rows.length === 0 ? '(nothing yet)' : table(header, rows)}`;
  const { totals } = results;
  const heading = campaign
    ? `campaign ${campaign.id}: ${campaign.window.start} → ${campaign.window.end} ${campaign.timeZone}`
    : `campaign ${results.campaignId}`;
  return [
    heading,
    section(
      'TOTAL',
      ['ENTERED', 'COMPLETED', 'COMPLETION', 'CONVERTED', 'CONVERSION', 'HANDOFFS', 'OPT-OUTS'],
      [
        [
          String(totals.entered),
          String(totals.completed),
          percent(totals.completionRate),
          String(totals.converted),
          percent(totals.conversionRate),
          String(totals.handoff),
          String(totals.opted_out),
        ],
      ],
    ),
    section(
      `BY DAY (${campaign?.timeZone ?? bot.settings.time_zone})`,
      ['DAY', ...COUNT_HEADER],
      results.byDay.map((row) => [row.day, ...counts(row)]),
    ),
    section(
      'BY CHANNEL',
      ['CHANNEL', ...COUNT_HEADER],
      results.byChannel.map((row) => [row.channel, ...counts(row)]),
    ),
    section(
      'BY ENTRY',
      ['ENTRY', 'ENTERED'],
      results.byEntry.map((row) => [row.entry, String(row.entered)]),
    ),
    section(
      `DROP-OFF BY STEP${campaign ? ` (flow ${campaign.flow})` : ''}`,
      ['STEP', 'REACHED', 'STOPPED THERE'],
      results.steps.map((row) => [row.node, String(row.reached), String(row.dropped)]),
    ),
  ].join('\n');
}
