import type { Contact, InboundEvent, OutboundPart } from '@passerelle/core';
import type { DialogServices } from './engine/services.js';

/** Whatever the bot wants to remember between two messages of a conversation (plain JSON). */
export type BotState = Record<string, unknown>;

export interface BotTurn {
  event: InboundEvent;
  contact: Contact;
  state: BotState;
  services: DialogServices;
}

export interface BotAnswer {
  /** Each inner array is one message (its parts arrive together). */
  messages: OutboundPart[][];
  state: BotState;
}

/** What the dialog worker needs from a bot. It never sees a channel or a provider. */
export interface Bot {
  readonly name: string;
  answer(turn: BotTurn): Promise<BotAnswer>;
}
