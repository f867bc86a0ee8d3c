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
  {
    version: 3,
    name: 'dialog: handoff requests, tickets; demo connector tables',
    sql: `
      -- A conversation the bot handed to a human: waits here until an operator takes it.
      create table handoffs (
        id text primary key,
        conversation_id text not null references conversations(id) on delete cascade,
        contact_id text not null references contacts(id) on delete cascade,
        reason text not null,
        status text not null default 'waiting' check (status in ('waiting', 'assigned', 'closed', 'cancelled')),
        requested_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      );
      create index handoffs_waiting on handoffs (status, requested_at);
      create index handoffs_conversation on handoffs (conversation_id);

      -- An offline message or a flow's "create a ticket" step.
      create table tickets (
        id text primary key,
        contact_id text not null references contacts(id) on delete cascade,
        conversation_id text references conversations(id) on delete set null,
        subject text not null,
        body text not null,
        -- what the flow collected (name, email, question ...), shown to the operator
        fields jsonb not null default '{}',
        status text not null default 'open' check (status in ('open', 'pending', 'solved', 'closed')),
        assignee text,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      );
      create index tickets_status on tickets (status, created_at);
      create index tickets_contact on tickets (contact_id);

      -- The demo connector's shop and calendar: seeded from the bot folder, so the demo's order
      -- status and booking flows work without any outside service.
      create table demo_orders (
        number text primary key,
        customer_email text,
        customer_phone text,
        status text not null,
        placed_at timestamptz not null,
        total_amount numeric(12, 2),
        currency text,
        tracking_url text,
        items jsonb not null default '[]'
      );
      -- Free slots are computed from the services' weekly hours in the seed; only bookings are stored.
      create table demo_bookings (
        id text primary key,
        service text not null,
        starts_at timestamptz not null,
        ends_at timestamptz not null,
        contact_id text not null,
        status text not null default 'booked' check (status in ('booked', 'cancelled')),
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      );
      -- one live booking per slot; a cancelled one frees it
      create unique index demo_bookings_live_slot on demo_bookings (service, starts_at) where status = 'booked';
      create index demo_bookings_contact on demo_bookings (contact_id);
      create table demo_crm_records (
        id text primary key,
        contact_id text not null,
        kind text not null check (kind in ('lead', 'case', 'note')),
        subject text not null,
        details text,
        created_at timestamptz not null default now()
      );
    `,
  },
  {
    version: 4,
    name: 'hybrid mode: operators, handoff assignment, ticket history, conversation notes',
    sql: `
      -- People who answer when the bot hands over. Teams (hours, holidays) are in the bot folder.
      create table operators (
        id text primary key,
        email text not null unique,
        name text not null,
        role text not null check (role in ('operator', 'manager')),
        team text not null default 'support',
        -- scrypt, with its parameters and salt: "scrypt$N$r$p$salt$hash"
        password_hash text not null,
        max_conversations integer not null default 3 check (max_conversations > 0),
        active boolean not null default true,
        created_at timestamptz not null default now()
      );

      alter table handoffs add column team text not null default 'support';
      alter table handoffs add column operator_id text references operators(id) on delete set null;
      alter table handoffs add column assigned_at timestamptz;
      alter table handoffs add column first_reply_at timestamptz;
      alter table handoffs add column closed_at timestamptz;
      alter table handoffs drop constraint handoffs_status_check;
      alter table handoffs add constraint handoffs_status_check
        check (status in ('waiting', 'assigned', 'closed', 'cancelled', 'expired'));
      create index handoffs_operator on handoffs (operator_id, status);

      -- What happened to a ticket, for the operator and for proof: created, assigned, replied, status, note.
      create table ticket_events (
        id bigint generated always as identity primary key,
        ticket_id text not null references tickets(id) on delete cascade,
        actor text not null,
        kind text not null,
        body text,
        created_at timestamptz not null default now()
      );
      create index ticket_events_ticket on ticket_events (ticket_id, id);

      -- Operators' notes on a conversation (not sent to the customer).
      create table conversation_notes (
        id bigint generated always as identity primary key,
        conversation_id text not null references conversations(id) on delete cascade,
        operator_id text references operators(id) on delete set null,
        body text not null,
        created_at timestamptz not null default now()
      );
      create index conversation_notes_conversation on conversation_notes (conversation_id, id);
    `,
  },
  {
    version: 5,
    name: 'campaigns: opt-in for marketing, broadcasts and their recipients, campaign results',
    sql: `
      -- Marketing consent per identity: subscribed when opted_in_at is set and opted_out_at is not.
      -- (Not opted out is not enough for a broadcast: the person must have said yes.)
      alter table channel_identities add column opted_in_at timestamptz;
      -- What proves a change: the campaign, the imported file and line, the operator's email.
      alter table consent_events add column detail text;
      -- When the person gave it, when that is older than our record (an imported web form's date).
      alter table consent_events add column given_at timestamptz;

      -- A campaign's first message sent to a list of people of one channel account.
      create table broadcasts (
        id text primary key,
        campaign_id text not null,
        channel text not null,
        account text not null,
        status text not null default 'draft'
          check (status in ('draft', 'running', 'paused', 'cancelled', 'done')),
        rate_per_second real not null check (rate_per_second > 0),
        -- where the list came from (a CSV file name) and who made it
        source text,
        created_by text,
        created_at timestamptz not null default now(),
        started_at timestamptz,
        finished_at timestamptz,
        updated_at timestamptz not null default now()
      );

      create table broadcast_recipients (
        broadcast_id text not null references broadcasts(id) on delete cascade,
        -- the list's order: the dispatcher goes through it in this order
        seq integer not null,
        user_id text not null,
        contact_id text not null references contacts(id) on delete cascade,
        time_zone text,
        -- pending: not reached yet; queued: handed to the pipeline; messaged: the dialog sent the
        -- campaign's message on; skipped: not sent, see skip_reason
        status text not null default 'pending' check (status in ('pending', 'queued', 'messaged', 'skipped')),
        skip_reason text,
        -- the outbound message carrying the campaign's first message (its delivery says sent or failed)
        message_id text,
        updated_at timestamptz not null default now(),
        primary key (broadcast_id, seq),
        unique (broadcast_id, user_id)
      );
      create index broadcast_recipients_status on broadcast_recipients (broadcast_id, status, seq);
      create index broadcast_recipients_contact on broadcast_recipients (contact_id);

      -- What people did in a campaign, once per conversation and step: the results are counted from here.
      create table campaign_events (
        id bigint generated always as identity primary key,
        campaign_id text not null,
        conversation_id text not null references conversations(id) on delete cascade,
        contact_id text not null references contacts(id) on delete cascade,
        channel text not null,
        kind text not null check (kind in ('entered', 'step', 'completed', 'converted', 'handoff', 'opted_out')),
        -- the flow node, for steps; '' otherwise
        node text not null default '',
        -- how they came in: keyword, link, prefilled, broadcast, flow
        entry text,
        created_at timestamptz not null default now(),
        unique (campaign_id, conversation_id, kind, node)
      );
      create index campaign_events_campaign on campaign_events (campaign_id, kind, created_at);
      create index campaign_events_contact on campaign_events (contact_id);
    `,
  },
  {
    version: 6,
    name: 'deliveries: how many times a message was sent again after a send whose outcome was unknown',
    sql: `
      -- At least once (bot.yaml delivery.uncertain): a call cut off by a crash, or that got no
      -- answer, is sent again; each such resend is counted here (gateway dead-letters lists them).
      alter table deliveries add column resent integer not null default 0;
    `,
  },
];
