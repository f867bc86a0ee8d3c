/**
 * What the bot creates in HubSpot besides contacts: deals, tickets and notes,
 * each associated with its contact in the same create call (v3 objects API
 * with `associations`), so nothing is left unattached if a second call fails.
 */
import type { HubspotClient } from './client.js';
import type { HubspotObject } from './mapping.js';

/**
 * HubSpot's default (unlabelled) association type ids, from the record to
 * the contact; they differ by direction (contact -> ticket is 15).
 */
export const ASSOCIATION_TYPE = { dealToContact: 3, ticketToContact: 16, noteToContact: 202 } as const;

export type RecordObject = 'deals' | 'tickets' | 'notes';

const TO_CONTACT: Record<RecordObject, number> = {
  deals: ASSOCIATION_TYPE.dealToContact,
  tickets: ASSOCIATION_TYPE.ticketToContact,
  notes: ASSOCIATION_TYPE.noteToContact,
};

/** Creates the record with its properties (unset ones left out), associated with the contact when there is one. */
export async function createRecord(
  client: HubspotClient,
  object: RecordObject,
  properties: Record<string, string | undefined>,
  contactId: string | undefined,
): Promise<HubspotObject> {
  const set = Object.fromEntries(Object.entries(properties).filter(([, value]) => value !== undefined && value !== ''));
  const associations = contactId
    ? [
        {
          to: { id: contactId },
          types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: TO_CONTACT[object] }],
        },
      ]
    : [];
  return client.call<HubspotObject>('POST', `/crm/v3/objects/${object}`, { properties: set, associations });
}
