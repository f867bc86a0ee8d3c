/**
 * Schema migrations, in order. Never edit a released one: add the next.
 * Kept as TypeScript strings so they ship inside the compiled package.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'contacts, identities, conversations, messages, deliveries',
    sql: `
      create table contacts (
        id text primary key,
        display_name text,
        phone text,
        email text,
        locale text,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      );

      -- How a contact is known on each channel. One contact, many identities.
      create table channel_identities (
        channel text not null,
        account text not null,
        user_id text not null,
        contact_id text not null references contacts(id) on delete cascade,
        created_at timestamptz not null default now(),
        primary key (channel, account, user_id)
      );
      create index channel_identities_contact on channel_identities (contact_id);

      create table conversations (
        id text primary key,
        channel text not null,
        account text not null,
        contact_id text not null references contacts(id) on delete cascade,
        started_at timestamptz not null default now(),
        last_message_at timestamptz not null default now()
      );
      create index conversations_contact on conversations (contact_id);

      create table messages (
        id text primary key,
        conversation_id text not null references conversations(id) on delete cascade,
        direction text not null check (direction in ('in', 'out')),
        -- inbound: message | postback | delivery ...; outbound: reply | operator | campaign ...
        kind text not null,
        body jsonb not null,
        provider_message_id text,
        created_at timestamptz not null default now()
      );
      create index messages_conversation on messages (conversation_id, created_at);

      create table deliveries (
        message_id text primary key references messages(id) on delete cascade,
        status text not null check (status in ('queued', 'sending', 'sent', 'delivered', 'read', 'failed', 'unknown')),
        provider_message_id text,
        attempts integer not null default 0,
        last_error text,
        updated_at timestamptz not null default now()
      );
      create index deliveries_provider_id on deliveries (provider_message_id);
    `,
  },
  {
    version: 2,
    name: 'consent: opt-in and opt-out history, opted-out flag per identity',
    sql: `
      -- Fast check before any campaign or broadcast send.
      alter table channel_identities add column opted_out_at timestamptz;

      -- Every consent change, kept for proof and export: who, where, how, when.
      create table consent_events (
        id bigint generated always as identity primary key,
        contact_id text not null references contacts(id) on delete cascade,
        channel text not null,
        account text not null,
        user_id text not null,
        kind text not null check (kind in ('opt_in', 'opt_out')),
        -- keyword | provider | operator | import | widget ...
        source text not null,
        created_at timestamptz not null default now()
      );
      create index consent_events_contact on consent_events (contact_id, created_at);
    `,
  },
];
