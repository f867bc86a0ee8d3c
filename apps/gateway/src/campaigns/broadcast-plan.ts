/**
 * A broadcast from a marketer's CSV, and what it would do before it does it.
 * The dry runs decide each person with the dispatcher's own decideRecipient,
 * on the same facts it will read (consent, time zone, the last time they
 * wrote), so what is previewed is what happens: only the moment differs.
 */
import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';
import { CHANNEL_CAPABILITIES } from '@passerelle/channels';
import {
  type AudienceMember,
  addRecipients,
  type Broadcast,
  type Channel,
  type Config,
  createBroadcast,
  type Db,
  importAudience,
  type PendingRecipient,
  pendingRecipients,
  type Queryable,
} from '@passerelle/core';
import {
  acceptsChannel,
  type BotDefinition,
  type Campaign,
  ConversationSimulator,
  decideRecipient,
  type RecipientDecision,
  SKIP_REASONS,
  type SkipReason,
  windowState,
} from '@passerelle/dialog';
import type { AudienceCsv, AudienceRow } from './audience-csv.js';

/** The marketer asked for something that cannot be: said plainly, exit code 2, nothing written. */
export class RefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RefusedError';
  }
}

/** The campaign a broadcast may be made for on this channel; refused when absent, elsewhere or over. */
export function campaignForBroadcast(bot: BotDefinition, campaignId: string, channel: Channel, now: Date): Campaign {
  const campaign = bot.campaigns.get(campaignId);
  if (!campaign) {
    const known = [...bot.campaigns.keys()].join(', ') || 'none';
    throw new RefusedError(`no campaign "${campaignId}" in ${bot.dir}/campaigns (campaigns: ${known})`);
  }
  if (!acceptsChannel(campaign, channel)) {
    throw new RefusedError(
      `campaign ${campaign.id} does not run on ${channel} (its channels: ${campaign.channels?.join(', ')})`,
    );
  }
  if (windowState(campaign, now) === 'after') {
    throw new RefusedError(
      `campaign ${campaign.id} is over (it ended ${campaign.window.end} ${campaign.timeZone}): nothing would be sent`,
    );
  }
  return campaign;
}

/** Which of our accounts sends, when the marketer does not say: the one the channel's events carry. */
export function defaultAccount(channel: Channel, env: Config['env']): string {
  switch (channel) {
    case 'sms':
      if (env.TWILIO_FROM) return env.TWILIO_FROM;
      throw new RefusedError('give --account (the Twilio number that sends, like +33700000000) or set TWILIO_FROM');
    case 'telegram': {
      // The bot id: the digits before ':' in the token, the account of every Telegram event.
      const botId = /^(\d+):/.exec(env.TELEGRAM_BOT_TOKEN ?? '')?.[1];
      if (botId) return botId;
      throw new RefusedError(
        'give --account (the bot id, the digits before ":" in its token) or set TELEGRAM_BOT_TOKEN',
      );
    }
    case 'webchat':
      return 'default';
    case 'whatsapp':
      throw new RefusedError('give --account: the WhatsApp number logged in to the gateway, like +33700000000');
    default:
      throw new RefusedError(
        `give --account: the ${channel} bot's id as its messages carry it (the account shown by the console)`,
      );
  }
}

/** Messages per second: the campaign's, or the marketer's when slower (the campaign's is a ceiling). */
export function broadcastRate(campaign: Campaign, asked: number | undefined): number {
  return asked === undefined ? campaign.broadcast.rate : Math.min(asked, campaign.broadcast.rate);
}

export function newBroadcastId(): string {
  // Short enough to type in the next command, random enough for a list of broadcasts.
  return `bc_${randomBytes(5).toString('hex')}`;
}

/** The consent proof kept for a row: the file and line, and the list's own word on where it came from. */
export function proofDetail(fileName: string, row: Pick<AudienceRow, 'line' | 'consent'>): string {
  const source = row.consent?.source;
  return `${basename(fileName)}:${row.line}${source ? ` (${source})` : ''}`;
}

function toMember(fileName: string, row: AudienceRow): AudienceMember {
  return {
    userId: row.userId,
    name: row.name,
    phone: row.phone,
    email: row.email,
    locale: row.locale,
    consent: row.consent && {
      kind: row.consent.kind,
      givenAt: row.consent.givenAt,
      detail: proofDetail(fileName, row),
    },
  };
}

// ---- what the database already knows of the people of a list ----

interface KnownIdentity {
  contactId: string;
  locale: string | null;
  optedInAt: Date | null;
  optedOutAt: Date | null;
  conversationId: string | null;
  lastInboundAt: Date | null;
}

/** Read only; the same facts pendingRecipients joins for the dispatcher. */
async function knownIdentities(
  db: Queryable,
  where: { channel: Channel; account: string },
  userIds: readonly string[],
): Promise<Map<string, KnownIdentity>> {
  if (userIds.length === 0) return new Map();
  const { rows } = await db.query<{
    user_id: string;
    contact_id: string;
    locale: string | null;
    opted_in_at: Date | null;
    opted_out_at: Date | null;
    conversation_id: string | null;
    last_inbound_at: Date | null;
  }>(
    `select i.user_id, i.contact_id, c.locale, i.opted_in_at, i.opted_out_at, conv.id as conversation_id,
            (select max(m.created_at) from messages m
              where m.conversation_id = conv.id and m.direction = 'in' and m.kind in ('message', 'postback'))
              as last_inbound_at
       from channel_identities i
       join contacts c on c.id = i.contact_id
       left join lateral (
         select id from conversations
          where contact_id = i.contact_id and channel = $1 and account = $2
          order by last_message_at desc limit 1) conv on true
      where i.channel = $1 and i.account = $2 and i.user_id = any($3::text[])`,
    [where.channel, where.account, [...userIds]],
  );
  return new Map(
    rows.map((row) => [
      row.user_id,
      {
        contactId: row.contact_id,
        locale: row.locale,
        optedInAt: row.opted_in_at,
        optedOutAt: row.opted_out_at,
        conversationId: row.conversation_id,
        lastInboundAt: row.last_inbound_at,
      },
    ]),
  );
}

/**
 * A person's consent once the list is imported, as importAudience applies
 * it: a yes only where nobody said no before (a list never undoes a STOP)
 * and nobody already said yes; a no wherever they were not already out.
 */
function consentAfterImport(
  known: KnownIdentity | undefined,
  row: AudienceRow,
  now: Date,
): Pick<PendingRecipient, 'optedInAt' | 'optedOutAt'> {
  let optedInAt = known?.optedInAt ?? null;
  let optedOutAt = known?.optedOutAt ?? null;
  if (row.consent?.kind === 'opt_in' && !optedOutAt && !optedInAt) optedInAt = row.consent.givenAt ?? now;
  if (row.consent?.kind === 'opt_out' && !optedOutAt) {
    optedOutAt = now;
    optedInAt = null;
  }
  return { optedInAt, optedOutAt };
}

// ---- deciding ----

/** One person and what the dispatcher would do with them. */
export interface PlannedRecipient {
  /** The CSV line (a created broadcast keeps it as the recipient's place in the list). */
  seq: number;
  userId: string;
  locale: string | null;
  timeZone: string | null;
  decision: RecipientDecision;
}

export interface Plan {
  campaign: Campaign | undefined;
  /** The instant decisions were made for: now, or the opening when the campaign has not opened yet. */
  at: Date;
  recipients: PlannedRecipient[];
}

/**
 * When the dispatcher would decide: now, but a broadcast sent before the
 * campaign opens waits for the opening (see the dispatcher), so the quiet
 * hours that matter are those of that moment.
 */
export function decisionTime(campaign: Campaign | undefined, now: Date): Date {
  return campaign && campaign.opensAt.getTime() > now.getTime() ? campaign.opensAt : now;
}

function decideAll(
  campaign: Campaign | undefined,
  broadcast: Pick<Broadcast, 'channel' | 'account'>,
  recipients: readonly PendingRecipient[],
  at: Date,
): PlannedRecipient[] {
  // As the dispatcher does for a batch: a removed or ended campaign skips everybody.
  const window = campaign ? windowState(campaign, at) : 'after';
  const capabilities = CHANNEL_CAPABILITIES[broadcast.channel];
  return recipients.map((recipient) => ({
    seq: recipient.seq,
    userId: recipient.userId,
    locale: recipient.locale,
    timeZone: recipient.timeZone,
    decision:
      !campaign || window === 'after'
        ? { send: false, reason: campaign ? 'campaign_ended' : 'campaign_removed' }
        : decideRecipient(recipient, { campaign, broadcast, now: at, capabilities }),
  }));
}

/** What a broadcast made of this list would do, computed without writing anything. */
export async function planFromCsv(
  db: Queryable,
  input: { campaign: Campaign; channel: Channel; account: string; csv: AudienceCsv; now: Date },
): Promise<Plan> {
  const { campaign, channel, account, csv, now } = input;
  const known = await knownIdentities(
    db,
    { channel, account },
    csv.rows.map((row) => row.userId),
  );
  const pending = csv.rows.map((row): PendingRecipient => {
    const identity = known.get(row.userId);
    return {
      seq: row.line,
      userId: row.userId,
      contactId: identity?.contactId ?? '',
      timeZone: row.timeZone ?? null,
      // The list fills what we did not know; it never overwrites.
      locale: identity?.locale ?? row.locale ?? null,
      ...consentAfterImport(identity, row, now),
      conversationId: identity?.conversationId ?? null,
      lastInboundAt: identity?.lastInboundAt ?? null,
    };
  });
  const at = decisionTime(campaign, now);
  return { campaign, at, recipients: decideAll(campaign, { channel, account }, pending, at) };
}

/** What a created broadcast would do now with the people it has not reached yet. */
export async function planForBroadcast(
  db: Queryable,
  broadcast: Broadcast,
  campaign: Campaign | undefined,
  now: Date,
): Promise<Plan> {
  const at = decisionTime(campaign, now);
  const recipients: PlannedRecipient[] = [];
  let afterSeq = -1;
  for (;;) {
    const page = await pendingRecipients(db, broadcast, 1000, afterSeq);
    if (page.length === 0) break;
    recipients.push(...decideAll(campaign, broadcast, page, at));
    afterSeq = page[page.length - 1]?.seq ?? afterSeq;
  }
  return { campaign, at, recipients };
}

export type Outcome = 'send' | SkipReason;

/** The plan by outcome, 'send' first, then the skip reasons in SKIP_REASONS order. */
export function byOutcome(recipients: readonly PlannedRecipient[]): Map<Outcome, PlannedRecipient[]> {
  const groups = new Map<Outcome, PlannedRecipient[]>();
  for (const outcome of ['send', ...Object.keys(SKIP_REASONS)] as Outcome[]) groups.set(outcome, []);
  for (const recipient of recipients) {
    groups.get(recipient.decision.send ? 'send' : recipient.decision.reason)?.push(recipient);
  }
  for (const [outcome, members] of groups) if (members.length === 0) groups.delete(outcome);
  return groups;
}

// ---- creating ----

export interface CreatedBroadcast {
  broadcast: Broadcast;
  /** People on the list (valid rows). */
  added: number;
  created: number;
  optedIn: number;
  optedOut: number;
  /** Rows saying yes for someone who had opted out: left out, a list never undoes a STOP. */
  optInIgnored: number;
}

/** Imports the people (contacts, identities, consent with proof), then creates the draft with them in list order. */
export async function createFromCsv(
  db: Db,
  input: {
    id: string;
    campaign: Campaign;
    channel: Channel;
    account: string;
    ratePerSecond: number;
    fileName: string;
    csv: AudienceCsv;
  },
): Promise<CreatedBroadcast> {
  const { campaign, channel, account, csv } = input;
  const where = { channel, account };
  const before = await knownIdentities(
    db,
    where,
    csv.rows.map((row) => row.userId),
  );
  const imported = await importAudience(
    db,
    where,
    csv.rows.map((row) => toMember(input.fileName, row)),
    'import',
  );
  const broadcast = await db.transaction(async (tx) => {
    const created = await createBroadcast(tx, {
      id: input.id,
      campaignId: campaign.id,
      channel,
      account,
      ratePerSecond: input.ratePerSecond,
      source: basename(input.fileName),
    });
    await addRecipients(
      tx,
      created.id,
      csv.rows.map((row, index) => ({
        seq: row.line,
        userId: row.userId,
        contactId: imported[index]?.contactId as string,
        timeZone: row.timeZone,
      })),
    );
    return created;
  });
  return {
    broadcast,
    added: imported.length,
    created: imported.filter((member) => member.created).length,
    optedIn: imported.filter((member) => member.consentChanged === 'opt_in').length,
    optedOut: imported.filter((member) => member.consentChanged === 'opt_out').length,
    optInIgnored: csv.rows.filter((row) => row.consent?.kind === 'opt_in' && before.get(row.userId)?.optedOutAt).length,
  };
}

// ---- what people would read ----

export interface FirstMessage {
  locale: string;
  /** Each message as it reads, options numbered under it. */
  messages: Array<{ text: string; options: string[] }>;
  /** The opt-out mention a channel whose rules ask for one (SMS) adds. */
  optOutNotice: string | undefined;
  /** Why there is nothing to show, when there is not. */
  problem?: string | undefined;
}

/**
 * The campaign's first message in each language of the bot, from the flow
 * itself: a simulated conversation receives the broadcast as a consenting
 * person would, at the moment the broadcast would reach them.
 */
export async function firstMessages(
  bot: BotDefinition,
  campaign: Campaign,
  channel: Channel,
  at: Date,
): Promise<FirstMessage[]> {
  const previews: FirstMessage[] = [];
  for (const locale of bot.settings.locales) {
    const simulator = new ConversationSimulator(bot, { channel, locale, now: at });
    simulator.optedIn = true;
    try {
      const messages = await simulator.receiveBroadcast(campaign.id, { broadcastId: 'bc_preview' });
      const outcome = simulator.broadcasts.at(-1)?.outcome;
      previews.push({
        locale,
        messages: messages.map((message) => ({
          text: message.text,
          options: message.options.map((option, index) => `${index + 1}. ${option.title}`),
        })),
        optOutNotice: simulator.lastAnswer.outbound?.optOutNotice,
        ...(outcome && 'skipped' in outcome ? { problem: `skipped: ${outcome.skipped}` } : {}),
      });
    } catch (error) {
      previews.push({ locale, messages: [], optOutNotice: undefined, problem: (error as Error).message });
    }
  }
  return previews;
}
