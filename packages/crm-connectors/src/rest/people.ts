/**
 * Who a call is about, as the templates see them ({{owner.email}},
 * {{contact.phone}}), and whether a person in an answer is that one: the
 * ownership check of findOrder, and a guard against an API that ignores a
 * search filter and answers its first record.
 */

import type { ContactRef } from '../interfaces.js';
import { normalisePhone, PHONE_CHANNELS } from '../phones.js';
import type { Args } from './templates.js';

export interface Person {
  email?: string | undefined;
  phone?: string | undefined;
}

export function normaliseEmail(email: string | undefined): string | undefined {
  const trimmed = email?.trim().toLowerCase();
  return trimmed || undefined;
}

/** E.164 when it can be told; a national form is kept as written (it cannot be compared, only sent). */
export function phoneOf(phone: string | undefined): string | undefined {
  return phone?.trim() ? (normalisePhone(phone) ?? phone.trim()) : undefined;
}

/** The person's email and phone; on SMS and WhatsApp the user id is the phone. */
export function personOf(ref: ContactRef): Person {
  const identity = ref.identity;
  const channelPhone =
    identity && PHONE_CHANNELS.includes(identity.channel) ? normalisePhone(identity.userId) : undefined;
  return { email: normaliseEmail(ref.email), phone: phoneOf(ref.phone) ?? channelPhone };
}

/** A ContactRef as template arguments: owner.email, contact.identity.userId ... */
export function refArgs(ref: ContactRef): Args {
  const person = personOf(ref);
  return {
    id: ref.id,
    name: ref.name,
    email: person.email,
    phone: person.phone,
    locale: ref.locale,
    identity: ref.identity && {
      channel: ref.identity.channel,
      account: ref.identity.account,
      userId: ref.identity.userId,
    },
  };
}

/**
 * true: an email or a phone of both is the same; false: they have some to
 * compare and none is the same; undefined: nothing to compare.
 */
export function samePerson(asked: Person, found: Person): boolean | undefined {
  const emails = [normaliseEmail(asked.email), normaliseEmail(found.email)];
  const phones = [asked.phone && normalisePhone(asked.phone), found.phone && normalisePhone(found.phone)];
  const comparable = [emails, phones].filter(([a, b]) => a && b);
  if (comparable.length === 0) return undefined;
  return comparable.some(([a, b]) => a === b);
}
