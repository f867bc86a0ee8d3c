/**
 * A CRM connector for "Acme CRM", a small REST JSON API:
 *   GET  /contacts?email=...   GET /contacts?phone=...   ->  { "contacts": [AcmeContact] }
 *   POST /contacts  PATCH /contacts/:id                    ->  AcmeContact
 *   POST /opportunities  { contact_id, title, notes, type: "sale" | "support" }  ->  { "id": "..." }
 *   POST /activities     { contact_id, body }
 * Every call sends `Authorization: Token <api token>`.
 *
 * To make your own: rename the type, replace the calls below with your
 * CRM's, keep the settings schema (base_url + secrets as { env: NAME }), and
 * run the contract kit (test/contract.test.ts) against a fake of your API.
 */
import {
  ConnectorHttpError,
  type ContactRef,
  type CrmConnector,
  type CrmContact,
  defineConnector,
  requestJson,
  resolveSecret,
  Secret,
} from '@passerelle/crm-connectors';
import { z } from 'zod';

/** What bot.yaml may say under `crm:` besides the common keys (type, package, timeout, retries, cache). */
const Settings = z
  .object({
    base_url: z.url().default('https://api.acme-crm.example'),
    token: Secret,
  })
  .strict();

interface AcmeContact {
  id: string;
  first_name?: string | null;
  last_name?: string | null;
  email?: string | null;
  phone?: string | null;
}

export default defineConnector({
  type: 'acme-crm',
  kinds: ['crm'],
  settings: Settings,
  // Upserting by email gives the same contact if sent twice; opportunities are not safe to repeat.
  idempotentWrites: ['crm.upsertContact'],
  create(settings, context) {
    const token = resolveSecret(settings.token, context.env, 'token');
    const call = async <T>(method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown): Promise<T> => {
      const response = await requestJson<T>({
        method,
        url: `${settings.base_url}${path}`,
        headers: { authorization: `Token ${token}` },
        body,
      });
      return response.body;
    };
    const find = async (query: { email?: string | undefined; phone?: string | undefined }) => {
      const key = query.email ? 'email' : query.phone ? 'phone' : undefined;
      if (!key) return undefined;
      const value = (query.email ?? query.phone ?? '').trim().toLowerCase();
      const { contacts } = await call<{ contacts: AcmeContact[] }>(
        'GET',
        `/contacts?${key}=${encodeURIComponent(value)}`,
      );
      return contacts[0];
    };
    const upsert = async (contact: Omit<CrmContact, 'id'> & { id?: string }): Promise<CrmContact> => {
      const body = {
        first_name: contact.firstName,
        last_name: contact.lastName,
        email: contact.email?.trim().toLowerCase(),
        phone: contact.phone,
      };
      const id = contact.id ?? (await find(contact))?.id;
      const saved = id
        ? await call<AcmeContact>('PATCH', `/contacts/${encodeURIComponent(id)}`, body)
        : await call<AcmeContact>('POST', '/contacts', body);
      return toContact(saved);
    };
    /** The CRM's id for the person of a conversation, created from what we know if they are new. */
    const contactIdFor = async (ref: ContactRef): Promise<string> => {
      const [firstName, ...rest] = (ref.name ?? '').split(' ');
      return (await upsert({ email: ref.email, phone: ref.phone, firstName, lastName: rest.join(' ') || undefined }))
        .id;
    };

    const crm: CrmConnector = {
      async findContact({ email, phone, identity }) {
        const byIdentity = identity && ['sms', 'whatsapp'].includes(identity.channel) ? identity.userId : undefined;
        try {
          const found = await find({ email, phone: phone ?? byIdentity });
          return found && toContact(found);
        } catch (error) {
          if (error instanceof ConnectorHttpError && error.status === 404) return undefined;
          throw error;
        }
      },
      upsertContact: upsert,
      async recordLead({ contact, subject, details, kind = 'lead' }) {
        const contactId = await contactIdFor(contact);
        const type = kind === 'case' ? 'support' : 'sale';
        return call<{ id: string }>('POST', '/opportunities', {
          contact_id: contactId,
          title: subject,
          notes: details,
          type,
        });
      },
      async logConversation({ contact, summary, transcriptUrl }) {
        const contactId = await contactIdFor(contact);
        await call('POST', '/activities', {
          contact_id: contactId,
          body: transcriptUrl ? `${summary}\n${transcriptUrl}` : summary,
        });
      },
    };
    return { crm };
  },
});

function toContact(contact: AcmeContact): CrmContact {
  return {
    id: contact.id,
    firstName: contact.first_name ?? undefined,
    lastName: contact.last_name ?? undefined,
    email: contact.email ?? undefined,
    phone: contact.phone ?? undefined,
  };
}
