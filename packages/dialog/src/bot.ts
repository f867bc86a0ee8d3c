import type { Contact, InboundEvent, OutboundMessage, OutboundPart } from '@passerelle/core';
import type { DialogServices } from './engine/services.js';

/** Whatever the bot wants to remember between two messages of a conversation (plain JSON). */
export type BotState = Record<string, unknown>;

export interface BotTurn {
  event: InboundEvent;
  contact: Contact;
  state: BotState;
  services: DialogServices;
}

/** What the worker puts on every message of an answer: a campaign's id, purpose, opt-out mention, tag. */
export type OutboundMeta = Partial<Pick<OutboundMessage, 'purpose' | 'campaignId' | 'optOutNotice' | 'messageTag'>>;

export interface BotAnswer {
  /** Each inner array is one message (its parts arrive together). */
  messages: OutboundPart[][];
  state: BotState;
  outbound?: OutboundMeta | undefined;
}

/** What the dialog worker needs from a bot. It never sees a channel or a provider. */
export interface Bot {
  readonly name: string;
  answer(turn: BotTurn): Promise<BotAnswer>;
}
