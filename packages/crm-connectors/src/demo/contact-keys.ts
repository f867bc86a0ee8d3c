/**
 * What ties a contact to a customer record: the phone numbers and email
 * addresses we know for them, from the contact itself and from the channels
 * they wrote on (an SMS or WhatsApp user id is their phone number).
 */
import type { Queryable } from '@passerelle/core';

/** Channels whose user id is (or contains) the phone number. */
export const PHONE_CHANNELS = ['sms', 'whatsapp'];

/**
 * '+33 6 12-34.56.78', 'whatsapp:+33612345678' and '33612345678@c.us' all
 * give '+33612345678'. National forms ('06 12 ...') give undefined: without
 * the country we cannot tell which number it is, and guessing could match a
 * stranger's orders.
 */
export function normalisePhone(raw: string): string | undefined {
  const compact = raw
    .trim()
    .replace(/^whatsapp:/i, '')
    .replace(/@c\.us$/i, '')
    .replace(/[\s().-]/g, '');
  const digits = /^\+?([1-9]\d{5,14})$/.exec(compact)?.[1];
  return digits && `+${digits}`;
}

/** The forms a phone number takes as a user id on the phone channels. */
export function phoneUserIds(phone: string): string[] {
  return [phone, `${phone.slice(1)}@c.us`, `whatsapp:${phone}`];
}

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
