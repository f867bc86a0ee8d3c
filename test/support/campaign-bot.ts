/**
 * A copy of the demo bot whose campaign (ventes-privees) is open now,
 * whatever day the tests run: its window is rewritten around the current
 * time, and its broadcast rate set as the test needs.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DEMO = fileURLToPath(new URL('../../bots/demo', import.meta.url));
export const CAMPAIGN_ID = 'ventes-privees';
export const CAMPAIGN_FILE = 'campaigns/ventes-privees.yaml';

/** 'YYYY-MM-DD HH:MM' in Paris, `offsetMs` from now. */
export function parisLocal(offsetMs: number): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/Paris',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(Date.now() + offsetMs));
  const get = (type: string) => parts.find((part) => part.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}

export async function openCampaignBot(options: { rate?: number; endsInMs?: number } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'passerelle-campaign-bot-'));
  await cp(DEMO, dir, { recursive: true });
  const file = join(dir, CAMPAIGN_FILE);
  let text = await readFile(file, 'utf8');
  text = text
    .replace(/start: '[^']+'/, `start: '${parisLocal(-24 * 3_600_000)}'`)
    .replace(/end: '[^']+'/, `end: '${parisLocal(options.endsInMs ?? 2 * 24 * 3_600_000)}'`);
  if (options.rate !== undefined) text = text.replace(/rate: \d+/, `rate: ${options.rate}`);
  await writeFile(file, text);
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
