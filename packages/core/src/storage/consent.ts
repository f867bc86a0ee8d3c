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
export function recordOptOut(db: Db, identity: Identity, source: ConsentSource): Promise<boolean> {
  return changeConsent(db, identity, 'opt_out', source);
}

/** The way back after STOP ("START"): clears the flag and records the opt-in. Idempotent like recordOptOut. */
export function recordOptIn(db: Db, identity: Identity, source: ConsentSource): Promise<boolean> {
  return changeConsent(db, identity, 'opt_in', source);
}

export async function isOptedOut(db: Db, identity: Identity): Promise<boolean> {
  const { rows } = await db.query<{ opted_out_at: Date | null }>(
    'select opted_out_at from channel_identities where channel = $1 and account = $2 and user_id = $3',
    [identity.channel, identity.account, identity.userId],
  );
  return Boolean(rows[0]?.opted_out_at);
}

/** Flips the flag only when it changes, and then (and only then) adds the history entry. True when it changed. */
async function changeConsent(
  db: Db,
  identity: Identity,
  kind: 'opt_in' | 'opt_out',
  source: ConsentSource,
): Promise<boolean> {
  const flag = kind === 'opt_out' ? { set: 'now()', unless: 'is not null' } : { set: 'null', unless: 'is null' };
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ contact_id: string }>(
      `update channel_identities set opted_out_at = ${flag.set}
        where channel = $1 and account = $2 and user_id = $3 and not (opted_out_at ${flag.unless})
        returning contact_id`,
      [identity.channel, identity.account, identity.userId],
    );
    const row = rows[0];
    if (!row) return false;
    await tx.query(
      `insert into consent_events (contact_id, channel, account, user_id, kind, source)
       values ($1, $2, $3, $4, $5, $6)`,
      [row.contact_id, identity.channel, identity.account, identity.userId, kind, source],
    );
    return true;
  });
}
