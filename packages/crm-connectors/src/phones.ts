/**
 * Phone numbers as connectors compare them. Every connector matches people
 * by phone, and SMS and WhatsApp give the number as the user id.
 */

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
