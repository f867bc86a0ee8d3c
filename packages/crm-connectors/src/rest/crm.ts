/**
 * CrmConnector over findContact, upsertContact (and updateContact when
 * given), recordLead and logConversation.
 *
 * With updateContact, upsertContact creates and updateContact changes: a
 * contact without an id is first looked for by email (else phone), so the
 * same person is never created twice. Without it, upsertContact is trusted
 * to upsert by itself. recordLead and logConversation that use
 * {{contactId}} get the person found, or created, in the CRM first.
 */
import type { ContactRef, CrmConnector, CrmContact } from '../interfaces.js';
import type { RestClient } from './client.js';
import { type Mapped, text } from './mapping.js';
import { normaliseEmail, personOf, phoneOf, refArgs, samePerson } from './people.js';
import { readItem } from './results.js';
import type { Args } from './templates.js';

export function restCrm(client: RestClient): CrmConnector {
  const crm: CrmConnector = {
    async findContact(query) {
      const asked = { email: normaliseEmail(query.email), phone: phoneOf(query.phone) };
      const answer = await client.call('findContact', { ...asked, identity: query.identity && { ...query.identity } });
      if (answer.kind !== 'ok' || answer.result === undefined || answer.result === null) return undefined;
      const contact = toContact(readItem(client, 'findContact', answer.result));
      // An API that ignored the filter answers its first contact: someone else, not "found".
      return samePerson(asked, contact) === false ? undefined : contact;
    },

    async upsertContact(contact) {
      const update = client.operation('updateContact') !== undefined;
      let id = contact.id;
      if (!id && update && (contact.email || contact.phone)) {
        const key = contact.email ? { email: contact.email } : { phone: contact.phone as string };
        id = (await crm.findContact(key))?.id;
      }
      const name = id && update ? 'updateContact' : 'upsertContact';
      const args: Args = {
        id,
        firstName: contact.firstName,
        lastName: contact.lastName,
        email: contact.email?.trim(),
        phone: phoneOf(contact.phone),
        fields: { ...contact.fields },
      };
      const answer = await client.call(name, args);
      if (answer.kind !== 'ok') throw new Error(`${name}: the API answered nothing`);
      return toContact(readItem(client, name, answer.result));
    },

    async recordLead({ contact, subject, details, kind = 'lead' }) {
      const args = { ...(await personArgs(client, crm, 'recordLead', contact)), subject, details, kind };
      const answer = await client.call('recordLead', args);
      if (answer.kind !== 'ok') throw new Error('recordLead: the API answered nothing');
      return { id: text(readItem(client, 'recordLead', answer.result), 'id') as string };
    },

    async logConversation({ contact, summary, transcriptUrl }) {
      const args = { ...(await personArgs(client, crm, 'logConversation', contact)), summary, transcriptUrl };
      await client.call('logConversation', args);
    },
  };
  return crm;
}

/** {{contact.*}}, and {{contactId}} when the operation uses it: the person found or created in the CRM. */
async function personArgs(
  client: RestClient,
  crm: CrmConnector,
  operation: 'recordLead' | 'logConversation',
  contact: ContactRef,
): Promise<Args> {
  const args: Args = { contact: refArgs(contact) };
  if (!client.uses(operation, 'contactId')) return args;
  const { email, phone } = personOf(contact);
  // One key at a time: an API may combine two filters with AND, and a CRM may hold an older phone.
  const found =
    (email ? await crm.findContact({ email }) : undefined) ?? (phone ? await crm.findContact({ phone }) : undefined);
  const [firstName, ...rest] = contact.name?.trim().split(/\s+/) ?? [];
  const created =
    found ??
    (await crm.upsertContact({
      email,
      phone,
      firstName: firstName || undefined,
      lastName: rest.join(' ') || undefined,
    }));
  return { ...args, contactId: created.id };
}

function toContact(mapped: Mapped): CrmContact {
  const fields = Object.entries(mapped).filter(([key]) => key.startsWith('fields.'));
  return {
    id: text(mapped, 'id') as string,
    firstName: text(mapped, 'firstName'),
    lastName: text(mapped, 'lastName'),
    email: text(mapped, 'email'),
    phone: text(mapped, 'phone'),
    fields:
      fields.length > 0 ? Object.fromEntries(fields.map(([key, value]) => [key.slice(7), String(value)])) : undefined,
  };
}
