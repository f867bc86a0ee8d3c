import type { Channel } from '../events/schema.js';
import type { Db, Queryable } from './db.js';

export interface Identity {
  channel: Channel;
  account: string;
  userId: string;
}

/**
 * How a consent change reached us: a keyword the person wrote (STOP, START, a
 * flow's "yes"), the provider's opt-out error, an operator, an imported list,
 * the web chat widget, a campaign flow's consent step.
 */
export type ConsentSource = 'keyword' | 'provider' | 'operator' | 'import' | 'widget' | 'campaign';

export interface ConsentProof {
  /** The campaign, the imported file and its line, the operator's email: what shows where it came from. */
  detail?: string | undefined;
  /** When the person gave it, when earlier than now (the date of an imported web form). */
  givenAt?: Date | undefined;
}

/**
 * Records that this identity opted out (durable: a flag on the identity and
 * an entry in the consent history). Idempotent: opting out twice keeps the
 * first date and adds no second entry while already opted out. An opt-out
 * also ends a marketing opt-in: a later broadcast needs a new yes.
 */
export function recordOptOut(db: Db, identity: Identity, source: ConsentSource, proof: ConsentProof = {}) {
  return changeConsent(db, identity, 'opt_out', source, proof);
}

/**
 * The person agreed to receive our messages (START after STOP, a "yes" in a
 * campaign flow, an imported consent): clears the opt-out and records the
 * opt-in. Idempotent like recordOptOut: nothing is added while already in.
 */
export function recordOptIn(db: Db, identity: Identity, source: ConsentSource, proof: ConsentProof = {}) {
  return changeConsent(db, identity, 'opt_in', source, proof);
}

export async function isOptedOut(db: Queryable, identity: Identity): Promise<boolean> {
  return (await consentOf(db, identity)) === 'opted_out';
}

/** Where an identity stands: a broadcast reaches only `opted_in`. */
export type ConsentState = 'opted_in' | 'opted_out' | 'unknown';

export async function consentOf(db: Queryable, identity: Identity): Promise<ConsentState> {
  const { rows } = await db.query<{ opted_in_at: Date | null; opted_out_at: Date | null }>(
    'select opted_in_at, opted_out_at from channel_identities where channel = $1 and account = $2 and user_id = $3',
    [identity.channel, identity.account, identity.userId],
  );
  const row = rows[0];
  if (row?.opted_out_at) return 'opted_out';
  return row?.opted_in_at ? 'opted_in' : 'unknown';
}

export interface ConsentRecord {
  contactId: string;
  channel: string;
  account: string;
  userId: string;
  kind: 'opt_in' | 'opt_out';
  source: string;
  detail: string | null;
  givenAt: Date | null;
  recordedAt: Date;
}

/** The whole consent history (for proof and export), oldest first; `since` limits it. */
export async function consentHistory(
  db: Queryable,
  options: { since?: Date | undefined; contactId?: string | undefined } = {},
): Promise<ConsentRecord[]> {
  const { rows } = await db.query<{
    contact_id: string;
    channel: string;
    account: string;
    user_id: string;
    kind: 'opt_in' | 'opt_out';
    source: string;
    detail: string | null;
    given_at: Date | null;
    created_at: Date;
  }>(
    `select contact_id, channel, account, user_id, kind, source, detail, given_at, created_at
       from consent_events
      where ($1::timestamptz is null or created_at >= $1) and ($2::text is null or contact_id = $2)
      order by id`,
    [options.since ?? null, options.contactId ?? null],
  );
  return rows.map((row) => ({
    contactId: row.contact_id,
    channel: row.channel,
    account: row.account,
    userId: row.user_id,
    kind: row.kind,
    source: row.source,
    detail: row.detail,
    givenAt: row.given_at,
    recordedAt: row.created_at,
  }));
}

/** Flips the flags only when the state changes, and then (and only then) adds the history entry. True when it changed. */
async function changeConsent(
  db: Db,
  identity: Identity,
  kind: 'opt_in' | 'opt_out',
  source: ConsentSource,
  proof: ConsentProof,
): Promise<boolean> {
  const change =
    kind === 'opt_out'
      ? 'opted_out_at = now(), opted_in_at = null where opted_out_at is null'
      : 'opted_in_at = now(), opted_out_at = null where (opted_in_at is null or opted_out_at is not null)';
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ contact_id: string }>(
      `update channel_identities set ${change}
          and channel = $1 and account = $2 and user_id = $3
        returning contact_id`,
      [identity.channel, identity.account, identity.userId],
    );
    const row = rows[0];
    if (!row) return false;
    await tx.query(
      `insert into consent_events (contact_id, channel, account, user_id, kind, source, detail, given_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        row.contact_id,
        identity.channel,
        identity.account,
        identity.userId,
        kind,
        source,
        proof.detail ?? null,
        proof.givenAt ?? null,
      ],
    );
    return true;
  });
}

/** Every identity of a contact with where its consent stands (the console's contact card). */
export async function consentOfContact(
  db: Queryable,
  contactId: string,
): Promise<Array<Identity & { state: ConsentState }>> {
  const { rows } = await db.query<{
    channel: Channel;
    account: string;
    user_id: string;
    opted_in_at: Date | null;
    opted_out_at: Date | null;
  }>(
    `select channel, account, user_id, opted_in_at, opted_out_at from channel_identities
      where contact_id = $1 order by channel, account`,
    [contactId],
  );
  return rows.map((row) => ({
    channel: row.channel,
    account: row.account,
    userId: row.user_id,
    state: row.opted_out_at ? 'opted_out' : row.opted_in_at ? 'opted_in' : 'unknown',
  }));
}
