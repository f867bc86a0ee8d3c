import type { Db } from './db.js';

export type DeliveryStatus = 'queued' | 'sending' | 'sent' | 'delivered' | 'read' | 'failed' | 'unknown';

export interface DeliveryUpdate {
  status: DeliveryStatus;
  providerMessageId?: string | undefined;
  attempts?: number | undefined;
  error?: string | undefined;
  /** This update sends the message again after a send whose outcome was unknown (at least once): counted. */
  resent?: boolean | undefined;
}

// A receipt may arrive before our own "sent" update is written; never move a status backwards.
const RANK: Record<DeliveryStatus, number> = {
  queued: 0,
  sending: 1,
  unknown: 2,
  failed: 3,
  sent: 3,
  delivered: 4,
  read: 5,
};

/** SQL that keeps the higher-ranked of the stored and the new status. */
const RANK_OF_STORED = `(case deliveries.status ${Object.entries(RANK)
  .map(([status, rank]) => `when '${status}' then ${rank}`)
  .join(' ')} end)`;

export async function markDelivery(db: Db, messageId: string, update: DeliveryUpdate): Promise<void> {
  await db.query(
    `insert into deliveries (message_id, status, provider_message_id, attempts, last_error, resent, updated_at)
     values ($1, $2, $3, coalesce($4, 0), $5, $7, now())
     on conflict (message_id) do update set
       status = case when $6::int >= ${RANK_OF_STORED} then excluded.status else deliveries.status end,
       provider_message_id = coalesce(excluded.provider_message_id, deliveries.provider_message_id),
       attempts = greatest(deliveries.attempts, excluded.attempts),
       last_error = coalesce(excluded.last_error, deliveries.last_error),
       resent = deliveries.resent + excluded.resent,
       updated_at = now()`,
    [
      messageId,
      update.status,
      update.providerMessageId ?? null,
      update.attempts ?? null,
      update.error ?? null,
      RANK[update.status],
      update.resent ? 1 : 0,
    ],
  );
}

export interface Delivery {
  messageId: string;
  status: DeliveryStatus;
  providerMessageId: string | null;
  attempts: number;
  lastError: string | null;
  /** Times it was sent again after a send whose outcome was unknown (at least once); 0 for most. */
  resent: number;
}

export async function getDelivery(db: Db, messageId: string): Promise<Delivery | undefined> {
  const { rows } = await db.query<{
    message_id: string;
    status: DeliveryStatus;
    provider_message_id: string | null;
    attempts: number;
    last_error: string | null;
    resent: number;
  }>(
    'select message_id, status, provider_message_id, attempts, last_error, resent from deliveries where message_id = $1',
    [messageId],
  );
  const row = rows[0];
  return (
    row && {
      messageId: row.message_id,
      status: row.status,
      providerMessageId: row.provider_message_id,
      attempts: Number(row.attempts),
      lastError: row.last_error,
      resent: Number(row.resent),
    }
  );
}

/**
 * Applies a provider's delivery receipt to the message it sent under that id.
 * Returns false when no message of ours has that provider id (a receipt for a
 * message sent by something else, or one that arrived before we recorded it).
 */
export async function markDeliveryByProviderId(
  db: Db,
  providerMessageId: string,
  update: { status: 'sent' | 'delivered' | 'read' | 'failed'; error?: string | undefined },
): Promise<boolean> {
  const { rows } = await db.query(
    `update deliveries set
       status = case when $2::int >= ${RANK_OF_STORED} then $3 else deliveries.status end,
       last_error = coalesce($4, deliveries.last_error),
       updated_at = now()
     where provider_message_id = $1
     returning message_id`,
    [providerMessageId, RANK[update.status], update.status, update.error ?? null],
  );
  return rows.length > 0;
}
