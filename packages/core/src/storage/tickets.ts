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
  await db.transaction(async (tx) => {
    const { rows } = await tx.query(
      `insert into tickets (id, contact_id, conversation_id, subject, body, fields) values ($1, $2, $3, $4, $5, $6)
       on conflict (id) do nothing returning id`,
      [
        ticket.id,
        ticket.contactId,
        ticket.conversationId ?? null,
        ticket.subject,
        ticket.body,
        JSON.stringify(ticket.fields),
      ],
    );
    // The history starts with the customer's message (once, even when the turn runs again).
    if (rows.length > 0) {
      await tx.query(
        `insert into ticket_events (ticket_id, actor, kind, body) values ($1, 'customer', 'created', $2)`,
        [ticket.id, ticket.body],
      );
    }
  });
}

export type TicketStatus = 'open' | 'pending' | 'solved' | 'closed';

export interface TicketEvent {
  actor: string;
  kind: string;
  body: string | null;
  at: Date;
}

/** What happened to a ticket: created, assigned, replied (with the channel), status changes, notes. */
export async function addTicketEvent(db: Db, ticketId: string, event: Omit<TicketEvent, 'at'>): Promise<void> {
  await db.query('insert into ticket_events (ticket_id, actor, kind, body) values ($1, $2, $3, $4)', [
    ticketId,
    event.actor,
    event.kind,
    event.body,
  ]);
}

export async function ticketEvents(db: Db, ticketId: string): Promise<TicketEvent[]> {
  const { rows } = await db.query<{ actor: string; kind: string; body: string | null; created_at: Date | string }>(
    'select actor, kind, body, created_at from ticket_events where ticket_id = $1 order by id',
    [ticketId],
  );
  return rows.map((row) => ({ actor: row.actor, kind: row.kind, body: row.body, at: new Date(row.created_at) }));
}

export async function updateTicket(
  db: Db,
  id: string,
  change: { status?: TicketStatus; assignee?: string | null },
): Promise<boolean> {
  const { rows } = await db.query(
    `update tickets set status = coalesce($2, status),
        assignee = case when $3::boolean then $4 else assignee end, updated_at = now()
      where id = $1 returning id`,
    [id, change.status ?? null, change.assignee !== undefined, change.assignee ?? null],
  );
  return rows.length === 1;
}

export type TicketSummary = Ticket & { assignee: string | null; createdAt: Date };

export async function getTicket(db: Db, id: string): Promise<TicketSummary | undefined> {
  const { rows } = await db.query<TicketRecord>(`select ${TICKET_COLUMNS} from tickets where id = $1`, [id]);
  return rows[0] && toTicket(rows[0]);
}

export async function listTickets(db: Db, status?: TicketStatus): Promise<TicketSummary[]> {
  const { rows } = await db.query<TicketRecord>(
    `select ${TICKET_COLUMNS} from tickets where ($1::text is null or status = $1) order by created_at desc limit 200`,
    [status ?? null],
  );
  return rows.map(toTicket);
}

const TICKET_COLUMNS = 'id, contact_id, conversation_id, subject, body, fields, status, assignee, created_at';

interface TicketRecord {
  id: string;
  contact_id: string;
  conversation_id: string | null;
  subject: string;
  body: string;
  fields: Record<string, string> | string;
  status: string;
  assignee: string | null;
  created_at: Date | string;
}

function toTicket(row: TicketRecord): TicketSummary {
  return {
    id: row.id,
    contactId: row.contact_id,
    conversationId: row.conversation_id,
    subject: row.subject,
    body: row.body,
    fields: typeof row.fields === 'string' ? (JSON.parse(row.fields) as Record<string, string>) : row.fields,
    status: row.status,
    assignee: row.assignee,
    createdAt: new Date(row.created_at),
  };
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
