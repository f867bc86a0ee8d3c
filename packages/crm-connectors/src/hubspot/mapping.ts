/**
 * HubSpot's shapes and ours: a CRM object is an id with string properties
 * (null when unset), a contact's name is firstname + lastname, a note body is
 * HTML. Provider types stay in this folder.
 */

import type { ChannelIdentity, CrmContact } from '../interfaces.js';
import { normalisePhone } from '../phones.js';

/** What the CRM objects endpoints answer: POST, PATCH, GET and each search result. */
export interface HubspotObject {
  id: string;
  properties: Record<string, string | null | undefined>;
  createdAt?: string;
  updatedAt?: string;
  archived?: boolean;
}

/** The contact properties the connector reads into a CrmContact itself. */
export const CONTACT_CORE = ['email', 'firstname', 'lastname', 'phone', 'mobilephone'] as const;
/** A few more a flow may show ({{contact.fields.company}}), plus the bot's own contact_fields. */
export const CONTACT_EXTRA = ['company', 'jobtitle', 'lifecyclestage', 'hs_language', 'city', 'country'] as const;

export function toCrmContact(object: HubspotObject, fieldNames: readonly string[]): CrmContact {
  const p = object.properties;
  const value = (name: string) => p[name]?.trim() || undefined;
  const fields: Record<string, string> = {};
  for (const name of ['mobilephone', ...fieldNames]) {
    const found = value(name);
    if (found !== undefined) fields[name] = found;
  }
  return {
    id: object.id,
    firstName: value('firstname'),
    lastName: value('lastname'),
    email: value('email'),
    phone: value('phone') ?? value('mobilephone'),
    fields: Object.keys(fields).length > 0 ? fields : undefined,
  };
}

/**
 * The properties to write for a contact: only what was given (HubSpot clears
 * a property sent empty). Emails are lower-cased as HubSpot stores them;
 * phones are written in E.164 when we can tell the number. Of `fields`, only
 * the properties the connector also reads are written: a name HubSpot does
 * not know would make it refuse the whole update.
 */
export function contactProperties(
  contact: Omit<CrmContact, 'id'>,
  fieldNames: readonly string[],
): Record<string, string> {
  const properties: Record<string, string> = {};
  const set = (name: string, raw: string | undefined, clean: (value: string) => string = (value) => value) => {
    const value = raw?.trim();
    if (value) properties[name] = clean(value);
  };
  set('email', contact.email, (value) => value.toLowerCase());
  set('firstname', contact.firstName);
  set('lastname', contact.lastName);
  set('phone', contact.phone, (value) => normalisePhone(value) ?? value);
  for (const [name, value] of Object.entries(contact.fields ?? {})) {
    if ((name === 'mobilephone' || fieldNames.includes(name)) && !(name in properties)) set(name, value);
  }
  return properties;
}

/** HubSpot keeps no channel identities: an SMS or WhatsApp user id is the phone number, anything else says nothing. */
export function identityPhone(identity: ChannelIdentity | undefined): string | undefined {
  if (!identity || (identity.channel !== 'sms' && identity.channel !== 'whatsapp')) return undefined;
  return normalisePhone(identity.userId);
}

/** 'Zoé Martin-Roux' -> Zoé / Martin-Roux; one word is a first name. */
export function splitName(name: string | undefined): { firstName?: string; lastName?: string } {
  const [firstName, ...rest] = (name ?? '').trim().split(/\s+/).filter(Boolean);
  return { firstName, lastName: rest.length > 0 ? rest.join(' ') : undefined };
}

/** hs_note_body is rich text (HTML): the summary is escaped, the transcript a link. */
export function noteBody(summary: string, transcriptUrl: string | undefined): string {
  const paragraphs = [`<p>${escapeHtml(summary.trim()).replace(/\r?\n/g, '<br>')}</p>`];
  if (transcriptUrl) paragraphs.push(`<p><a href="${escapeHtml(transcriptUrl)}">Transcript</a></p>`);
  return paragraphs.join('');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
