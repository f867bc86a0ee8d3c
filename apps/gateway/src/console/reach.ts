/**
 * How to reach a customer later (a ticket's answer): on the conversation the
 * ticket came from when its channel still allows the business to write, else
 * on another of the contact's conversations that does. Messenger and WhatsApp
 * allow a business message only within 24 hours of the customer's last one
 * (Meta's messaging window; after it only paid templates); SMS, Telegram
 * (once the customer has started the bot), Teams and the web chat (history
 * on the next visit) have no such window.
 */
import { type ConversationRecipient, conversationRecipient, type Db } from '@passerelle/core';

const WINDOW_MS: Record<string, number> = { messenger: 24 * 3_600_000, whatsapp: 24 * 3_600_000 };

export interface Reach {
  recipient: ConversationRecipient;
  /** True when it is not the conversation the ticket came from. */
  otherChannel: boolean;
}

export async function reachFor(
  db: Db,
  contactId: string,
  preferred: string | null,
  now = new Date(),
): Promise<Reach | undefined> {
  const { rows } = await db.query<{ id: string; channel: string; last_in: Date | string | null }>(
    `select c.id, c.channel,
            (select max(m.created_at) from messages m where m.conversation_id = c.id and m.direction = 'in') as last_in
       from conversations c where c.contact_id = $1
      order by (c.id = $2) desc, c.last_message_at desc`,
    [contactId, preferred],
  );
  for (const row of rows) {
    const window = WINDOW_MS[row.channel];
    const open =
      window === undefined || (row.last_in !== null && now.getTime() - new Date(row.last_in).getTime() < window);
    if (!open) continue;
    const recipient = await conversationRecipient(db, row.id);
    if (recipient) return { recipient, otherChannel: row.id !== preferred };
  }
  return undefined;
}
