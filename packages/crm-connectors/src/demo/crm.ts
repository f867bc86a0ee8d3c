/**
 * A CRM on the project's own tables: the contacts the gateway already keeps
 * are the CRM's contacts, and leads and notes go to demo_crm_records. So a
 * demo shows "the bot recorded your request" without any outside account.
 */
import { type Db, randomId } from '@passerelle/core';
import type { CrmConnector, CrmContact } from '../interfaces.js';
import { normalisePhone, PHONE_CHANNELS, phoneUserIds } from '../phones.js';

interface ContactRow {
  id: string;
  display_name: string | null;
  phone: string | null;
  email: string | null;
  locale: string | null;
}

const COLUMNS = 'c.id, c.display_name, c.phone, c.email, c.locale';

export function demoCrm(db: Db): CrmConnector {
  const first = async (sql: string, params: unknown[]): Promise<CrmContact | undefined> => {
    const { rows } = await db.query<ContactRow>(sql, params);
    return rows[0] && toCrmContact(rows[0]);
  };

  const crm: CrmConnector = {
    async findContact({ identity, phone, email }) {
      // The most specific key first: a channel identity is one person; a phone or an email may be shared.
      if (identity) {
        const found = await first(
          `select ${COLUMNS} from channel_identities i join contacts c on c.id = i.contact_id
            where i.channel = $1 and i.account = $2 and i.user_id = $3`,
          [identity.channel, identity.account, identity.userId],
        );
        if (found) return found;
      }
      const normalised = phone === undefined ? undefined : normalisePhone(phone);
      if (normalised) {
        const found = await first(
          `select ${COLUMNS} from contacts c
            where regexp_replace(c.phone, '[^0-9+]', '', 'g') = $1
               or exists (select 1 from channel_identities i
                           where i.contact_id = c.id and i.channel = any($2::text[]) and i.user_id = any($3::text[]))
            order by c.created_at, c.id limit 1`,
          [normalised, PHONE_CHANNELS, phoneUserIds(normalised)],
        );
        if (found) return found;
      }
      if (email?.trim()) {
        return first(
          `select ${COLUMNS} from contacts c where lower(c.email) = $1 order by c.created_at, c.id limit 1`,
          [email.trim().toLowerCase()],
        );
      }
      return undefined;
    },

    async upsertContact(contact) {
      // Without an id, the same email (or phone) is the same person: update them, do not duplicate.
      const known = contact.id
        ? await first(`select ${COLUMNS} from contacts c where c.id = $1`, [contact.id])
        : await crm.findContact({ email: contact.email, phone: contact.phone });
      // display_name holds the whole name: a new first or last name replaces only its own part.
      const firstName = contact.firstName?.trim() || known?.firstName;
      const lastName = contact.lastName?.trim() || known?.lastName;
      const name = [firstName, lastName].filter(Boolean).join(' ') || null;
      const phone = contact.phone ? (normalisePhone(contact.phone) ?? contact.phone) : null;
      // Only what the flow collected changes: a field it did not ask for keeps its value.
      const { rows } = await db.query<ContactRow>(
        `insert into contacts as c (id, display_name, phone, email) values ($1, $2, $3, $4)
         on conflict (id) do update set
           display_name = coalesce(excluded.display_name, c.display_name),
           phone = coalesce(excluded.phone, c.phone),
           email = coalesce(excluded.email, c.email),
           updated_at = now()
         returning ${COLUMNS}`,
        [known?.id ?? contact.id ?? randomId('ct'), name, phone, contact.email?.trim() || null],
      );
      const row = rows[0];
      if (!row) throw new Error('upsert returned no contact');
      return toCrmContact(row);
    },

    async recordLead({ contact, subject, details, kind = 'lead' }) {
      const id = randomId(kind === 'lead' ? 'ld' : 'cs');
      await db.query(
        `insert into demo_crm_records (id, contact_id, kind, subject, details) values ($1, $2, $3, $4, $5)`,
        [id, contact.id, kind, subject, details ?? null],
      );
      return { id };
    },

    async logConversation({ contact, summary, transcriptUrl }) {
      await db.query(
        `insert into demo_crm_records (id, contact_id, kind, subject, details) values ($1, $2, 'note', $3, $4)`,
        [randomId('nt'), contact.id, summary, transcriptUrl ?? null],
      );
    },
  };
  return crm;
}

/** display_name holds the whole name; the first word is taken as the first name. */
function toCrmContact(row: ContactRow): CrmContact {
  const [firstName, ...rest] = (row.display_name ?? '').trim().split(/\s+/).filter(Boolean);
  return {
    id: row.id,
    firstName,
    lastName: rest.length > 0 ? rest.join(' ') : undefined,
    email: row.email ?? undefined,
    phone: row.phone ?? undefined,
    fields: row.locale ? { locale: row.locale } : undefined,
  };
}
