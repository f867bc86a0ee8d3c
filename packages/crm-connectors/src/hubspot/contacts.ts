/**
 * HubSpot contacts: found with the CRM search endpoint (email, or phone and
 * mobile phone), written with PATCH by id, created with POST. HubSpot keeps
 * emails unique: creating a contact whose email exists answers 409 naming the
 * existing id, which is updated instead. That also covers the few seconds a
 * new contact takes to appear in search results.
 */
import { ConnectorHttpError } from '../errors.js';
import type { HubspotClient } from './client.js';
import { CONTACT_CORE, type HubspotObject } from './mapping.js';

const CONTACTS = '/crm/v3/objects/contacts';

interface SearchResponse {
  total: number;
  results: HubspotObject[];
}

export interface ContactKeys {
  /** Lower-cased. */
  email?: string | undefined;
  /** Most trusted first: asked for, then taken from a channel identity. */
  phones: string[];
}

export class HubspotContacts {
  private readonly properties: string[];

  constructor(
    private readonly client: HubspotClient,
    /** The properties read besides name, email and phones (CrmContact.fields). */
    readonly fieldNames: readonly string[],
  ) {
    this.properties = [...new Set([...CONTACT_CORE, ...fieldNames])];
  }

  /**
   * One search for every key (filter groups are OR-ed; HubSpot allows five),
   * then the best match: the email, else the first phone that matches.
   */
  async find(keys: ContactKeys): Promise<HubspotObject | undefined> {
    const filterGroups: Array<{ filters: Array<{ propertyName: string; operator: 'EQ'; value: string }> }> = [];
    if (keys.email) filterGroups.push({ filters: [{ propertyName: 'email', operator: 'EQ', value: keys.email }] });
    for (const phone of keys.phones.slice(0, 2)) {
      for (const propertyName of ['phone', 'mobilephone']) {
        filterGroups.push({ filters: [{ propertyName, operator: 'EQ', value: phone }] });
      }
    }
    if (filterGroups.length === 0) return undefined;
    const { results } = await this.client.call<SearchResponse>('POST', `${CONTACTS}/search`, {
      filterGroups,
      properties: this.properties,
      // The oldest record first: when duplicates exist, the one people have been using.
      sorts: [{ propertyName: 'createdate', direction: 'ASCENDING' }],
      limit: 10,
    });
    const has = (object: HubspotObject, name: string, value: string) =>
      object.properties[name]?.trim().toLowerCase() === value.toLowerCase();
    if (keys.email) {
      const byEmail = results.find((object) => has(object, 'email', keys.email as string));
      if (byEmail) return byEmail;
    }
    for (const phone of keys.phones) {
      const byPhone = results.find((object) => has(object, 'phone', phone) || has(object, 'mobilephone', phone));
      if (byPhone) return byPhone;
    }
    return results[0];
  }

  /** undefined when HubSpot has no contact with that id (deleted, or merged away). */
  async read(id: string): Promise<HubspotObject | undefined> {
    const query = new URLSearchParams({ properties: this.properties.join(',') });
    return orUndefinedOn404(this.client.call<HubspotObject>('GET', `${CONTACTS}/${encodeURIComponent(id)}?${query}`));
  }

  /** undefined when there is no such contact. */
  async update(id: string, properties: Record<string, string>): Promise<HubspotObject | undefined> {
    const updated = await orUndefinedOn404(
      this.client.call<HubspotObject>('PATCH', `${CONTACTS}/${encodeURIComponent(id)}`, { properties }),
    );
    return updated && withSent(updated, properties);
  }

  /** A new contact; when HubSpot already has one with that email (409), that one updated. */
  async create(properties: Record<string, string>): Promise<HubspotObject> {
    try {
      return withSent(await this.client.call<HubspotObject>('POST', CONTACTS, { properties }), properties);
    } catch (error) {
      const existing = error instanceof ConnectorHttpError && error.status === 409 && existingId(error.message);
      if (!existing) throw error;
      const updated = await this.update(existing, properties);
      if (!updated) throw error;
      return updated;
    }
  }
}

/**
 * What a write answers may hold only some properties (HubSpot returns the
 * defaults and what changed); what was just written is known to be true.
 */
function withSent(object: HubspotObject, properties: Record<string, string>): HubspotObject {
  return { ...object, properties: { ...object.properties, ...properties } };
}

/** HubSpot's 409 on a duplicate email: "Contact already exists. Existing ID: 12345". */
function existingId(message: string): string | undefined {
  return /Existing ID:\s*(\d+)/i.exec(message)?.[1];
}

async function orUndefinedOn404<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof ConnectorHttpError && error.status === 404) return undefined;
    throw error;
  }
}
