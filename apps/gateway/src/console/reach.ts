/**
 * How to reach a customer later (a ticket's answer): on the conversation the
 * ticket came from when its channel still allows the business to write, else
 * on another of the contact's conversations that does. Each channel declares
 * its window in its capabilities (Messenger and WhatsApp: 24 hours after the
 * customer's last message; the others: none).
 */
import { CHANNEL_CAPABILITIES } from '@passerelle/channels';
import { type Channel, type ConversationRecipient, conversationRecipient, type Db } from '@passerelle/core';

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
    const hours = CHANNEL_CAPABILITIES[row.channel as Channel]?.replyWindowHours;
    const open =
      hours === undefined ||
      (row.last_in !== null && now.getTime() - new Date(row.last_in).getTime() < hours * 3_600_000);
    if (!open) continue;
    const recipient = await conversationRecipient(db, row.id);
    if (recipient) return { recipient, otherChannel: row.id !== preferred };
  }
  return undefined;
}
