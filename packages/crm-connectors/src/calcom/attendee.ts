/**
 * Who books, as Cal.com wants the attendee: a name, an email, a time zone,
 * and when known the language of its emails and a phone number.
 *
 * Cal.com needs an email (a phone alone is enough only for event types
 * asking for one), and a chat contact often has none. With
 * `default_attendee_email: rdv@example.com`, such a contact books as
 * `rdv+contact-<contact id>@example.com`: the shop's own mailbox receives
 * Cal.com's emails (plus addressing), and every contact keeps an address of
 * its own, so Cal.com's per-attendee limits and the host's booking list still
 * tell people apart.
 */
import type { ContactRef } from '../interfaces.js';
import type { CalAttendee } from './types.js';

/** Cal.com's BookingLanguage values (packages/platform/types/bookings/2024-08-13/inputs/language.ts). */
const CAL_LANGUAGES = new Set(
  (
    'ar ca de es eu he id ja lv pl ro sr th vi az cs el es-419 fi hr it km nl pt ru sv tr zh-CN ' +
    'bg da en et fr hu iw ko no pt-BR sk ta uk zh-TW bn'
  ).split(' '),
);

export interface AttendeeOptions {
  timeZone: string;
  defaultEmail?: string | undefined;
}

export function attendeeFor(contact: ContactRef, options: AttendeeOptions): CalAttendee {
  const phone = contact.phone && /^\+[1-9]\d{6,14}$/.test(contact.phone) ? contact.phone : undefined;
  const email = contact.email?.trim() || placeholderEmail(contact.id, options.defaultEmail);
  if (!email && !phone) {
    throw new Error(
      `Cal.com needs an email or a phone number for the attendee, and contact ${contact.id} has neither: ` +
        'set default_attendee_email in the calcom connector settings',
    );
  }
  const language = calLanguage(contact.locale);
  return {
    name: contact.name?.trim() || contact.email?.trim() || phone || `Contact ${contact.id}`,
    ...(email ? { email } : {}),
    timeZone: options.timeZone,
    ...(language ? { language } : {}),
    ...(phone ? { phoneNumber: phone } : {}),
  };
}

/** `rdv@example.com` and contact `ct_42` -> `rdv+contact-ct_42@example.com`. */
export function placeholderEmail(contactId: string, defaultEmail: string | undefined): string | undefined {
  if (!defaultEmail) return undefined;
  const at = defaultEmail.lastIndexOf('@');
  const local = defaultEmail.slice(0, at).split('+')[0] ?? '';
  const tag = `contact-${contactId.replace(/[^A-Za-z0-9._-]/g, '-')}`;
  // An email's local part is at most 64 characters.
  return `${`${local}+${tag}`.slice(0, 64)}${defaultEmail.slice(at)}`;
}

/** `fr-FR` -> `fr`, `pt-br` -> `pt-BR`, `en` -> `en`; a language Cal.com does not have -> undefined (English). */
export function calLanguage(locale: string | undefined): string | undefined {
  if (!locale) return undefined;
  const [language = '', region] = locale.trim().split(/[-_]/);
  const full = region ? `${language.toLowerCase()}-${region.toUpperCase()}` : language.toLowerCase();
  if (CAL_LANGUAGES.has(full)) return full;
  return CAL_LANGUAGES.has(language.toLowerCase()) ? language.toLowerCase() : undefined;
}
