/**
 * What ties a contact to a customer record: the phone numbers and email
 * addresses we know for them, from the contact itself and from the channels
 * they wrote on (an SMS or WhatsApp user id is their phone number).
 */
import type { Queryable } from '@passerelle/core';
import { normalisePhone, PHONE_CHANNELS } from '../phones.js';

export async function contactKeys(db: Queryable, contactId: string): Promise<{ phones: string[]; emails: string[] }> {
  const { rows } = await db.query<{ phone: string | null; email: string | null }>(
    `select phone, email from contacts where id = $1
     union all
     select user_id, null from channel_identities where contact_id = $1 and channel = any($2::text[])`,
    [contactId, PHONE_CHANNELS],
  );
  const phones = new Set<string>();
  const emails = new Set<string>();
  for (const row of rows) {
    const phone = row.phone && normalisePhone(row.phone);
    if (phone) phones.add(phone);
    if (row.email?.trim()) emails.add(row.email.trim().toLowerCase());
  }
  return { phones: [...phones], emails: [...emails] };
}
