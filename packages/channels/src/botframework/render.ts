/**
 * OutboundMessage -> Bot Framework activities, for what each channel shows.
 *
 * Buttons are imBack actions whose value is the title the user sees: every
 * Bot Framework client supports them (Teams cards and suggested actions,
 * Messenger quick replies and buttons, the Emulator), and a press comes back
 * as a message with that text. The request remembers which text stands for
 * which payload (`choices`), so the press becomes a postback with its payload
 * again when it arrives (conversation-store.ts, parse.ts).
 *
 * - quick replies -> suggestedActions (Messenger quick replies; Teams shows
 *   them in personal chats, send.ts turns them into a card elsewhere);
 * - buttons, list -> a hero card with buttons;
 * - more options than the channel shows -> suggested actions if they fit,
 *   else a numbered list whose numbers may be typed back;
 * - media the channel cannot attach -> a link.
 * Nothing is dropped: long texts are split, long titles shortened with the
 * full text sent alongside.
 *
 * A message with a `messageTag` (a campaign's Messenger tag, for someone
 * outside the 24-hour window) carries it to Facebook's Send API through the
 * activity's channelData on every activity it becomes; Teams has no tags.
 */
import type { Button, ChannelCapabilities, Media, OutboundMessage, OutboundPart } from '@passerelle/core';
import type { BotFrameworkRequest, CardAction, Choice, HeroCard, OutgoingActivity } from './activity.js';
import { fitTitle, splitText } from './text.js';

export type BotFrameworkChannel = 'teams' | 'messenger';

export interface BotChannelProfile {
  channel: BotFrameworkChannel;
  capabilities: ChannelCapabilities;
  textFormat: 'markdown' | 'plain';
  /** Suggested actions one message may carry. */
  maxSuggestedActions: number;
  /** Buttons one card may carry. */
  maxCardButtons: number;
  /** Longest text a card may carry. */
  maxCardText: number;
  /** Longest button title shown in full; undefined: no limit worth enforcing. */
  maxButtonTitle: number | undefined;
  /** Longest card title and subtitle shown in full. */
  maxCardTitle: number | undefined;
}

export const BOT_CHANNEL_PROFILES: Record<BotFrameworkChannel, BotChannelProfile> = {
  teams: {
    channel: 'teams',
    capabilities: {
      // Teams refuses activities over about 28 KB; 7000 characters stay under it even in 4-byte characters.
      maxTextLength: 7_000,
      buttons: { supported: true, max: 6 },
      quickReplies: true,
      cards: true,
      // Teams shows images from a URL; other files need its file-consent flow, so they go as links.
      media: ['image'],
      markdown: 'teams',
    },
    textFormat: 'markdown',
    maxSuggestedActions: 6,
    maxCardButtons: 6,
    maxCardText: 7_000,
    maxButtonTitle: undefined,
    maxCardTitle: undefined,
  },
  messenger: {
    channel: 'messenger',
    capabilities: {
      // Messenger's limit for one text message.
      maxTextLength: 2_000,
      buttons: { supported: true, max: 3 },
      quickReplies: true,
      cards: true,
      media: ['image', 'video', 'audio', 'document'],
      markdown: 'none',
      // Messenger's standard messaging window: 24 h after the person's last message.
      replyWindowHours: 24,
      // CONFIRMED_EVENT_UPDATE, POST_PURCHASE_UPDATE, ACCOUNT_UPDATE let a message out of it.
      windowTags: true,
    },
    textFormat: 'plain',
    // Messenger: 13 quick replies, 3 buttons per template, 640 characters of template text,
    // 20 characters per button or quick reply title, 80 per card title and subtitle.
    maxSuggestedActions: 13,
    maxCardButtons: 3,
    maxCardText: 640,
    maxButtonTitle: 20,
    maxCardTitle: 80,
  },
};

export function profileFor(channel: string): BotChannelProfile {
  const profile = BOT_CHANNEL_PROFILES[channel as BotFrameworkChannel];
  if (!profile) throw new Error(`the Bot Framework module does not render for channel ${channel}`);
  return profile;
}

/** Renders for the message's channel (teams or messenger). Pure. */
export function renderBotFramework(message: OutboundMessage): BotFrameworkRequest[] {
  const profile = profileFor(message.to.channel);
  const renderer = new Renderer(profile, message.to.userId);
  const requests = message.parts.flatMap((part) => renderer.part(part));
  if (profile.channel !== 'messenger' || !message.messageTag) return requests;
  const channelData = facebookTag(message.messageTag);
  return requests.map((request) => ({ ...request, activity: { ...request.activity, channelData } }));
}

/**
 * What the Bot Framework's Facebook channel passes on to the Send API as
 * `messaging_type` and `tag`. Microsoft documents channelData for Facebook
 * (https://learn.microsoft.com/azure/bot-service/bot-builder-channeldata,
 * "Create a Facebook notification") with notification_type and attachment;
 * its maintainers give messaging_type and tag at the same level
 * (github.com/microsoft/botframework-sdk issues 4154 and 2924).
 */
// A type, not an interface: it must fit OutgoingActivity's channelData (an index signature).
export type FacebookTagChannelData = {
  messaging_type: 'MESSAGE_TAG';
  /** CONFIRMED_EVENT_UPDATE, POST_PURCHASE_UPDATE, ACCOUNT_UPDATE (or HUMAN_AGENT). */
  tag: string;
};

function facebookTag(tag: string): FacebookTagChannelData {
  return { messaging_type: 'MESSAGE_TAG', tag };
}

interface Option {
  title: string;
  payload: string;
  description?: string | undefined;
}

class Renderer {
  constructor(
    private readonly profile: BotChannelProfile,
    private readonly userId: string,
  ) {}

  part(part: OutboundPart): BotFrameworkRequest[] {
    switch (part.type) {
      case 'text':
        return this.texts(part.text, this.profile.capabilities.maxTextLength);
      case 'quickReplies':
        return this.offer(part.text, part.replies, 'suggested');
      case 'buttons':
        return this.offer(part.text, part.buttons, 'card');
      case 'list':
        return this.offer(part.text, part.items, 'card');
      case 'media':
        return this.media(part.media);
      case 'card':
        return this.card(part);
    }
  }

  private texts(text: string, max: number): BotFrameworkRequest[] {
    return splitText(text, max).map((piece) => ({ activity: this.message({ text: piece }) }));
  }

  /**
   * Text with options to choose from, in the first form that holds them
   * all: the preferred one, then suggested actions, then a numbered list.
   */
  private offer(text: string, options: Option[], preferred: 'suggested' | 'card'): BotFrameworkRequest[] {
    const { maxCardButtons, maxSuggestedActions } = this.profile;
    const described = options.some((option) => option.description);
    const fullText = described ? `${text}\n\n${options.map(describe).join('\n')}` : text;
    if (preferred === 'card' && options.length <= maxCardButtons) {
      return this.withLastPiece(fullText, this.profile.maxCardText, (piece) => this.heroCard({ text: piece }, options));
    }
    if (options.length <= maxSuggestedActions) {
      return this.withLastPiece(fullText, this.profile.capabilities.maxTextLength, (piece) =>
        this.suggested(piece, options),
      );
    }
    return this.numberedList(text, options);
  }

  /** Sends all but the last piece of a long text as plain messages, and the last with the options. */
  private withLastPiece(
    text: string,
    max: number,
    last: (piece: string) => BotFrameworkRequest,
  ): BotFrameworkRequest[] {
    const pieces = splitText(text, max);
    const tail = pieces.pop() ?? text;
    return [...pieces.map((piece) => ({ activity: this.message({ text: piece }) })), last(tail)];
  }

  private suggested(text: string, options: Option[]): BotFrameworkRequest {
    const actions = options.map((option) => this.action(option.title));
    return {
      activity: this.message({ text, suggestedActions: { to: [this.userId], actions } }),
      choices: choicesFor(options, actions),
    };
  }

  private heroCard(card: Omit<HeroCard, 'buttons'>, options: Option[]): BotFrameworkRequest {
    const buttons = options.map((option) => this.action(option.title));
    return {
      activity: this.message({
        attachments: [
          {
            contentType: 'application/vnd.microsoft.card.hero',
            content: { ...card, ...(buttons.length ? { buttons } : {}) },
          },
        ],
      }),
      ...(buttons.length ? { choices: choicesFor(options, buttons) } : {}),
    };
  }

  /** Too many options for buttons: a numbered list; the number or the title may be typed back. */
  private numberedList(text: string, options: Option[]): BotFrameworkRequest[] {
    const lines = options.map((option, index) => `${index + 1}. ${describe(option).slice(2)}`);
    const requests = this.texts(`${text}\n\n${lines.join('\n')}`, this.profile.capabilities.maxTextLength);
    const choices = options.map((option, index) => ({
      payload: option.payload,
      title: option.title,
      replies: [option.title, String(index + 1)],
    }));
    const last = requests[requests.length - 1];
    if (last) last.choices = choices;
    return requests;
  }

  private media(media: Media): BotFrameworkRequest[] {
    if (this.profile.capabilities.media.includes(mediaKind(media.mimeType))) {
      return [
        {
          activity: this.message({
            ...(media.caption ? { text: media.caption } : {}),
            attachments: [
              {
                contentType: media.mimeType,
                contentUrl: media.url,
                ...(media.fileName ? { name: media.fileName } : {}),
              },
            ],
          }),
        },
      ];
    }
    // Not attachable here: a link, so the customer can still open it.
    const label = media.fileName ?? media.url;
    const link = this.profile.textFormat === 'markdown' ? `[${label}](${media.url})` : `${label}: ${media.url}`;
    return this.texts(media.caption ? `${media.caption}\n\n${link}` : link, this.profile.capabilities.maxTextLength);
  }

  private card(part: Extract<OutboundPart, { type: 'card' }>): BotFrameworkRequest[] {
    const max = this.profile.maxCardTitle;
    const title = fitTitle(part.title, max);
    const subtitle = part.subtitle === undefined ? undefined : fitTitle(part.subtitle, max);
    const shortened = title !== part.title || subtitle !== part.subtitle;
    const buttons = part.buttons ?? [];
    const fits = buttons.length <= this.profile.maxCardButtons;
    const content: Omit<HeroCard, 'buttons'> = {
      title,
      ...(subtitle !== undefined ? { subtitle } : {}),
      ...(part.imageUrl ? { images: [{ url: part.imageUrl }] } : {}),
    };
    return [
      // What the card had to shorten, in full, first.
      ...(shortened
        ? this.texts([part.title, part.subtitle].filter(Boolean).join('\n'), this.profile.capabilities.maxTextLength)
        : []),
      this.heroCard(content, fits ? buttons : []),
      ...(fits ? [] : this.offer(part.title, buttons, 'suggested')),
    ];
  }

  private action(title: string): CardAction {
    const shown = fitTitle(title, this.profile.maxButtonTitle);
    return { type: 'imBack', title: shown, value: shown };
  }

  private message(fields: Omit<OutgoingActivity, 'type' | 'textFormat'>): OutgoingActivity {
    return {
      type: 'message',
      ...(fields.text !== undefined ? { text: fields.text, textFormat: this.profile.textFormat } : {}),
      ...(fields.attachments ? { attachments: fields.attachments } : {}),
      ...(fields.suggestedActions ? { suggestedActions: fields.suggestedActions } : {}),
    };
  }
}

function choicesFor(options: Array<Option | Button>, actions: CardAction[]): Choice[] {
  return options.map((option, index) => ({
    payload: option.payload,
    title: option.title,
    replies: [actions[index]?.value ?? option.title],
  }));
}

function describe(option: Option): string {
  return option.description ? `• ${option.title} — ${option.description}` : `• ${option.title}`;
}

function mediaKind(mimeType: string): 'image' | 'video' | 'audio' | 'document' {
  const top = mimeType.split('/')[0];
  return top === 'image' || top === 'video' || top === 'audio' ? top : 'document';
}
