import type { Db } from './db.js';

export interface HandoffRequest {
  /** Chosen by the caller so that a turn run twice (after a crash) asks once. */
  id: string;
  conversationId: string;
  contactId: string;
  reason: string;
}

/** Puts the conversation in the queue for a human. Idempotent per id. */
export async function requestHandoff(db: Db, request: HandoffRequest): Promise<void> {
  await db.query(
    `insert into handoffs (id, conversation_id, contact_id, reason) values ($1, $2, $3, $4)
     on conflict (id) do nothing`,
    [request.id, request.conversationId, request.contactId, request.reason],
  );
}

/** The customer went back to the bot before anyone took the conversation. */
export async function cancelHandoff(db: Db, id: string): Promise<void> {
  await db.query(`update handoffs set status = 'cancelled', updated_at = now() where id = $1 and status = 'waiting'`, [
    id,
  ]);
}

export interface HandoffRow {
  id: string;
  conversationId: string;
  contactId: string;
  reason: string;
  status: string;
}

export async function handoffsOf(db: Db, conversationId: string): Promise<HandoffRow[]> {
  const { rows } = await db.query<{
    id: string;
    conversation_id: string;
    contact_id: string;
    reason: string;
    status: string;
  }>(
    'select id, conversation_id, contact_id, reason, status from handoffs where conversation_id = $1 order by requested_at',
    [conversationId],
  );
  return rows.map((row) => ({
    id: row.id,
    conversationId: row.conversation_id,
    contactId: row.contact_id,
    reason: row.reason,
    status: row.status,
  }));
}
