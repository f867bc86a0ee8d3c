/**
 * The CrmConnector over HubSpot: contacts are HubSpot contacts (their id is
 * HubSpot's), a lead is a deal or a ticket and a case a ticket, a
 * conversation a note; each is attached to the person, found or created by
 * email or phone first.
 */
import type { ConnectorContext } from '../definition.js';
import type { ContactRef, CrmConnector, CrmContact } from '../interfaces.js';
import { normalisePhone } from '../phones.js';
import type { HubspotClient } from './client.js';
import { type ContactKeys, HubspotContacts } from './contacts.js';
import { CONTACT_EXTRA, contactProperties, identityPhone, noteBody, splitName, toCrmContact } from './mapping.js';
import { createRecord } from './records.js';
import type { HubspotSettings } from './settings.js';

export function createHubspotCrm(
  client: HubspotClient,
  settings: Omit<HubspotSettings, 'token' | 'base_url'>,
  context: Pick<ConnectorContext, 'now' | 'logger'>,
): CrmConnector {
  const fieldNames = [...new Set([...CONTACT_EXTRA, ...settings.contact_fields])];
  const contacts = new HubspotContacts(client, fieldNames);
  const toContact = (object: Parameters<typeof toCrmContact>[0]) => toCrmContact(object, fieldNames);

  /** HubSpot's contact id for the person, created when unknown; undefined with neither email nor phone to go by. */
  const contactIdFor = async (ref: ContactRef): Promise<string | undefined> => {
    const keys = keysOf(ref);
    if (!keys.email && keys.phones.length === 0) return undefined;
    const found = await contacts.find(keys);
    if (found) return found.id;
    const created = await contacts.create(
      contactProperties({ ...splitName(ref.name), email: keys.email, phone: keys.phones[0] }, fieldNames),
    );
    return created.id;
  };

  const unattached = (what: string, ref: ContactRef) =>
    context.logger?.warn(
      { contact: ref.id },
      `hubspot: ${what} created without a contact (no email or phone to find or create them by)`,
    );

  return {
    async findContact({ identity, phone, email }) {
      const keys = keysOf({ email, phone, identity });
      if (!keys.email && keys.phones.length === 0) return undefined;
      const found = await contacts.find(keys);
      return found && toContact(found);
    },

    async upsertContact(contact): Promise<CrmContact> {
      const properties = contactProperties(contact, fieldNames);
      if (contact.id) {
        const updated = Object.keys(properties).length
          ? await contacts.update(contact.id, properties)
          : await contacts.read(contact.id);
        if (updated) return toContact(updated);
        // No such contact any more (deleted or merged): fall through and find or create them by email or phone.
      }
      const found = await contacts.find(keysOf(contact));
      if (found) {
        if (Object.keys(properties).length === 0) return toContact(found);
        const updated = await contacts.update(found.id, properties);
        if (updated) return toContact(updated);
      }
      return toContact(await contacts.create(properties));
    },

    async recordLead({ contact, subject, details, kind = 'lead' }) {
      const contactId = await contactIdFor(contact);
      if (!contactId) unattached(kind, contact);
      // Without a contact to attach it to, the name is all HubSpot will know of the person.
      const text =
        contactId || !contact.name ? details : [details, `From: ${contact.name}`].filter(Boolean).join('\n\n');
      const record =
        kind === 'case' || settings.lead_object === 'tickets'
          ? await createRecord(
              client,
              'tickets',
              {
                subject,
                content: text,
                hs_pipeline: settings.ticket_pipeline,
                hs_pipeline_stage: settings.ticket_stage,
                hubspot_owner_id: settings.owner_id,
              },
              contactId,
            )
          : await createRecord(
              client,
              'deals',
              {
                dealname: subject,
                description: text,
                pipeline: settings.deal_pipeline,
                dealstage: settings.deal_stage,
                hubspot_owner_id: settings.owner_id,
              },
              contactId,
            );
      return { id: record.id };
    },

    async logConversation({ contact, summary, transcriptUrl }) {
      const contactId = await contactIdFor(contact);
      if (!contactId) unattached('note', contact);
      await createRecord(
        client,
        'notes',
        {
          hs_note_body: noteBody(summary, transcriptUrl),
          hs_timestamp: context.now().toISOString(),
          hubspot_owner_id: settings.owner_id,
        },
        contactId,
      );
    },
  };
}

/** The keys HubSpot can find a person by: the email, the phone given, the number an SMS or WhatsApp identity is. */
function keysOf(person: Pick<ContactRef, 'email' | 'phone' | 'identity'>): ContactKeys {
  const email = person.email?.trim().toLowerCase() || undefined;
  const given = person.phone?.trim();
  const phones = [given && (normalisePhone(given) ?? given), identityPhone(person.identity)].filter(
    (phone): phone is string => Boolean(phone),
  );
  return { email, phones: [...new Set(phones)] };
}
