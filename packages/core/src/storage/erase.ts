/**
 * A contact's right to a copy of their data and to be forgotten (GDPR art. 15
 * and 17): everything the gateway keeps about them, and its removal. The
 * database's `on delete cascade` removes identities, conversations,
 * messages, deliveries, handoffs, tickets and consent history with the
 * contact; the caller removes what lives elsewhere (Redis sessions, web chat
 * history) with the conversation ids and identities returned.
 */
import type { Db } from './db.js';

export interface ContactExport {
  contact: Record<string, unknown>;
  identities: Array<Record<string, unknown>>;
  consent: Array<Record<string, unknown>>;
  conversations: Array<{ id: string; channel: string; account: string; messages: Array<Record<string, unknown>> }>;
  tickets: Array<Record<string, unknown>>;
  notes: Array<Record<string, unknown>>;
}

export async function exportContact(db: Db, contactId: string): Promise<ContactExport | undefined> {
  const contact = (await db.query('select * from contacts where id = $1', [contactId])).rows[0];
  if (!contact) return undefined;
  const identities = (
    await db.query(
      'select channel, account, user_id, created_at, opted_in_at, opted_out_at from channel_identities where contact_id = $1',
      [contactId],
    )
  ).rows;
  const consent = (
    await db.query(
      'select channel, account, user_id, kind, source, detail, given_at, created_at from consent_events where contact_id = $1 order by id',
      [contactId],
    )
  ).rows;
  const { rows: conversationRows } = await db.query<{ id: string; channel: string; account: string }>(
    'select id, channel, account from conversations where contact_id = $1 order by started_at',
    [contactId],
  );
  const conversations = [];
  for (const conversation of conversationRows) {
    const messages = (
      await db.query(
        'select id, direction, kind, body, created_at from messages where conversation_id = $1 order by created_at, id',
        [conversation.id],
      )
    ).rows;
    conversations.push({ ...conversation, messages });
  }
  const tickets = (await db.query('select * from tickets where contact_id = $1 order by created_at', [contactId])).rows;
  const notes = (
    await db.query(
      `select n.conversation_id, n.body, n.created_at from conversation_notes n
        join conversations c on c.id = n.conversation_id where c.contact_id = $1 order by n.id`,
      [contactId],
    )
  ).rows;
  return { contact, identities, consent, conversations, tickets, notes };
}

export interface ErasedContact {
  conversationIds: string[];
  identities: Array<{ channel: string; account: string; userId: string }>;
}

/** Deletes the contact and, by cascade, all they said and all said to them. */
export async function eraseContact(db: Db, contactId: string): Promise<ErasedContact | undefined> {
  return db.transaction(async (tx) => {
    const { rows: conversations } = await tx.query<{ id: string }>(
      'select id from conversations where contact_id = $1',
      [contactId],
    );
    const { rows: identities } = await tx.query<{ channel: string; account: string; user_id: string }>(
      'select channel, account, user_id from channel_identities where contact_id = $1',
      [contactId],
    );
    // The demo connector's records are keyed by contact without a foreign key (a CRM of its own).
    await tx.query('delete from demo_crm_records where contact_id = $1', [contactId]);
    await tx.query('delete from demo_bookings where contact_id = $1', [contactId]);
    const { rows } = await tx.query('delete from contacts where id = $1 returning id', [contactId]);
    if (rows.length === 0) return undefined;
    return {
      conversationIds: conversations.map((row) => row.id),
      identities: identities.map((row) => ({ channel: row.channel, account: row.account, userId: row.user_id })),
    };
  });
}
