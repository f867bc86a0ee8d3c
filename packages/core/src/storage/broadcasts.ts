/**
 * Broadcasts: a campaign's first message to a list of people of one channel
 * account. The list is kept in the database in its order; the dispatcher
 * walks the pending part, the dialog worker records what became of each
 * person, and the deliveries table says what the provider did. A stopped
 * process loses nothing: whoever dispatches next starts from the first
 * recipient still pending.
 */
import type { Channel } from '../events/schema.js';
import type { Db, Queryable } from './db.js';

export const BROADCAST_STATUSES = ['draft', 'running', 'paused', 'cancelled', 'done'] as const;
export type BroadcastStatus = (typeof BROADCAST_STATUSES)[number];

export interface Broadcast {
  id: string;
  campaignId: string;
  channel: Channel;
  account: string;
  status: BroadcastStatus;
  ratePerSecond: number;
  source: string | null;
  createdBy: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

interface BroadcastRow {
  id: string;
  campaign_id: string;
  channel: Channel;
  account: string;
  status: BroadcastStatus;
  rate_per_second: number;
  source: string | null;
  created_by: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

const toBroadcast = (row: BroadcastRow): Broadcast => ({
  id: row.id,
  campaignId: row.campaign_id,
  channel: row.channel,
  account: row.account,
  status: row.status,
  ratePerSecond: Number(row.rate_per_second),
  source: row.source,
  createdBy: row.created_by,
  createdAt: row.created_at,
  startedAt: row.started_at,
  finishedAt: row.finished_at,
});

const COLUMNS =
  'id, campaign_id, channel, account, status, rate_per_second, source, created_by, created_at, started_at, finished_at';

export interface NewBroadcast {
  id: string;
  campaignId: string;
  channel: Channel;
  account: string;
  ratePerSecond: number;
  source?: string | undefined;
  createdBy?: string | undefined;
}

export async function createBroadcast(db: Queryable, input: NewBroadcast): Promise<Broadcast> {
  const { rows } = await db.query<BroadcastRow>(
    `insert into broadcasts (id, campaign_id, channel, account, rate_per_second, source, created_by)
     values ($1, $2, $3, $4, $5, $6, $7) returning ${COLUMNS}`,
    [
      input.id,
      input.campaignId,
      input.channel,
      input.account,
      input.ratePerSecond,
      input.source ?? null,
      input.createdBy ?? null,
    ],
  );
  return toBroadcast(rows[0] as BroadcastRow);
}

export async function getBroadcast(db: Queryable, id: string): Promise<Broadcast | undefined> {
  const { rows } = await db.query<BroadcastRow>(`select ${COLUMNS} from broadcasts where id = $1`, [id]);
  return rows[0] && toBroadcast(rows[0]);
}

export async function listBroadcasts(
  db: Queryable,
  filter: { campaignId?: string | undefined; status?: BroadcastStatus | undefined } = {},
): Promise<Broadcast[]> {
  const { rows } = await db.query<BroadcastRow>(
    `select ${COLUMNS} from broadcasts
      where ($1::text is null or campaign_id = $1) and ($2::text is null or status = $2)
      order by created_at desc, id`,
    [filter.campaignId ?? null, filter.status ?? null],
  );
  return rows.map(toBroadcast);
}

/** What a person (or the dispatcher) may do to a broadcast, and from which states. */
export const BROADCAST_ACTIONS = {
  send: { from: ['draft'], to: 'running' },
  pause: { from: ['running'], to: 'paused' },
  resume: { from: ['paused'], to: 'running' },
  cancel: { from: ['draft', 'running', 'paused'], to: 'cancelled' },
  finish: { from: ['running'], to: 'done' },
} as const satisfies Record<string, { from: readonly BroadcastStatus[]; to: BroadcastStatus }>;
export type BroadcastAction = keyof typeof BROADCAST_ACTIONS;

export class BroadcastStateError extends Error {
  constructor(
    message: string,
    readonly status: BroadcastStatus | undefined,
  ) {
    super(message);
    this.name = 'BroadcastStateError';
  }
}

/** Applies an action if the broadcast is in a state that allows it (checked and changed in one statement). */
export async function changeBroadcastStatus(db: Queryable, id: string, action: BroadcastAction): Promise<Broadcast> {
  const { from, to } = BROADCAST_ACTIONS[action];
  const { rows } = await db.query<BroadcastRow>(
    `update broadcasts set status = $2, updated_at = now(),
            started_at = case when $2 = 'running' then coalesce(started_at, now()) else started_at end,
            finished_at = case when $2 in ('cancelled', 'done') then now() else finished_at end
      where id = $1 and status = any($3::text[]) returning ${COLUMNS}`,
    [id, to, [...from]],
  );
  if (rows[0]) {
    // Whoever was still waiting will not be reached: say so in the list rather than leave them pending.
    if (action === 'cancel') {
      await db.query(
        `update broadcast_recipients set status = 'skipped', skip_reason = 'cancelled', updated_at = now()
          where broadcast_id = $1 and status = 'pending'`,
        [id],
      );
    }
    return toBroadcast(rows[0]);
  }
  const current = await getBroadcast(db, id);
  if (!current) throw new BroadcastStateError(`no broadcast ${id}`, undefined);
  throw new BroadcastStateError(
    `cannot ${action} broadcast ${id}: it is ${current.status} (${action} works when it is ${from.join(' or ')})`,
    current.status,
  );
}

export interface NewRecipient {
  seq: number;
  userId: string;
  contactId: string;
  timeZone?: string | undefined;
}

/** Adds people to a draft's list; someone already on it (same user id) is kept once, at their first place. */
export async function addRecipients(db: Queryable, broadcastId: string, recipients: readonly NewRecipient[]) {
  if (recipients.length === 0) return 0;
  const { rows } = await db.query<{ n: number }>(
    `with added as (
       insert into broadcast_recipients (broadcast_id, seq, user_id, contact_id, time_zone)
       select $1, seq, user_id, contact_id, time_zone
         from unnest($2::int[], $3::text[], $4::text[], $5::text[]) as t(seq, user_id, contact_id, time_zone)
       on conflict do nothing returning 1)
     select count(*)::int as n from added`,
    [
      broadcastId,
      recipients.map((r) => r.seq),
      recipients.map((r) => r.userId),
      recipients.map((r) => r.contactId),
      recipients.map((r) => r.timeZone ?? null),
    ],
  );
  // A big list on fresh tables: without statistics PostgreSQL picks a plan for pendingRecipients that
  // scans every identity of the account per batch (1 s a batch at 20,000 people). Measured by the bench.
  if (recipients.length >= LARGE_LIST) await db.query('analyze broadcast_recipients, channel_identities, contacts');
  return rows[0]?.n ?? 0;
}

const LARGE_LIST = 1000;

/** A recipient still to reach, with what deciding needs: consent now, the last time they wrote, their thread. */
export interface PendingRecipient {
  seq: number;
  userId: string;
  contactId: string;
  timeZone: string | null;
  locale: string | null;
  optedInAt: Date | null;
  optedOutAt: Date | null;
  /** Their latest conversation on this channel account, if they ever wrote. */
  conversationId: string | null;
  /** When they last wrote there (a 24-hour window opens from it). */
  lastInboundAt: Date | null;
}

export async function pendingRecipients(
  db: Queryable,
  broadcast: Pick<Broadcast, 'id' | 'channel' | 'account'>,
  limit: number,
  afterSeq = -1,
): Promise<PendingRecipient[]> {
  const { rows } = await db.query<{
    seq: number;
    user_id: string;
    contact_id: string;
    time_zone: string | null;
    locale: string | null;
    opted_in_at: Date | null;
    opted_out_at: Date | null;
    conversation_id: string | null;
    last_inbound_at: Date | null;
  }>(
    `select r.seq, r.user_id, r.contact_id, r.time_zone, c.locale, i.opted_in_at, i.opted_out_at,
            conv.id as conversation_id,
            (select max(m.created_at) from messages m
              where m.conversation_id = conv.id and m.direction = 'in' and m.kind in ('message', 'postback'))
              as last_inbound_at
       from broadcast_recipients r
       join contacts c on c.id = r.contact_id
       left join channel_identities i on i.channel = $2 and i.account = $3 and i.user_id = r.user_id
       left join lateral (
         select id from conversations
          where contact_id = r.contact_id and channel = $2 and account = $3
          order by last_message_at desc limit 1) conv on true
      where r.broadcast_id = $1 and r.status = 'pending' and r.seq > $5
      order by r.seq
      limit $4`,
    [broadcast.id, broadcast.channel, broadcast.account, limit, afterSeq],
  );
  return rows.map((row) => ({
    seq: row.seq,
    userId: row.user_id,
    contactId: row.contact_id,
    timeZone: row.time_zone,
    locale: row.locale,
    optedInAt: row.opted_in_at,
    optedOutAt: row.opted_out_at,
    conversationId: row.conversation_id,
    lastInboundAt: row.last_inbound_at,
  }));
}

export type RecipientUpdate =
  | { seq: number; status: 'queued' }
  | { seq: number; status: 'skipped'; reason: string }
  | { seq: number; status: 'pending' };

/** The dispatcher's decisions for a batch, in one statement. Only a pending recipient moves to queued or skipped. */
export async function markRecipients(db: Queryable, broadcastId: string, updates: readonly RecipientUpdate[]) {
  if (updates.length === 0) return;
  await db.query(
    `update broadcast_recipients r set status = u.status, skip_reason = u.reason, updated_at = now()
       from unnest($2::int[], $3::text[], $4::text[]) as u(seq, status, reason)
      where r.broadcast_id = $1 and r.seq = u.seq and r.status = 'pending'`,
    [
      broadcastId,
      updates.map((u) => u.seq),
      updates.map((u) => u.status),
      updates.map((u) => (u.status === 'skipped' ? u.reason : null)),
    ],
  );
}

/**
 * Set by the dialog worker when it handled the recipient's system event. A
 * cancel can overtake an event already on its way: what really happened wins.
 */
export async function recordBroadcastOutcome(
  db: Queryable,
  broadcastId: string,
  userId: string,
  outcome: { messageId: string } | { skipped: string },
): Promise<void> {
  const messaged = 'messageId' in outcome;
  await db.query(
    `update broadcast_recipients set status = $3, skip_reason = $4, message_id = $5, updated_at = now()
      where broadcast_id = $1 and user_id = $2
        and (status in ('pending', 'queued') or (status = 'skipped' and skip_reason = 'cancelled'))`,
    [
      broadcastId,
      userId,
      messaged ? 'messaged' : 'skipped',
      messaged ? null : outcome.skipped,
      messaged ? outcome.messageId : null,
    ],
  );
}

export interface BroadcastProgress {
  total: number;
  pending: number;
  /** Handed to the pipeline, the dialog has not handled them yet. */
  queued: number;
  messaged: number;
  skipped: number;
  skippedBy: Record<string, number>;
  /** What the provider did with the messages: sent, delivered, read, failed, unknown, or not yet (sending). */
  delivery: Record<string, number>;
  /** When the first and the last message were handed to the sender (for the achieved rate). */
  messagedSpan: { first: Date; last: Date } | null;
}

export async function broadcastProgress(db: Queryable, broadcastId: string): Promise<BroadcastProgress> {
  const [statuses, reasons, deliveries, span] = await Promise.all([
    db.query<{ status: string; n: number }>(
      'select status, count(*)::int as n from broadcast_recipients where broadcast_id = $1 group by 1',
      [broadcastId],
    ),
    db.query<{ reason: string; n: number }>(
      `select skip_reason as reason, count(*)::int as n from broadcast_recipients
        where broadcast_id = $1 and status = 'skipped' group by 1 order by 2 desc`,
      [broadcastId],
    ),
    db.query<{ status: string; n: number }>(
      `select coalesce(d.status, 'sending') as status, count(*)::int as n
         from broadcast_recipients r left join deliveries d on d.message_id = r.message_id
        where r.broadcast_id = $1 and r.status = 'messaged' group by 1`,
      [broadcastId],
    ),
    db.query<{ first: Date | null; last: Date | null }>(
      `select min(updated_at) as first, max(updated_at) as last from broadcast_recipients
        where broadcast_id = $1 and status = 'messaged'`,
      [broadcastId],
    ),
  ]);
  const first = span.rows[0]?.first;
  const last = span.rows[0]?.last;
  const count = (status: string) => statuses.rows.find((row) => row.status === status)?.n ?? 0;
  return {
    total: statuses.rows.reduce((sum, row) => sum + row.n, 0),
    pending: count('pending'),
    queued: count('queued'),
    messaged: count('messaged'),
    skipped: count('skipped'),
    skippedBy: Object.fromEntries(reasons.rows.map((row) => [row.reason, row.n])),
    delivery: Object.fromEntries(deliveries.rows.map((row) => [row.status, row.n])),
    messagedSpan: first && last ? { first: new Date(first), last: new Date(last) } : null,
  };
}

/** Every recipient with what became of them, in list order (the CSV a marketer downloads). */
export async function broadcastReport(
  db: Db,
  broadcastId: string,
): Promise<
  Array<{
    seq: number;
    userId: string;
    status: string;
    skipReason: string | null;
    delivery: string | null;
    updatedAt: Date;
  }>
> {
  const { rows } = await db.query<{
    seq: number;
    user_id: string;
    status: string;
    skip_reason: string | null;
    delivery: string | null;
    updated_at: Date;
  }>(
    `select r.seq, r.user_id, r.status, r.skip_reason, d.status as delivery, r.updated_at
       from broadcast_recipients r left join deliveries d on d.message_id = r.message_id
      where r.broadcast_id = $1 order by r.seq`,
    [broadcastId],
  );
  return rows.map((row) => ({
    seq: row.seq,
    userId: row.user_id,
    status: row.status,
    skipReason: row.skip_reason,
    delivery: row.delivery,
    updatedAt: row.updated_at,
  }));
}
