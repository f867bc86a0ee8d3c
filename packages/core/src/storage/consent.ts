import type { Channel } from '../events/schema.js';
import type { Db } from './db.js';

export interface Identity {
  channel: Channel;
  account: string;
  userId: string;
}

export type ConsentSource = 'keyword' | 'provider' | 'operator' | 'import' | 'widget';

/**
 * Records that this identity opted out (durable: a flag on the identity and
 * an entry in the consent history). Idempotent: opting out twice keeps the
 * first date and adds no second entry while already opted out.
 */
export async function recordOptOut(db: Db, identity: Identity, source: ConsentSource): Promise<boolean> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ contact_id: string }>(
      `update channel_identities set opted_out_at = now()
        where channel = $1 and account = $2 and user_id = $3 and opted_out_at is null
        returning contact_id`,
      [identity.channel, identity.account, identity.userId],
    );
    const row = rows[0];
    if (!row) return false;
    await tx.query(
      `insert into consent_events (contact_id, channel, account, user_id, kind, source)
       values ($1, $2, $3, $4, 'opt_out', $5)`,
      [row.contact_id, identity.channel, identity.account, identity.userId, source],
    );
    return true;
  });
}

export async function isOptedOut(db: Db, identity: Identity): Promise<boolean> {
  const { rows } = await db.query<{ opted_out_at: Date | null }>(
    'select opted_out_at from channel_identities where channel = $1 and account = $2 and user_id = $3',
    [identity.channel, identity.account, identity.userId],
  );
  return Boolean(rows[0]?.opted_out_at);
}

/** The way back after STOP ("START"): clears the flag and records the opt-in. Idempotent like recordOptOut. */
export async function recordOptIn(db: Db, identity: Identity, source: ConsentSource): Promise<boolean> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ contact_id: string }>(
      `update channel_identities set opted_out_at = null
        where channel = $1 and account = $2 and user_id = $3 and opted_out_at is not null
        returning contact_id`,
      [identity.channel, identity.account, identity.userId],
    );
    const row = rows[0];
    if (!row) return false;
    await tx.query(
      `insert into consent_events (contact_id, channel, account, user_id, kind, source)
       values ($1, $2, $3, $4, 'opt_in', $5)`,
      [row.contact_id, identity.channel, identity.account, identity.userId, source],
    );
    return true;
  });
}
