/**
 * What people did in a campaign, and the figures marketers read from it.
 * One row per (campaign, conversation, kind, step): recording the same thing
 * twice (a dialog step run again after a crash) changes nothing, and every
 * figure counts conversations, not messages.
 */
import type { Queryable } from './db.js';

export const CAMPAIGN_EVENT_KINDS = ['entered', 'step', 'completed', 'converted', 'handoff', 'opted_out'] as const;
export type CampaignEventKind = (typeof CAMPAIGN_EVENT_KINDS)[number];

/** How a person came into a campaign. */
export type CampaignEntry = 'keyword' | 'link' | 'prefilled' | 'broadcast' | 'flow';

export interface CampaignEvent {
  campaignId: string;
  conversationId: string;
  contactId: string;
  channel: string;
  kind: CampaignEventKind;
  /** The flow node, for a step. */
  node?: string | undefined;
  entry?: CampaignEntry | undefined;
  at?: Date | undefined;
}

export async function recordCampaignEvent(db: Queryable, event: CampaignEvent): Promise<void> {
  await db.query(
    `insert into campaign_events (campaign_id, conversation_id, contact_id, channel, kind, node, entry, created_at)
     values ($1, $2, $3, $4, $5, $6, $7, coalesce($8, now()))
     on conflict (campaign_id, conversation_id, kind, node) do nothing`,
    [
      event.campaignId,
      event.conversationId,
      event.contactId,
      event.channel,
      event.kind,
      event.node ?? '',
      event.entry ?? null,
      event.at ?? null,
    ],
  );
}

export type KindCounts = Record<Exclude<CampaignEventKind, 'step'>, number>;

export interface CampaignResults {
  campaignId: string;
  totals: KindCounts & { completionRate: number; conversionRate: number };
  /** Local days (the campaign's time zone), oldest first. */
  byDay: Array<{ day: string } & KindCounts>;
  byChannel: Array<{ channel: string } & KindCounts>;
  byEntry: Array<{ entry: string; entered: number }>;
  /**
   * Per step, in the order asked for: the conversations that reached it, and those whose last step it
   * is without completing the campaign (they stopped there, or have not answered yet).
   */
  steps: Array<{ node: string; reached: number; dropped: number }>;
}

const COUNTED = ['entered', 'completed', 'converted', 'handoff', 'opted_out'] as const;

/**
 * The figures of one campaign. `steps` is the flow's nodes in their order, so
 * the drop-off reads top to bottom like the flow itself.
 */
export async function campaignResults(
  db: Queryable,
  campaignId: string,
  options: { timeZone: string; steps: readonly string[] },
): Promise<CampaignResults> {
  const counts = COUNTED.map((kind) => `count(*) filter (where kind = '${kind}')::int as ${kind}`).join(', ');
  const [totals, byDay, byChannel, byEntry, steps, dropped] = await Promise.all([
    db.query<KindCounts>(`select ${counts} from campaign_events where campaign_id = $1`, [campaignId]),
    db.query<{ day: string } & KindCounts>(
      `select to_char(created_at at time zone $2, 'YYYY-MM-DD') as day, ${counts}
         from campaign_events where campaign_id = $1 group by 1 order by 1`,
      [campaignId, options.timeZone],
    ),
    db.query<{ channel: string } & KindCounts>(
      `select channel, ${counts} from campaign_events where campaign_id = $1 group by 1 order by 1`,
      [campaignId],
    ),
    db.query<{ entry: string; entered: number }>(
      `select coalesce(entry, 'unknown') as entry, count(*)::int as entered
         from campaign_events where campaign_id = $1 and kind = 'entered' group by 1 order by 2 desc, 1`,
      [campaignId],
    ),
    db.query<{ node: string; reached: number }>(
      `select node, count(*)::int as reached from campaign_events
        where campaign_id = $1 and kind = 'step' group by 1`,
      [campaignId],
    ),
    db.query<{ node: string; dropped: number }>(
      `with last_step as (
         select distinct on (conversation_id) conversation_id, node
           from campaign_events where campaign_id = $1 and kind = 'step'
          order by conversation_id, id desc)
       select node, count(*)::int as dropped from last_step
        where not exists (select 1 from campaign_events done
                           where done.campaign_id = $1 and done.conversation_id = last_step.conversation_id
                             and done.kind = 'completed')
        group by 1`,
      [campaignId],
    ),
  ]);
  const total = totals.rows[0] ?? { entered: 0, completed: 0, converted: 0, handoff: 0, opted_out: 0 };
  const reached = new Map(steps.rows.map((row) => [row.node, row.reached]));
  const stopped = new Map(dropped.rows.map((row) => [row.node, row.dropped]));
  return {
    campaignId,
    totals: {
      ...total,
      completionRate: rate(total.completed, total.entered),
      conversionRate: rate(total.converted, total.entered),
    },
    byDay: byDay.rows,
    byChannel: byChannel.rows,
    byEntry: byEntry.rows,
    steps: options.steps
      .filter((node) => reached.has(node))
      .map((node) => ({ node, reached: reached.get(node) ?? 0, dropped: stopped.get(node) ?? 0 })),
  };
}

function rate(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((part / whole) * 1000) / 1000;
}
