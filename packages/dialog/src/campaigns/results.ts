/**
 * A campaign's figures as marketers read them: counted in the database
 * (core's campaignResults), with the days in the campaign's time zone and the
 * steps in the order of its flow, plus the window's state. The console page
 * and `gateway campaigns results` both show this.
 */
import { type CampaignResults, campaignResults, type Queryable } from '@passerelle/core';
import type { BotDefinition } from '../bot-folder/load-bot.js';
import { pickText } from '../engine/locale.js';
import { type Campaign, type WindowState, windowState } from './campaign-file.js';

export interface CampaignSummary {
  id: string;
  title: string;
  state: WindowState;
  opensAt: string;
  closesAt: string;
  timeZone: string;
  channels: string[] | 'all';
  flow: string;
  goal: string | undefined;
}

export function summarizeCampaign(campaign: Campaign, bot: BotDefinition, now: Date, locale = 'fr'): CampaignSummary {
  return {
    id: campaign.id,
    title: pickText(campaign.title, locale === 'en' ? 'en' : 'fr', bot.settings.locales),
    state: windowState(campaign, now),
    opensAt: campaign.opensAt.toISOString(),
    closesAt: campaign.closesAt.toISOString(),
    timeZone: campaign.timeZone,
    channels: campaign.channels ?? 'all',
    flow: campaign.flow,
    goal: campaign.goal,
  };
}

export async function resultsOf(db: Queryable, bot: BotDefinition, campaign: Campaign): Promise<CampaignResults> {
  const steps = [...(bot.flows.get(campaign.flow)?.nodes.keys() ?? [])];
  return campaignResults(db, campaign.id, { timeZone: campaign.timeZone, steps });
}

/** One CSV for a spreadsheet: the totals, then by day, by channel, by entry and by step, each with a section name. */
export function resultsTable(results: CampaignResults): string[][] {
  const kinds = ['entered', 'completed', 'converted', 'handoff', 'opted_out'] as const;
  const rows: string[][] = [['section', 'key', ...kinds, 'completion_rate', 'conversion_rate', 'reached', 'dropped']];
  const blank = (count: number) => Array.from({ length: count }, () => '');
  const counts = (row: Record<(typeof kinds)[number], number>) => kinds.map((kind) => String(row[kind]));
  const { totals } = results;
  rows.push([
    'total',
    results.campaignId,
    ...counts(totals),
    String(totals.completionRate),
    String(totals.conversionRate),
    ...blank(2),
  ]);
  for (const day of results.byDay) rows.push(['day', day.day, ...counts(day), ...blank(4)]);
  for (const channel of results.byChannel) rows.push(['channel', channel.channel, ...counts(channel), ...blank(4)]);
  for (const entry of results.byEntry) rows.push(['entry', entry.entry, String(entry.entered), ...blank(8)]);
  for (const step of results.steps) {
    rows.push(['step', step.node, ...blank(7), String(step.reached), String(step.dropped)]);
  }
  return rows;
}
