/**
 * Importing a list of people (a marketer's CSV) for a broadcast: contacts and
 * channel identities created or found in bulk, and the consent the list
 * carries recorded with its proof. A list never overrides an opt-out: who
 * wrote STOP must write START (or say yes in a flow) to hear from us again.
 */
import { randomId } from '../events/ids.js';
import type { Channel } from '../events/schema.js';
import type { ConsentSource } from './consent.js';
import type { Db, Queryable } from './db.js';

export interface AudienceMember {
  /** The channel's user id: an E.164 number on SMS, 33612345678@c.us on WhatsApp, the chat id on Telegram. */
  userId: string;
  name?: string | undefined;
  phone?: string | undefined;
  email?: string | undefined;
  locale?: string | undefined;
  consent?:
    | {
        kind: 'opt_in' | 'opt_out';
        /** When the person said it (the web form's date), if the list knows. */
        givenAt?: Date | undefined;
        /** The file and line, the form: kept with the consent as proof. */
        detail?: string | undefined;
      }
    | undefined;
}

export interface ImportedMember {
  userId: string;
  contactId: string;
  /** True for someone this import created. */
  created: boolean;
  /** The consent change this import recorded, if any. */
  consentChanged: 'opt_in' | 'opt_out' | undefined;
}

const CHUNK = 1000;

/** Finds or creates everyone, then records their consent; chunk by chunk, each in its own transaction. */
export async function importAudience(
  db: Db,
  where: { channel: Channel; account: string },
  members: readonly AudienceMember[],
  source: ConsentSource = 'import',
): Promise<ImportedMember[]> {
  const imported: ImportedMember[] = [];
  for (let start = 0; start < members.length; start += CHUNK) {
    const chunk = members.slice(start, start + CHUNK);
    imported.push(...(await db.transaction((tx) => importChunk(tx, where, chunk, source))));
  }
  return imported;
}

async function importChunk(
  tx: Queryable,
  where: { channel: Channel; account: string },
  members: readonly AudienceMember[],
  source: ConsentSource,
): Promise<ImportedMember[]> {
  const known = await identities(tx, where, members);
  const missing = members.filter((member) => !known.has(member.userId));
  const created = new Set<string>();
  if (missing.length > 0) {
    const ids = missing.map(() => randomId('ct'));
    await tx.query(
      `insert into contacts (id, display_name, phone, email, locale)
       select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])`,
      [
        ids,
        missing.map((m) => m.name ?? null),
        missing.map((m) => m.phone ?? null),
        missing.map((m) => m.email ?? null),
        missing.map((m) => m.locale ?? null),
      ],
    );
    const { rows } = await tx.query<{ user_id: string; contact_id: string }>(
      `insert into channel_identities (channel, account, user_id, contact_id)
       select $1, $2, user_id, contact_id from unnest($3::text[], $4::text[]) as t(user_id, contact_id)
       on conflict do nothing returning user_id, contact_id`,
      [where.channel, where.account, missing.map((m) => m.userId), ids],
    );
    for (const row of rows) {
      known.set(row.user_id, row.contact_id);
      created.add(row.user_id);
    }
    // Someone wrote to us between the look-up and the insert: their contact wins, ours goes.
    const used = new Set(rows.map((row) => row.contact_id));
    const orphans = ids.filter((id) => !used.has(id));
    if (orphans.length > 0) {
      await tx.query('delete from contacts where id = any($1::text[])', [orphans]);
      for (const [userId, contactId] of await identities(tx, where, missing)) known.set(userId, contactId);
    }
  }
  // What the list knows and we did not (a name, an email) fills the gaps; it never overwrites.
  const existing = members.filter((member) => !created.has(member.userId));
  if (existing.length > 0) {
    await tx.query(
      `update contacts c set display_name = coalesce(c.display_name, u.name), phone = coalesce(c.phone, u.phone),
              email = coalesce(c.email, u.email), locale = coalesce(c.locale, u.locale), updated_at = now()
         from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) as u(id, name, phone, email, locale)
        where c.id = u.id
          and (u.name is not null or u.phone is not null or u.email is not null or u.locale is not null)`,
      [
        existing.map((m) => known.get(m.userId)),
        existing.map((m) => m.name ?? null),
        existing.map((m) => m.phone ?? null),
        existing.map((m) => m.email ?? null),
        existing.map((m) => m.locale ?? null),
      ],
    );
  }
  const changed = new Map<string, 'opt_in' | 'opt_out'>();
  for (const kind of ['opt_in', 'opt_out'] as const) {
    for (const userId of await applyConsent(tx, where, members, kind, source)) changed.set(userId, kind);
  }
  return members.map((member) => ({
    userId: member.userId,
    contactId: known.get(member.userId) as string,
    created: created.has(member.userId),
    consentChanged: changed.get(member.userId),
  }));
}

async function identities(
  tx: Queryable,
  where: { channel: Channel; account: string },
  members: readonly AudienceMember[],
): Promise<Map<string, string>> {
  const { rows } = await tx.query<{ user_id: string; contact_id: string }>(
    `select user_id, contact_id from channel_identities
      where channel = $1 and account = $2 and user_id = any($3::text[])`,
    [where.channel, where.account, members.map((m) => m.userId)],
  );
  return new Map(rows.map((row) => [row.user_id, row.contact_id]));
}

/**
 * Opt-ins only where nobody opted out (a list cannot undo a STOP) and not
 * already in; opt-outs wherever not already out. Returns who changed.
 */
async function applyConsent(
  tx: Queryable,
  where: { channel: Channel; account: string },
  members: readonly AudienceMember[],
  kind: 'opt_in' | 'opt_out',
  source: ConsentSource,
): Promise<string[]> {
  const concerned = members.filter((member) => member.consent?.kind === kind);
  if (concerned.length === 0) return [];
  const change =
    kind === 'opt_in'
      ? { set: 'opted_in_at = coalesce(u.given_at, now())', when: 'i.opted_out_at is null and i.opted_in_at is null' }
      : { set: 'opted_out_at = now(), opted_in_at = null', when: 'i.opted_out_at is null' };
  const { rows } = await tx.query<{ user_id: string }>(
    `with u as (
       select * from unnest($3::text[], $4::timestamptz[], $5::text[]) as u(user_id, given_at, detail)),
     changed as (
       update channel_identities i set ${change.set}
         from u
        where ${change.when} and i.channel = $1 and i.account = $2 and i.user_id = u.user_id
       returning i.user_id, i.contact_id)
     insert into consent_events (contact_id, channel, account, user_id, kind, source, detail, given_at)
     select changed.contact_id, $1, $2, changed.user_id, $6, $7, u.detail, u.given_at
       from changed join u on u.user_id = changed.user_id
     returning user_id`,
    [
      where.channel,
      where.account,
      concerned.map((m) => m.userId),
      concerned.map((m) => m.consent?.givenAt ?? null),
      concerned.map((m) => m.consent?.detail ?? null),
      kind,
      source,
    ],
  );
  return rows.map((row) => row.user_id);
}
