/**
 * The Bot Framework wire shapes this channel reads and writes. They stay in
 * this folder: everything that leaves it is the common event format.
 *
 * Inbound activities are validated with zod at the edge, loosely (`loose()`):
 * channels add fields all the time (Teams channelData, entities...) and an
 * unknown field is no reason to refuse a customer's message.
 */
import { z } from 'zod';

const ChannelAccountSchema = z.looseObject({
  id: z.string().min(1, 'must not be empty'),
  name: z.string().optional(),
});

const AttachmentSchema = z.looseObject({
  contentType: z.string().min(1),
  contentUrl: z.string().optional(),
  content: z.unknown().optional(),
  name: z.string().optional(),
});

export const InboundActivitySchema = z.looseObject({
  type: z.string().min(1, 'must not be empty'),
  id: z.string().min(1).optional(),
  channelId: z.string().min(1, 'must not be empty'),
  serviceUrl: z.url(),
  from: ChannelAccountSchema,
  recipient: ChannelAccountSchema,
  conversation: z.looseObject({
    id: z.string().min(1, 'must not be empty'),
    conversationType: z.string().optional(),
    tenantId: z.string().optional(),
    isGroup: z.boolean().optional(),
  }),
  text: z.string().optional(),
  locale: z.string().optional(),
  attachments: z.array(AttachmentSchema).optional(),
  entities: z.array(z.record(z.string(), z.unknown())).optional(),
  value: z.unknown().optional(),
  membersAdded: z.array(ChannelAccountSchema).optional(),
  membersRemoved: z.array(ChannelAccountSchema).optional(),
  channelData: z.record(z.string(), z.unknown()).optional(),
});
export type InboundActivity = z.infer<typeof InboundActivitySchema>;
export type InboundAttachment = z.infer<typeof AttachmentSchema>;

/** One button: imBack posts `value` back into the chat as if the user had typed it. */
export interface CardAction {
  type: 'imBack';
  title: string;
  value: string;
}

export interface HeroCard {
  title?: string;
  subtitle?: string;
  text?: string;
  images?: Array<{ url: string }>;
  buttons?: CardAction[];
}

export type OutgoingAttachment =
  | { contentType: 'application/vnd.microsoft.card.hero'; content: HeroCard }
  | { contentType: string; contentUrl: string; name?: string };

/**
 * The content of one activity we send. Addressing (from, recipient,
 * conversation) comes from the stored conversation reference at send time,
 * so that render() stays pure.
 */
export interface OutgoingActivity {
  type: 'message';
  text?: string;
  textFormat?: 'markdown' | 'plain';
  attachments?: OutgoingAttachment[];
  suggestedActions?: { to: string[]; actions: CardAction[] };
  /** Passed by Azure Bot Service to the channel (Facebook: messaging_type and tag). */
  channelData?: Record<string, unknown>;
}

/**
 * A button press comes back as text (imBack). A choice says which texts count
 * as pressing which button, so the press can become a postback with its
 * payload again (see conversation-store.ts).
 */
export interface Choice {
  payload: string;
  title: string;
  /** What the user sends back when they press it (the button's value), or may type (a list number). */
  replies: string[];
}

/** One provider call: the activity to post, and the choices it offers. */
export interface BotFrameworkRequest {
  activity: OutgoingActivity;
  choices?: Choice[];
}
