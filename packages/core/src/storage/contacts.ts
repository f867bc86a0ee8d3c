import { randomId } from '../events/ids.js';
import type { Channel } from '../events/schema.js';
import type { Db } from './db.js';

export interface Contact {
  id: string;
  displayName: string | null;
  phone: string | null;
  email: string | null;
  locale: string | null;
}

export interface IdentityHint {
  channel: Channel;
  account: string;
  userId: string;
  name?: string | undefined;
  phone?: string | undefined;
  locale?: string | undefined;
}

interface ContactRow {
  id: string;
  display_name: string | null;
  phone: string | null;
  email: string | null;
  locale: string | null;
}

const toContact = (row: ContactRow): Contact => ({
  id: row.id,
  displayName: row.display_name,
  phone: row.phone,
  email: row.email,
  locale: row.locale,
});

/**
 * The contact behind a channel identity, created on first contact. Two
 * workers meeting the same new identity at once both try to insert; the
 * primary key on channel_identities lets exactly one win, and the loser
 * reads the winner's contact.
 */
export async function resolveContact(db: Db, hint: IdentityHint): Promise<Contact> {
  const existing = await findByIdentity(db, hint);
  if (existing) return existing;
  const created = await db
    .transaction(async (tx) => {
      const id = randomId('ct');
      await tx.query('insert into contacts (id, display_name, phone, locale) values ($1, $2, $3, $4)', [
        id,
        hint.name ?? null,
        hint.phone ?? null,
        hint.locale ?? null,
      ]);
      const { rows } = await tx.query(
        `insert into channel_identities (channel, account, user_id, contact_id) values ($1, $2, $3, $4)
       on conflict do nothing returning contact_id`,
        [hint.channel, hint.account, hint.userId, id],
      );
      if (rows.length === 0) throw new IdentityTaken();
      return {
        id,
        displayName: hint.name ?? null,
        phone: hint.phone ?? null,
        email: null,
        locale: hint.locale ?? null,
      };
    })
    .catch(async (error: unknown) => {
      if (error instanceof IdentityTaken) return findByIdentity(db, hint);
      throw error;
    });
  if (!created) throw new Error('contact vanished while it was being created');
  return created;
}

class IdentityTaken extends Error {}

async function findByIdentity(db: Db, hint: IdentityHint): Promise<Contact | undefined> {
  const { rows } = await db.query<ContactRow>(
    `select c.id, c.display_name, c.phone, c.email, c.locale
       from channel_identities i join contacts c on c.id = i.contact_id
      where i.channel = $1 and i.account = $2 and i.user_id = $3`,
    [hint.channel, hint.account, hint.userId],
  );
  return rows[0] && toContact(rows[0]);
}

export async function getContact(db: Db, id: string): Promise<Contact | undefined> {
  const { rows } = await db.query<ContactRow>(
    'select id, display_name, phone, email, locale from contacts where id = $1',
    [id],
  );
  return rows[0] && toContact(rows[0]);
}
