/**
 * What `gateway broadcast create` and `dry-run` print about a list and its
 * plan: the CSV as read, who would get the message and who not (and why),
 * and the first message in each language. Phone numbers are masked as in
 * the logs: a terminal is shared and scrolled back.
 */
import { type Channel, maskPhonesInText } from '@passerelle/core';
import type { AudienceCsv } from './audience-csv.js';
import type { FirstMessage, Plan, PlannedRecipient } from './broadcast-plan.js';
import { localTime, TERMINAL_ZONE } from './terminal-text.js';

/** How many people of each outcome a dry run shows by name. */
const EXAMPLES = 5;

export function printCsvSummary(file: string, csv: AudienceCsv): void {
  const separator = csv.separator === ';' ? 'semicolons' : 'commas';
  const encoding = csv.encoding === 'utf-8' ? '' : ', read as Windows-1252 (not UTF-8)';
  console.log(`${file}: ${csv.rowsRead} rows read (columns separated by ${separator}${encoding})`);
  if (csv.ignoredColumns.length > 0) console.log(`columns left aside: ${csv.ignoredColumns.join(', ')}`);
  if (csv.refused.length === 0) return;
  console.log(`${csv.refused.length} row(s) refused:`);
  // The marketer's own file, but a terminal is shared and scrolled back: numbers masked as in the logs.
  for (const row of csv.refused) console.log(`  line ${row.line}: ${maskPhonesInText(row.reason)}`);
}

/** Counts by outcome with their explanation and a few people of each (numbers masked). */
export async function printPlan(plan: Plan, now: Date): Promise<void> {
  const zone = plan.campaign?.timeZone ?? TERMINAL_ZONE;
  const when =
    plan.at.getTime() > now.getTime()
      ? `when the campaign opens (${localTime(plan.at, zone)} ${zone})`
      : `now (${localTime(plan.at, zone)} ${zone})`;
  console.log(`${plan.recipients.length} people, as the workers would decide ${when}:`);
  if (plan.recipients.length === 0) {
    console.log('  nobody left to reach');
    return;
  }
  const { byOutcome } = await import('./broadcast-plan.js');
  const { SKIP_REASONS } = await import('@passerelle/dialog');
  const groups = byOutcome(plan.recipients);
  const width = Math.max(...[...groups.keys()].map((key) => key.length), 'would send'.length);
  for (const [outcome, members] of groups) {
    const label = outcome === 'send' ? 'would send' : outcome;
    const explanation = outcome === 'send' ? byLocale(members) : `skipped: ${SKIP_REASONS[outcome]}`;
    console.log(`  ${label.padEnd(width)}  ${String(members.length).padStart(6)}  ${explanation}`);
    for (const member of members.slice(0, EXAMPLES)) {
      const detail = member.decision.send ? '' : member.decision.detail ? `: ${member.decision.detail}` : '';
      console.log(`  ${' '.repeat(width)}          ${maskPhonesInText(member.userId)} (line ${member.seq})${detail}`);
    }
    if (members.length > EXAMPLES) console.log(`  ${' '.repeat(width)}          and ${members.length - EXAMPLES} more`);
  }
}

function byLocale(members: readonly PlannedRecipient[]): string {
  if (members.length === 0) return '';
  const counts = new Map<string, number>();
  for (const member of members)
    counts.set(member.locale ?? 'default', (counts.get(member.locale ?? 'default') ?? 0) + 1);
  return `(${[...counts].map(([locale, n]) => `${locale} ${n}`).join(', ')})`;
}

export function printFirstMessages(previews: readonly FirstMessage[], channel: Channel): void {
  for (const preview of previews) {
    console.log(`\nwhat they would get (${preview.locale}):`);
    if (preview.problem && preview.messages.length === 0) {
      console.log(`  (nothing: ${preview.problem})`);
      continue;
    }
    for (const message of preview.messages) {
      for (const line of [...message.text.split('\n'), ...message.options.map((option) => `  ${option}`)]) {
        console.log(`  | ${line}`);
      }
    }
    // The channel adds it where the rules ask for one (SMS); elsewhere it is not sent.
    if (preview.optOutNotice && channel === 'sms')
      console.log(`  + on SMS, the opt-out mention: "${preview.optOutNotice}"`);
  }
}
