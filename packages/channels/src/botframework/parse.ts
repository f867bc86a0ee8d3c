/**
 * A verified Bot Framework activity -> InboundEvent[]. Pure: what needs
 * Redis (the choice a typed reply stands for) is looked up by the caller and
 * passed in.
 */
import { createHash } from 'node:crypto';
import { conversationIdFor, type InboundContent, type InboundEvent, inboundEvent, type Media } from '@passerelle/core';
import type { InboundActivity, InboundAttachment } from './activity.js';
import type { BotFrameworkChannel } from './render.js';

/**
 * Which of our channels a Bot Framework channel id is. The Emulator counts as
 * Teams, so a developer sees the Teams rendering locally. Web Chat and Direct
 * Line are not served here: the gateway has its own web chat.
 */
const CHANNEL_IDS: Record<string, BotFrameworkChannel> = {
  msteams: 'teams',
  facebook: 'messenger',
  emulator: 'teams',
};

export function channelFor(channelId: string): BotFrameworkChannel | undefined {
  return Object.hasOwn(CHANNEL_IDS, channelId) ? CHANNEL_IDS[channelId] : undefined;
}

export const SERVED_CHANNEL_IDS = Object.keys(CHANNEL_IDS);

/** The thread a reply goes to: one Bot Framework conversation, for the bot that received it. */
export function conversationIdOf(channel: BotFrameworkChannel, activity: InboundActivity): string {
  return conversationIdFor(channel, activity.recipient.id, activity.conversation.id);
}

export interface ParseContext {
  channel: BotFrameworkChannel;
  receivedAt: Date;
  /** The choice the activity's text stands for, when it is a reply we offered (conversation-store.ts). */
  choice?: { payload: string; title: string } | undefined;
}

export function parseActivity(activity: InboundActivity, context: ParseContext): InboundEvent[] {
  switch (activity.type) {
    case 'message': {
      const content = messageContent(activity, context);
      if (!content) return [];
      return [event(activity, context, content.postback ? 'postback' : 'message', content)];
    }
    case 'conversationUpdate': {
      // Only the bot itself being added or removed matters (installed in a chat, a team); other members do not.
      const bot = activity.recipient.id;
      if (activity.membersAdded?.some((member) => member.id === bot)) return [event(activity, context, 'join', {})];
      if (activity.membersRemoved?.some((member) => member.id === bot)) return [event(activity, context, 'leave', {})];
      return [];
    }
    default:
      // typing, messageReaction, installationUpdate, invoke...: nothing a conversation needs.
      return [];
  }
}

/** Whether parseActivity may find a choice in this activity's text (so the caller looks one up). */
export function textReplyOf(activity: InboundActivity): string | undefined {
  if (activity.type !== 'message' || activity.value !== undefined) return undefined;
  const text = messageText(activity);
  return text || undefined;
}

function event(
  activity: InboundActivity,
  context: ParseContext,
  kind: InboundEvent['kind'],
  content: InboundContent,
): InboundEvent {
  const account = activity.recipient.id;
  // Activity ids are unique within a conversation only (the Bot Connector addresses
  // /conversations/{id}/activities/{activityId}), so the conversation is part of ours.
  const providerMessageId = `${activity.conversation.id}/${activity.id ?? `sha-${digestOf(activity)}`}`;
  const locale = activity.locale ?? clientInfoLocale(activity);
  return inboundEvent({
    channel: context.channel,
    account,
    providerMessageId,
    thread: activity.conversation.id,
    sender: {
      id: activity.from.id,
      ...(activity.from.name ? { name: activity.from.name } : {}),
      ...(locale ? { locale } : {}),
    },
    receivedAt: context.receivedAt,
    kind,
    content,
  });
}

function messageContent(activity: InboundActivity, context: ParseContext): InboundContent | undefined {
  const text = messageText(activity);
  const submitted = postbackOf(activity.value, text);
  if (submitted) return { postback: submitted };
  if (context.choice && text) return { postback: { payload: context.choice.payload, title: context.choice.title } };
  const media = (activity.attachments ?? []).flatMap(mediaOf);
  const location = locationOf(activity);
  const content: InboundContent = {
    ...(text ? { text } : {}),
    ...(media.length > 0 ? { media } : {}),
    ...(location ? { location } : {}),
  };
  return Object.keys(content).length > 0 ? content : undefined;
}

/**
 * The text the person wrote. In Teams group chats and channels the bot is
 * @mentioned: that mention is not part of what they said; other mentions
 * keep the person's name.
 */
function messageText(activity: InboundActivity): string {
  let text = activity.text ?? '';
  for (const entity of activity.entities ?? []) {
    const mentioned = entity.mentioned as { id?: unknown } | undefined;
    if (entity.type === 'mention' && mentioned?.id === activity.recipient.id && typeof entity.text === 'string') {
      text = text.split(entity.text).join(' ');
    }
  }
  return text
    .replace(/<at>(.*?)<\/at>/g, '$1')
    .replace(/[ \t]+/g, ' ')
    .trim();
}

/**
 * A card submit: a messageBack or Adaptive Card Action.Submit sends its data
 * in `value`. Our own convention is { payload }; any other data is passed on
 * as JSON so a flow can read a submitted form.
 */
function postbackOf(value: unknown, text: string): InboundContent['postback'] {
  if (value === undefined || value === null) return undefined;
  let payload: string;
  if (typeof value === 'string') payload = value;
  else if (typeof value === 'object' && typeof (value as { payload?: unknown }).payload === 'string')
    payload = (value as { payload: string }).payload;
  else payload = JSON.stringify(value);
  if (!payload || payload === '{}') return undefined;
  return { payload, ...(text ? { title: text } : {}) };
}

/** Teams sends its file attachments as "download info"; it names the file type, not the MIME type. */
const TEAMS_FILE = 'application/vnd.microsoft.teams.file.download.info';
const FILE_TYPES: Record<string, string> = {
  pdf: 'application/pdf',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  txt: 'text/plain',
  csv: 'text/csv',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  mp4: 'video/mp4',
};

function mediaOf(attachment: InboundAttachment): Media[] {
  const { contentType } = attachment;
  // Teams repeats the message as HTML; cards are something we (or a bot) sent, not media.
  if (contentType === 'text/html' || contentType.startsWith('application/vnd.microsoft.card.')) return [];
  if (contentType === TEAMS_FILE) {
    const info = (attachment.content ?? {}) as { downloadUrl?: unknown; fileType?: unknown };
    if (typeof info.downloadUrl !== 'string' || !isWebUrl(info.downloadUrl)) return [];
    const fileType = typeof info.fileType === 'string' ? info.fileType.toLowerCase() : '';
    return [
      {
        url: info.downloadUrl,
        mimeType: FILE_TYPES[fileType] ?? 'application/octet-stream',
        ...(attachment.name ? { fileName: attachment.name } : {}),
      },
    ];
  }
  if (!attachment.contentUrl || !isWebUrl(attachment.contentUrl)) return [];
  return [
    {
      url: attachment.contentUrl,
      // Some channels give only the kind ("image"); keep it a valid media type.
      mimeType: contentType.includes('/') ? contentType : `${contentType}/*`,
      ...(attachment.name ? { fileName: attachment.name } : {}),
    },
  ];
}

/** A shared location: a schema.org Place (or bare GeoCoordinates) entity. */
function locationOf(activity: InboundActivity): InboundContent['location'] {
  for (const entity of activity.entities ?? []) {
    const geo = (entity.type === 'Place' ? entity.geo : entity.type === 'GeoCoordinates' ? entity : undefined) as
      | { latitude?: unknown; longitude?: unknown; name?: unknown }
      | undefined;
    const { latitude, longitude } = geo ?? {};
    if (typeof latitude !== 'number' || typeof longitude !== 'number') continue;
    if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180) continue;
    const name = typeof entity.name === 'string' ? entity.name : undefined;
    const address = typeof entity.address === 'string' ? entity.address : undefined;
    return { latitude, longitude, ...(name ? { name } : {}), ...(address ? { address } : {}) };
  }
  return undefined;
}

function clientInfoLocale(activity: InboundActivity): string | undefined {
  const info = activity.entities?.find((entity) => entity.type === 'clientInfo');
  return typeof info?.locale === 'string' ? info.locale : undefined;
}

function isWebUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}

/** An activity without an id (rare) gets one from its content, so a redelivery still dedups. */
function digestOf(activity: InboundActivity): string {
  return createHash('sha256').update(JSON.stringify(activity)).digest('hex').slice(0, 24);
}
