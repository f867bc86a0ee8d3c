/** A broadcast and its progress as `gateway broadcast status` (and the end of a watch) print them. */
import { type Broadcast, type BroadcastProgress, maskPhonesInText } from '@passerelle/core';
import { localTime } from './terminal-text.js';

export function describeBroadcast(item: Broadcast): string {
  const started = item.startedAt ? `, started ${localTime(item.startedAt)}` : '';
  const finished = item.finishedAt ? `, ended ${localTime(item.finishedAt)}` : '';
  const list = item.source ? ` from list ${item.source}` : '';
  return (
    `${item.id}: ${item.status}, campaign ${item.campaignId} on ${item.channel} from ${maskPhonesInText(item.account)}, ` +
    `${item.ratePerSecond} messages/s; created ${localTime(item.createdAt)}${list}${started}${finished}`
  );
}

export async function describeProgress(progress: BroadcastProgress): Promise<string> {
  const { SKIP_REASONS } = await import('@passerelle/dialog');
  const explain = (reason: string) => (SKIP_REASONS as Record<string, string>)[reason] ?? reason;
  const lines = [
    `${progress.total} people: ${progress.pending} not reached yet, ${progress.queued} on their way, ` +
      `${progress.messaged} messaged, ${progress.skipped} skipped`,
  ];
  for (const [reason, n] of Object.entries(progress.skippedBy))
    lines.push(`  skipped ${n}: ${reason} (${explain(reason)})`);
  const delivery = Object.entries(progress.delivery);
  if (delivery.length > 0) lines.push(`delivery: ${delivery.map(([status, n]) => `${status} ${n}`).join(', ')}`);
  return lines.join('\n');
}
