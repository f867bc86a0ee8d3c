import type { Db } from './db.js';

export interface NewTicket {
  /** Chosen by the caller (short, quotable: "T-4F7K2A"), so that a turn run twice creates one ticket. */
  id: string;
  contactId: string;
  conversationId?: string | undefined;
  subject: string;
  body: string;
  fields: Record<string, string>;
}

export async function createTicket(db: Db, ticket: NewTicket): Promise<void> {
  await db.query(
    `insert into tickets (id, contact_id, conversation_id, subject, body, fields) values ($1, $2, $3, $4, $5, $6)
     on conflict (id) do nothing`,
    [
      ticket.id,
      ticket.contactId,
      ticket.conversationId ?? null,
      ticket.subject,
      ticket.body,
      JSON.stringify(ticket.fields),
    ],
  );
}

export interface Ticket {
  id: string;
  contactId: string;
  conversationId: string | null;
  subject: string;
  body: string;
  fields: Record<string, string>;
  status: string;
}

export async function ticketsOf(db: Db, contactId: string): Promise<Ticket[]> {
  const { rows } = await db.query<{
    id: string;
    contact_id: string;
    conversation_id: string | null;
    subject: string;
    body: string;
    fields: Record<string, string> | string;
    status: string;
  }>(
    'select id, contact_id, conversation_id, subject, body, fields, status from tickets where contact_id = $1 order by created_at',
    [contactId],
  );
  return rows.map((row) => ({
    id: row.id,
    contactId: row.contact_id,
    conversationId: row.conversation_id,
    subject: row.subject,
    body: row.body,
    fields: typeof row.fields === 'string' ? (JSON.parse(row.fields) as Record<string, string>) : row.fields,
    status: row.status,
  }));
}
