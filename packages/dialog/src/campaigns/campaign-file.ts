/**
 * campaigns/*.yaml, in the bot folder: a campaign bot for a moment of the
 * brand (the sales, a launch), written by a marketer without touching code.
 *
 *   id: soldes-hiver
 *   title: { fr: Soldes d'hiver, en: Winter sales }
 *   window: { start: '2027-01-13 08:00', end: '2027-02-09 20:00', time_zone: Europe/Paris }
 *   channels: [sms, whatsapp, telegram, webchat]     # default: every channel
 *   flow: soldes-hiver                               # a flow of flows/, run when someone enters
 *   goal: code-envoye                                # reaching this node counts as a conversion
 *   entry:
 *     keywords: [SOLDES, SALES]                      # the message, or its first words
 *     links: [soldes]                                # t.me/<bot>?start=soldes, web chat data-ref="soldes"
 *     prefilled: ['Je veux profiter des soldes']      # WhatsApp click-to-chat text (wa.me/...?text=)
 *   after_end: { fr: Les soldes sont terminées..., en: The sales are over... }
 *   broadcast:
 *     start: annonce                                 # where a broadcast enters the flow (default: its start)
 *     rate: 10                                       # messages per second per channel account
 *     stop_notice: { fr: 'STOP au 36180', en: 'STOP to 36180' }
 *     messenger_tag: ACCOUNT_UPDATE                  # outside Messenger's 24 h, only with this tag
 *     quiet_hours: { sms: { allowed: [...], holidays: FR } }
 */
import { CHANNELS, type Channel, isTimeZone, localToInstant } from '@passerelle/core';
import { z } from 'zod';
import { Text } from '../bot-folder/schemas.js';
import { QuietHoursSettings } from './quiet-hours.js';

const Id = z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'use lower-case letters, digits, - and _');
const LOCAL_DATE_TIME = /^(\d{4}-\d{2}-\d{2})[ T]([01]\d|2[0-3]):([0-5]\d)$/;

/** 'YYYY-MM-DD HH:MM', in the window's time zone. */
const LocalDateTime = z
  .string({
    error: (issue) =>
      issue.input === undefined ? undefined : "write a date and time in quotes, like '2027-01-13 08:00'",
  })
  .regex(LOCAL_DATE_TIME, "a date and time is 'YYYY-MM-DD HH:MM', like '2027-01-13 08:00'")
  .refine(isRealDay, { error: (issue) => `${String(issue.input).slice(0, 10)} is not a day of the calendar` });

function isRealDay(text: string): boolean {
  const [year, month, day] = text.slice(0, 10).split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** The tags Meta still accepts for a message outside the 24-hour window (none is meant for promotions). */
export const MESSENGER_TAGS = ['CONFIRMED_EVENT_UPDATE', 'POST_PURCHASE_UPDATE', 'ACCOUNT_UPDATE'] as const;

/** A link's reference: what follows ?start= on Telegram (64 characters of A-Z a-z 0-9 _ -). */
const LinkRef = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a link reference is 1-64 letters, digits, _ or -');

export const CampaignFile = z
  .object({
    id: Id,
    title: Text,
    window: z
      .object({
        start: LocalDateTime,
        end: LocalDateTime,
        /** Default: bot.yaml's time_zone. */
        time_zone: z.string().refine(isTimeZone, 'not a time zone name, like Europe/Paris').optional(),
      })
      .strict(),
    channels: z
      .array(z.enum(CHANNELS, { error: () => `a channel is one of ${CHANNELS.join(', ')}` }))
      .min(1)
      .optional(),
    flow: Id,
    /** The node whose reaching counts as a conversion. */
    goal: z.string().min(1).optional(),
    entry: z
      .object({
        keywords: z.array(z.string().min(1)).default([]),
        links: z.array(LinkRef).default([]),
        prefilled: z.array(z.string().min(1)).default([]),
      })
      .strict()
      .default({ keywords: [], links: [], prefilled: [] }),
    /** Said to someone who enters before the window opens (default: a built-in sentence with the date). */
    before_start: Text.optional(),
    /** Said once the window has closed, to whoever comes in or was still in the flow; then the normal bot. */
    after_end: Text.optional(),
    broadcast: z
      .object({
        start: z.string().min(1).optional(),
        rate: z.number().positive().max(1000).default(10),
        stop_notice: Text.optional(),
        messenger_tag: z.enum(MESSENGER_TAGS).optional(),
        quiet_hours: QuietHoursSettings.optional(),
      })
      .strict()
      .default({ rate: 10 }),
  })
  .strict();
export type CampaignFile = z.infer<typeof CampaignFile>;

/** A campaign as the engine uses it: its window as instants. */
export interface Campaign extends CampaignFile {
  file: string;
  timeZone: string;
  opensAt: Date;
  closesAt: Date;
}

export type WindowState = 'before' | 'open' | 'after';

export function windowState(campaign: Pick<Campaign, 'opensAt' | 'closesAt'>, now: Date): WindowState {
  if (now.getTime() < campaign.opensAt.getTime()) return 'before';
  return now.getTime() < campaign.closesAt.getTime() ? 'open' : 'after';
}

export function acceptsChannel(campaign: Pick<Campaign, 'channels'>, channel: Channel): boolean {
  return !campaign.channels || campaign.channels.includes(channel);
}

/** '2027-01-13 08:00' in a time zone -> the instant. */
export function localInstant(text: string, timeZone: string): Date {
  const match = LOCAL_DATE_TIME.exec(text);
  if (!match) throw new Error(`not a local date and time: ${text}`);
  const [, date, hours, minutes] = match as unknown as [string, string, string, string];
  return localToInstant(date, Number(hours) * 60 + Number(minutes), timeZone);
}
