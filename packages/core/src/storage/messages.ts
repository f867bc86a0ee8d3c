import type { Channel, InboundEvent, OutboundMessage } from '../events/schema.js';
import type { Db } from './db.js';

/**
 * Records an inbound message and the conversation it belongs to. Idempotent:
 * a retried dialog step records nothing twice.
 */
export async function recordInbound(db: Db, event: InboundEvent, contactId: string): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query(
      `insert into conversations (id, channel, account, contact_id, started_at, last_message_at)
       values ($1, $2, $3, $4, $5, $5)
       on conflict (id) do update set last_message_at = greatest(conversations.last_message_at, excluded.last_message_at)`,
      [event.conversationId, event.channel, event.account, contactId, event.receivedAt],
    );
    await tx.query(
      `insert into messages (id, conversation_id, direction, kind, body, provider_message_id, created_at)
       values ($1, $2, 'in', $3, $4, $5, $6) on conflict (id) do nothing`,
      [
        event.id,
        event.conversationId,
        event.kind,
        JSON.stringify(event.content),
        event.providerMessageId,
        event.receivedAt,
      ],
    );
  });
}

/** Records replies and their delivery rows as queued, before they are put on the outbound queue. */
export async function recordOutbound(db: Db, messages: OutboundMessage[]): Promise<void> {
  if (messages.length === 0) return;
  await db.transaction(async (tx) => {
    for (const message of messages) {
      await tx.query(
        `insert into messages (id, conversation_id, direction, kind, body, created_at)
         values ($1, $2, 'out', $3, $4, $5) on conflict (id) do nothing`,
        [message.id, message.conversationId, message.purpose, JSON.stringify(message.parts), message.createdAt],
      );
      await tx.query(
        `insert into deliveries (message_id, status) values ($1, 'queued') on conflict (message_id) do nothing`,
        [message.id],
      );
    }
  });
}

export interface TranscriptLine {
  id: string;
  direction: 'in' | 'out';
  kind: string;
  body: unknown;
  createdAt: Date;
}

export async function transcript(db: Db, conversationId: string): Promise<TranscriptLine[]> {
  const { rows } = await db.query<{
    id: string;
    direction: 'in' | 'out';
    kind: string;
    body: unknown;
    created_at: Date;
  }>(
    `select id, direction, kind, body, created_at from messages
      where conversation_id = $1 order by created_at, direction, id`,
    [conversationId],
  );
  return rows.map((row) => ({
    id: row.id,
    direction: row.direction,
    kind: row.kind,
    body: row.body,
    createdAt: row.created_at,
  }));
}

export interface ConversationRecipient {
  conversationId: string;
  contactId: string;
  channel: Channel;
  account: string;
  userId: string;
}

/**
 * Who to write to in a conversation: its channel and account, and the
 * contact's identity there. Used for messages nobody answered a message
 * with (an operator's reply, a ticket's answer, a system event).
 */
export async function conversationRecipient(
  db: Db,
  conversationId: string,
): Promise<ConversationRecipient | undefined> {
  const { rows } = await db.query<{ contact_id: string; channel: Channel; account: string; user_id: string }>(
    `select c.contact_id, c.channel, c.account, i.user_id
       from conversations c
       join channel_identities i on i.contact_id = c.contact_id and i.channel = c.channel and i.account = c.account
      where c.id = $1
      order by i.created_at desc limit 1`,
    [conversationId],
  );
  const row = rows[0];
  return (
    row && {
      conversationId,
      contactId: row.contact_id,
      channel: row.channel,
      account: row.account,
      userId: row.user_id,
    }
  );
}
