/**
 * Who an order belongs to. The gateway's contact (ContactRef) carries the
 * email and phone it knows, and a phone channel's user id is a phone number
 * too; an order belongs to that person when its own email or phone, or its
 * customer's, is one of them. Emails compare without case, phones in E.164.
 */

import type { ContactRef } from '../interfaces.js';
import { normalisePhone, PHONE_CHANNELS } from '../phones.js';
import type { ShopifyOrderNode } from './types.js';

export interface OwnerKeys {
  emails: string[];
  phones: string[];
}

export function ownerKeys(owner: ContactRef): OwnerKeys {
  const emails = new Set<string>();
  const phones = new Set<string>();
  const email = owner.email && normaliseEmail(owner.email);
  if (email) emails.add(email);
  for (const raw of [
    owner.phone,
    owner.identity && PHONE_CHANNELS.includes(owner.identity.channel) && owner.identity.userId,
  ]) {
    const phone = raw ? normalisePhone(raw) : undefined;
    if (phone) phones.add(phone);
  }
  return { emails: [...emails], phones: [...phones] };
}

export function belongsTo(order: ShopifyOrderNode, keys: OwnerKeys): boolean {
  const emails = [order.email, order.customer?.defaultEmailAddress?.emailAddress];
  const phones = [order.phone, order.customer?.defaultPhoneNumber?.phoneNumber];
  return (
    emails.some((email) => email && keys.emails.includes(normaliseEmail(email))) ||
    phones.some((phone) => {
      const normalised = phone ? normalisePhone(phone) : undefined;
      return normalised !== undefined && keys.phones.includes(normalised);
    })
  );
}

function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}
