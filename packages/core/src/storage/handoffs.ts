/**
 * The queue of conversations waiting for a person, and who has which. All
 * state changes are single SQL statements guarded by the current status, so
 * two operators taking the same conversation, or the sweeper expiring it
 * while someone takes it, cannot both win.
 */
import type { Db } from './db.js';

export type HandoffStatus = 'waiting' | 'assigned' | 'closed' | 'cancelled' | 'expired';

export interface HandoffRequest {
  /** Chosen by the caller so that a turn run twice (after a crash) asks once. */
  id: string;
  conversationId: string;
  contactId: string;
  reason: string;
  team?: string;
}

export interface Handoff {
  id: string;
  conversationId: string;
  contactId: string;
  reason: string;
  team: string;
  status: HandoffStatus;
  operatorId: string | null;
  requestedAt: Date;
  assignedAt: Date | null;
  firstReplyAt: Date | null;
  closedAt: Date | null;
}

interface HandoffRecord {
  id: string;
  conversation_id: string;
  contact_id: string;
  reason: string;
  team: string;
  status: HandoffStatus;
  operator_id: string | null;
  requested_at: Date | string;
  assigned_at: Date | string | null;
  first_reply_at: Date | string | null;
  closed_at: Date | string | null;
}

const COLUMNS =
  'id, conversation_id, contact_id, reason, team, status, operator_id, requested_at, assigned_at, first_reply_at, closed_at';
const date = (value: Date | string | null) => (value === null ? null : new Date(value));
const toHandoff = (row: HandoffRecord): Handoff => ({
  id: row.id,
  conversationId: row.conversation_id,
  contactId: row.contact_id,
  reason: row.reason,
  team: row.team,
  status: row.status,
  operatorId: row.operator_id,
  requestedAt: new Date(row.requested_at),
  assignedAt: date(row.assigned_at),
  firstReplyAt: date(row.first_reply_at),
  closedAt: date(row.closed_at),
});

/** Puts the conversation in the queue for a human. Idempotent per id. */
export async function requestHandoff(db: Db, request: HandoffRequest): Promise<void> {
  await db.query(
    `insert into handoffs (id, conversation_id, contact_id, reason, team) values ($1, $2, $3, $4, $5)
     on conflict (id) do nothing`,
    [request.id, request.conversationId, request.contactId, request.reason, request.team ?? 'support'],
  );
}

/** The customer went back to the bot before anyone took the conversation. */
export async function cancelHandoff(db: Db, id: string): Promise<void> {
  await db.query(
    `update handoffs set status = 'cancelled', closed_at = now(), updated_at = now() where id = $1 and status = 'waiting'`,
    [id],
  );
}

export async function getHandoff(db: Db, id: string): Promise<Handoff | undefined> {
  const { rows } = await db.query<HandoffRecord>(`select ${COLUMNS} from handoffs where id = $1`, [id]);
  return rows[0] && toHandoff(rows[0]);
}

/** The open handoff of a conversation (waiting or assigned), if any. */
export async function openHandoffOf(db: Db, conversationId: string): Promise<Handoff | undefined> {
  const { rows } = await db.query<HandoffRecord>(
    `select ${COLUMNS} from handoffs where conversation_id = $1 and status in ('waiting', 'assigned')
      order by requested_at desc limit 1`,
    [conversationId],
  );
  return rows[0] && toHandoff(rows[0]);
}

/** The waiting queue of a team, first come first served. */
export async function waitingHandoffs(db: Db, team?: string): Promise<Handoff[]> {
  const { rows } = await db.query<HandoffRecord>(
    `select ${COLUMNS} from handoffs where status = 'waiting' and ($1::text is null or team = $1)
      order by requested_at, id`,
    [team ?? null],
  );
  return rows.map(toHandoff);
}

/** 1 for the first in line. */
export async function queuePosition(db: Db, handoff: Pick<Handoff, 'id' | 'team'>): Promise<number> {
  const { rows } = await db.query<{ position: string }>(
    `select count(*) as position from handoffs w, handoffs me
      where me.id = $1 and w.status = 'waiting' and w.team = me.team
        and (w.requested_at, w.id) <= (me.requested_at, me.id)`,
    [handoff.id],
  );
  return Number(rows[0]?.position ?? 0);
}

export async function assignedTo(db: Db, operatorId: string): Promise<Handoff[]> {
  const { rows } = await db.query<HandoffRecord>(
    `select ${COLUMNS} from handoffs where operator_id = $1 and status = 'assigned' order by assigned_at`,
    [operatorId],
  );
  return rows.map(toHandoff);
}

/**
 * Gives a waiting conversation to an operator if they still have room under
 * their maximum. Returns false when someone else took it first, it stopped
 * waiting, or the operator is full: the check and the change are one statement.
 */
export async function assignHandoff(db: Db, handoffId: string, operatorId: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    // The operator's row is locked first: two assignments to one operator at once (two workers
    // sweeping, an operator taking by hand) then count each other, and the maximum holds.
    const { rows: operator } = await tx.query('select id from operators where id = $1 and active for update', [
      operatorId,
    ]);
    if (operator.length === 0) return false;
    const { rows } = await tx.query<{ id: string }>(
      `update handoffs h set status = 'assigned', operator_id = $2, assigned_at = now(), updated_at = now()
        where h.id = $1 and h.status = 'waiting'
          and (select count(*) from handoffs a where a.operator_id = $2 and a.status = 'assigned')
              < (select max_conversations from operators o where o.id = $2)
        returning h.id`,
      [handoffId, operatorId],
    );
    return rows.length === 1;
  });
}

/** An assigned conversation ends: closed by its operator, or handed back to the bot. */
export async function closeHandoff(db: Db, handoffId: string, operatorId?: string): Promise<boolean> {
  const { rows } = await db.query<{ id: string }>(
    `update handoffs set status = 'closed', closed_at = now(), updated_at = now()
      where id = $1 and status in ('waiting', 'assigned') and ($2::text is null or operator_id = $2)
      returning id`,
    [handoffId, operatorId ?? null],
  );
  return rows.length === 1;
}

/** The first human reply of an assigned conversation, for the "time to first reply" figure. Returns it once. */
export async function markFirstReply(db: Db, handoffId: string): Promise<Handoff | undefined> {
  const { rows } = await db.query<HandoffRecord>(
    `update handoffs set first_reply_at = now(), updated_at = now()
      where id = $1 and first_reply_at is null returning ${COLUMNS}`,
    [handoffId],
  );
  return rows[0] && toHandoff(rows[0]);
}

/** Waiting since before `before`: nobody took them in time. */
export async function expireWaiting(db: Db, team: string, before: Date): Promise<Handoff[]> {
  const { rows } = await db.query<HandoffRecord>(
    `update handoffs set status = 'expired', closed_at = now(), updated_at = now()
      where status = 'waiting' and team = $1 and requested_at < $2 returning ${COLUMNS}`,
    [team, before],
  );
  return rows.map(toHandoff);
}

/** Operators' current load: assigned conversations per operator id. */
export async function operatorLoads(db: Db): Promise<Map<string, number>> {
  const { rows } = await db.query<{ operator_id: string; n: string }>(
    `select operator_id, count(*) as n from handoffs where status = 'assigned' and operator_id is not null
      group by operator_id`,
  );
  return new Map(rows.map((row) => [row.operator_id, Number(row.n)]));
}
