/**
 * OutboundMessage -> the Twilio Messages API calls that show it on a phone.
 * SMS shows plain text and nothing else, so rendering degrades:
 * - buttons, quick replies, lists and card buttons become one numbered menu,
 *   followed by a line saying how to answer (the menu rides on the request
 *   so that the sender remembers it, see menu.ts);
 * - a card becomes its title and subtitle;
 * - media go as MMS (MediaUrl) to North American numbers, the only ones
 *   Twilio delivers MMS to from a long code; elsewhere as links in the text;
 * - text beyond 1600 characters is split into several messages (split.ts);
 * - a campaign message ends with its opt-out mention ("STOP..."), on a line
 *   of its own in the last message sent, unless it already says STOP.
 * Pure: no I/O.
 */
import type { ChannelCapabilities, OutboundMessage, OutboundPart } from '@passerelle/core';
import type { MenuChoice } from './menu.js';
import { E164, MESSAGING_SERVICE_SID } from './settings.js';
import { SMS_MAX_LENGTH, splitSmsText } from './split.js';

export const twilioCapabilities: ChannelCapabilities = {
  maxTextLength: SMS_MAX_LENGTH,
  buttons: { supported: false, max: 0 },
  quickReplies: false,
  cards: false,
  // Images show inline in an MMS; every other kind is sent as a link.
  media: ['image'],
  markdown: 'none',
  writesFirst: true,
};

/** The form fields of POST /2010-04-01/Accounts/{AccountSid}/Messages.json. */
export interface TwilioMessageParams {
  To: string;
  From?: string;
  MessagingServiceSid?: string;
  Body?: string;
  MediaUrl?: string[];
  StatusCallback?: string;
}

/** One Twilio call, and the menu it shows (remembered when it is sent). */
export interface TwilioSendRequest {
  params: TwilioMessageParams;
  menu?: MenuChoice[];
}

export interface RenderSettings {
  /** TWILIO_FROM: a number, an alphanumeric sender id or a Messaging Service SID. */
  from: string;
  statusCallbackUrl?: string | undefined;
}

/** Twilio takes at most 10 MediaUrl per message. */
const MAX_MEDIA_PER_MESSAGE = 10;
/** Long codes send MMS only to the US and Canada (+1); elsewhere a picture must travel as a link. */
const MMS_DESTINATION = /^\+1\d{10}$/;

export function renderTwilio(message: OutboundMessage, settings: RenderSettings): TwilioSendRequest[] {
  const content = renderContent(message.parts, MMS_DESTINATION.test(message.to.userId));
  const text = content.blocks.join('\n\n');
  const mediaGroups = groupsOf(content.mediaUrls, MAX_MEDIA_PER_MESSAGE);
  const notice = optOutMentionFor(message, text);
  const chunks = notice ? withMentionLast(splitSmsText(text), notice, mediaGroups.length) : splitSmsText(text);
  const base = { To: message.to.userId, ...senderOf(message.to.account, settings.from) };
  const count = Math.max(chunks.length, mediaGroups.length);
  const requests: TwilioSendRequest[] = [];
  for (let index = 0; index < count; index++) {
    const body = chunks[index];
    const media = mediaGroups[index];
    const params: TwilioMessageParams = {
      ...base,
      ...(body ? { Body: body } : {}),
      ...(media ? { MediaUrl: media } : {}),
      ...(settings.statusCallbackUrl ? { StatusCallback: settings.statusCallbackUrl } : {}),
    };
    // The menu is remembered with the last message: the one that ends with "reply with a number".
    const isLast = index === count - 1;
    requests.push({ params, ...(isLast && content.menu.length > 0 ? { menu: content.menu } : {}) });
  }
  return requests;
}

/**
 * When the message gives none: short (an SMS segment holds 160 characters), in
 * the GSM alphabet (one character outside it makes every segment hold 70), and
 * in the message's language like the menu hint. STOP is the word carriers and
 * Twilio act on in every country, so the mention names it rather than a link.
 */
export const DEFAULT_OPT_OUT_MENTION = {
  fr: 'STOP pour ne plus recevoir nos messages',
  en: 'Reply STOP to opt out',
} as const;

/** STOP as a word of its own, in any case: "Stop", "(STOP)", not "stopper" or "nonstop". */
const STOP_WORD = /(?<![\p{L}\p{N}])stop(?![\p{L}\p{N}])/iu;

/**
 * The mention a campaign message must carry, or undefined: not a campaign, or
 * the text already tells the customer about STOP.
 */
function optOutMentionFor(message: OutboundMessage, text: string): string | undefined {
  if (message.purpose !== 'campaign' || STOP_WORD.test(text)) return undefined;
  return message.optOutNotice?.trim() || DEFAULT_OPT_OUT_MENTION[guessLanguage(text)];
}

/**
 * Puts the mention on its own line at the end of the last message sent. The
 * text is split first and only its last chunk is split again with room left
 * for the mention, so the mention is never cut in two nor pushed out, and
 * stays with text rather than alone. When pictures outnumber the text chunks
 * the last message is a picture-only MMS: the mention becomes its body.
 * Returns one body per message (undefined: a picture without text).
 */
function withMentionLast(chunks: string[], mention: string, mediaMessages: number): Array<string | undefined> {
  // Only a mention longer than an SMS (nobody writes one) takes several; it is still sent whole.
  const mentionChunks = splitSmsText(mention);
  if (mediaMessages > chunks.length) {
    const bodies: Array<string | undefined> = Array.from({ length: mediaMessages }, (_, index) => chunks[index]);
    if (mentionChunks.length > 1) return [...bodies, ...mentionChunks];
    bodies[mediaMessages - 1] = mention;
    return bodies;
  }
  const last = chunks.pop();
  if (last === undefined) return mentionChunks;
  const room = SMS_MAX_LENGTH - mention.length - 1;
  // A mention too long to share a message with much text goes on its own after the text.
  if (room < SMS_MAX_LENGTH / 2) return [...chunks, last, ...mentionChunks];
  const pieces = splitSmsText(last, room);
  pieces.push(`${pieces.pop() ?? ''}\n${mention}`);
  return [...chunks, ...pieces];
}

/**
 * Replies go out from the number the customer wrote to (the account), so a
 * brand with several numbers answers from the right one; a Messaging
 * Service picks the number itself (and keeps it sticky per customer).
 */
function senderOf(account: string, from: string): Pick<TwilioMessageParams, 'From' | 'MessagingServiceSid'> {
  if (MESSAGING_SERVICE_SID.test(from)) return { MessagingServiceSid: from };
  return { From: E164.test(account) ? account : from };
}

interface RenderedContent {
  blocks: string[];
  mediaUrls: string[];
  menu: MenuChoice[];
}

function renderContent(parts: OutboundPart[], mmsAllowed: boolean): RenderedContent {
  const content: RenderedContent = { blocks: [], mediaUrls: [], menu: [] };
  const lastMenuPart = parts.findLastIndex((part) => choicesOf(part).length > 0);
  for (const [index, part] of parts.entries()) {
    const lines: string[] = [];
    switch (part.type) {
      case 'text':
        lines.push(part.text);
        break;
      case 'buttons':
      case 'quickReplies':
      case 'list':
        lines.push(part.text);
        break;
      case 'card':
        lines.push(part.subtitle ? `${part.title}\n${part.subtitle}` : part.title);
        if (part.imageUrl) attachMedia(content, lines, part.imageUrl, undefined, mmsAllowed);
        break;
      case 'media':
        attachMedia(content, lines, part.media.url, part.media.caption, mmsAllowed);
        break;
    }
    const choices = choicesOf(part);
    if (choices.length > 0) {
      // Numbers run on across the message, so that every number means one choice.
      const numbered = choices.map((choice, offset) => `${content.menu.length + offset + 1}. ${choice.label}`);
      lines.push(numbered.join('\n'));
      content.menu.push(...choices.map(({ title, payload }) => ({ title, payload })));
      if (index === lastMenuPart) lines.push(menuHint([...content.blocks, ...lines].join('\n')));
    }
    if (lines.length > 0) content.blocks.push(lines.join('\n\n'));
  }
  return content;
}

function attachMedia(
  content: RenderedContent,
  lines: string[],
  url: string,
  caption: string | undefined,
  mmsAllowed: boolean,
): void {
  if (mmsAllowed) {
    content.mediaUrls.push(url);
    if (caption) lines.push(caption);
  } else {
    lines.push(caption ? `${caption}\n${url}` : url);
  }
}

interface Choice extends MenuChoice {
  /** What the line shows; a list item's description follows its title. */
  label: string;
}

function choicesOf(part: OutboundPart): Choice[] {
  switch (part.type) {
    case 'buttons':
      return part.buttons.map((button) => ({ ...button, label: button.title }));
    case 'quickReplies':
      return part.replies.map((reply) => ({ ...reply, label: reply.title }));
    case 'list':
      // A plain hyphen: a dash outside the GSM alphabet would make the whole SMS cost twice as much.
      return part.items.map((item) => ({
        title: item.title,
        payload: item.payload,
        label: item.description ? `${item.title} - ${item.description}` : item.title,
      }));
    case 'card':
      return (part.buttons ?? []).map((button) => ({ ...button, label: button.title }));
    default:
      return [];
  }
}

const HINTS = {
  fr: 'Répondez avec le numéro de votre choix.',
  en: 'Reply with the number of your choice.',
} as const;

/**
 * The "how to answer" line, in the language of the message. An
 * OutboundMessage carries no locale, so it is guessed from the words of
 * the message itself (words both languages use, like "a" or "on", do not
 * count); English when in doubt.
 */
export function menuHint(text: string): string {
  return HINTS[guessLanguage(text)];
}

const FRENCH_WORDS = new Set(
  'le la les de des du un une et est vous votre vos pour que qui je nous pas sur dans avec au aux ce cette bonjour merci ou où'.split(
    ' ',
  ),
);
const ENGLISH_WORDS = new Set(
  'the an and is are you your for to of what we i can with in this hello hi thanks please'.split(' '),
);

function guessLanguage(text: string): keyof typeof HINTS {
  let french = /[éèêàçùœ]/i.test(text) ? 1 : 0;
  let english = 0;
  for (const word of text.toLowerCase().match(/\p{L}+/gu) ?? []) {
    if (FRENCH_WORDS.has(word)) french += 1;
    if (ENGLISH_WORDS.has(word)) english += 1;
  }
  return french > english ? 'fr' : 'en';
}

function groupsOf<T>(items: T[], size: number): T[][] {
  const groups: T[][] = [];
  for (let index = 0; index < items.length; index += size) groups.push(items.slice(index, index + size));
  return groups;
}
