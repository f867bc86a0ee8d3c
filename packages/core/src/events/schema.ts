/**
 * The common event format. Channels turn provider payloads into InboundEvent,
 * the dialog answers with OutboundMessage. Nothing on either side of the queue
 * ever sees a provider type: these schemas are the whole contract.
 *
 * Validated at the edge with zod; exported as JSON Schema for integrators
 * (see json-schema.ts and `gateway schema`).
 */
import { z } from 'zod';

/** Bumped when a field changes meaning or disappears; adding an optional field does not bump it. */
export const EVENT_FORMAT_VERSION = 1;

export const CHANNELS = ['sms', 'whatsapp', 'telegram', 'teams', 'messenger', 'webchat'] as const;
export const ChannelSchema = z.enum(CHANNELS);
export type Channel = z.infer<typeof ChannelSchema>;

const nonEmpty = z.string().min(1);
const isoDate = z.iso.datetime({ offset: true });
/** Our ids end up in Redis keys and BullMQ job ids, where ':' and spaces are not allowed. */
const safeId = z.string().regex(/^[A-Za-z0-9_.-]{1,128}$/, 'must be 1-128 letters, digits, _ . or -');

/** Who wrote. `id` is the channel's own user id (a phone number on SMS and WhatsApp). */
export const SenderSchema = z.object({
  id: nonEmpty,
  name: z.string().optional(),
  phone: z.string().optional(),
  locale: z.string().optional(),
});
export type Sender = z.infer<typeof SenderSchema>;

export const MediaSchema = z.object({
  url: z.url(),
  mimeType: nonEmpty,
  caption: z.string().optional(),
  fileName: z.string().optional(),
});
export type Media = z.infer<typeof MediaSchema>;

export const LocationSchema = z.object({
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
  name: z.string().optional(),
  address: z.string().optional(),
});

export const ContactCardSchema = z.object({
  name: nonEmpty,
  phone: z.string().optional(),
  email: z.string().optional(),
});

/** What the customer sent. Every field is optional because one message may carry several. */
export const InboundContentSchema = z.object({
  text: z.string().optional(),
  media: z.array(MediaSchema).optional(),
  location: LocationSchema.optional(),
  contact: ContactCardSchema.optional(),
  /** A button press: the payload we put on the button when we rendered it. */
  postback: z.object({ payload: nonEmpty, title: z.string().optional() }).optional(),
  /**
   * The customer came through one of our links: its reference (Telegram's t.me/<bot>?start=<ref>,
   * the web chat's data-ref). Campaigns use it as an entry.
   */
  referral: z.object({ ref: nonEmpty, source: z.string().optional() }).optional(),
  /** For delivery / read events: which of our outbound messages this is about. */
  status: z
    .object({
      outboundProviderId: nonEmpty,
      state: z.enum(['sent', 'delivered', 'read', 'failed']),
      error: z.string().optional(),
    })
    .optional(),
});
export type InboundContent = z.infer<typeof InboundContentSchema>;

/** `system`: put in a conversation by the gateway itself (an operator closed it, nobody took it), never by a channel. */
export const InboundKindSchema = z.enum(['message', 'postback', 'delivery', 'read', 'join', 'leave', 'system']);

export const InboundEventSchema = z.object({
  version: z.literal(EVENT_FORMAT_VERSION),
  /** Ours, derived from (channel, account, providerMessageId) so a redelivery has the same id. */
  id: safeId,
  channel: ChannelSchema,
  /** Which of our numbers / bots / sites received it. */
  account: nonEmpty,
  providerMessageId: nonEmpty,
  /** Stable per (channel, account, thread); see ids.ts. */
  conversationId: safeId,
  sender: SenderSchema,
  receivedAt: isoDate,
  kind: InboundKindSchema,
  content: InboundContentSchema,
});
export type InboundEvent = z.infer<typeof InboundEventSchema>;

export const ButtonSchema = z.object({
  title: nonEmpty,
  /** Sent back to us as content.postback.payload when pressed. */
  payload: nonEmpty,
});
export type Button = z.infer<typeof ButtonSchema>;

export const OutboundPartSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: nonEmpty }),
  z.object({
    type: z.literal('buttons'),
    text: nonEmpty,
    buttons: z.array(ButtonSchema).min(1),
  }),
  z.object({
    type: z.literal('quickReplies'),
    text: nonEmpty,
    replies: z.array(ButtonSchema).min(1),
  }),
  z.object({
    type: z.literal('list'),
    text: nonEmpty,
    items: z.array(z.object({ title: nonEmpty, description: z.string().optional(), payload: nonEmpty })).min(1),
  }),
  z.object({ type: z.literal('media'), media: MediaSchema }),
  z.object({
    type: z.literal('card'),
    title: nonEmpty,
    subtitle: z.string().optional(),
    imageUrl: z.url().optional(),
    buttons: z.array(ButtonSchema).optional(),
  }),
]);
export type OutboundPart = z.infer<typeof OutboundPartSchema>;

export const PurposeSchema = z.enum(['reply', 'operator', 'campaign', 'notification']);
export type Purpose = z.infer<typeof PurposeSchema>;

/**
 * What the channel sender does with a send whose outcome it cannot know (its process died
 * mid-call, or the call got no answer) once the provider, where it can be asked, did not
 * settle it:
 * - `at_most_once`: not sent again; delivery `unknown` and a dead letter for a person;
 * - `at_least_once`: sent again (a rare duplicate rather than silence), recorded as resent.
 * A bot folder chooses per purpose (bot.yaml `delivery.uncertain`); these are the defaults.
 */
export const UncertainSendSchema = z.enum(['at_most_once', 'at_least_once']);
export type UncertainSend = z.infer<typeof UncertainSendSchema>;

/**
 * Replies and operators' messages answer someone who is waiting: silence until a person reads the
 * dead letters is worse than a rare second copy. Campaigns go to people who did not ask this
 * minute, under consent rules: a second copy is spam, a lost one costs little. Notifications
 * (order shipped, appointment tomorrow) are transactional: the customer needs them, and a rare
 * duplicate of a fact is harmless; at least once.
 */
export const DEFAULT_UNCERTAIN_SEND: Readonly<Record<Purpose, UncertainSend>> = {
  reply: 'at_least_once',
  operator: 'at_least_once',
  campaign: 'at_most_once',
  notification: 'at_least_once',
};

/** Where a message goes: a channel identity, not a provider address format. */
export const RecipientSchema = z.object({
  channel: ChannelSchema,
  account: nonEmpty,
  /** The channel's user id, as InboundEvent.sender.id. */
  userId: nonEmpty,
});
export type Recipient = z.infer<typeof RecipientSchema>;

export const OutboundMessageSchema = z.object({
  version: z.literal(EVENT_FORMAT_VERSION),
  id: safeId,
  conversationId: safeId,
  to: RecipientSchema,
  /** The InboundEvent id this answers, when it answers one. */
  replyTo: z.string().optional(),
  parts: z.array(OutboundPartSchema).min(1),
  purpose: PurposeSchema,
  campaignId: z.string().optional(),
  /**
   * For a campaign message: the opt-out mention in the customer's language ("Répondez STOP...").
   * A channel whose rules ask for one (SMS) adds it to the message; the others leave it.
   */
  optOutNotice: z.string().optional(),
  /**
   * A platform message tag that allows this message outside the channel's reply window
   * (Messenger's ACCOUNT_UPDATE...); channels without such tags ignore it.
   */
  messageTag: z.string().optional(),
  /** The sender sends at most once per key, across retries and crashes. */
  idempotencyKey: safeId,
  createdAt: isoDate,
  /** When the inbound message that caused this was received; feeds the end-to-end latency metric. */
  causedAt: isoDate.optional(),
});
export type OutboundMessage = z.infer<typeof OutboundMessageSchema>;

/** What a channel can show. Rendering reads this to degrade; it never silently drops content. */
export const ChannelCapabilitiesSchema = z.object({
  maxTextLength: z.number().int().positive(),
  buttons: z.object({ supported: z.boolean(), max: z.number().int().nonnegative() }),
  quickReplies: z.boolean(),
  cards: z.boolean(),
  media: z.array(z.enum(['image', 'video', 'audio', 'document'])),
  markdown: z.enum(['none', 'telegram-html', 'whatsapp', 'teams', 'basic']),
  /**
   * How long after the customer's last message the business may still write first (a ticket's
   * answer); absent: no such limit.
   */
  replyWindowHours: z.number().positive().optional(),
  /**
   * The business can write to someone it has no conversation with on record, by their user id
   * (a phone number, a Telegram user who started the bot): that conversation's thread is the
   * user id. Without it, a campaign reaches only people who wrote before.
   */
  writesFirst: z.boolean().optional(),
  /** A platform message tag lets a message out of the reply window (Messenger's tags). */
  windowTags: z.boolean().optional(),
});
export type ChannelCapabilities = z.infer<typeof ChannelCapabilitiesSchema>;
