import type { CampaignEntry, CampaignEventKind, ConsentState, Logger } from '@passerelle/core';
import type { ConnectorSet } from '@passerelle/crm-connectors';
import type { SkipReason } from '../campaigns/decide.js';

export type HandoffOutcome =
  | { queued: true; id: string; position: number; minutes: number }
  | { queued: false; hours: string; reopening?: string | undefined };

export interface TicketRequest {
  subject: string;
  body: string;
  fields: Record<string, string>;
  /** The flow that created it, for the operator. */
  flow: string;
}

/** Something that happened in a campaign, for its results (kept once per conversation, kind and step). */
export interface CampaignMoment {
  campaignId: string;
  kind: CampaignEventKind;
  node?: string | undefined;
  entry?: CampaignEntry | undefined;
}

/** What became of one broadcast recipient once the dialog had the campaign's first message in hand. */
export type BroadcastOutcome = { messaged: true } | { skipped: SkipReason };

/**
 * What the engine asks of the world during a turn. The dialog worker gives
 * the real ones (database, connectors); `gateway chat` and the scripted
 * conversation tests give in-memory ones. Implementations make handoffs and
 * tickets idempotent per event, since a crashed turn is run again.
 */
export interface DialogServices {
  connectors: ConnectorSet;
  /** True when this changed something (false: already opted out). */
  optOut(): Promise<boolean>;
  /** START, or a campaign flow's consent node (then with the campaign as proof). */
  optIn(how?: { source: 'keyword' | 'campaign'; detail?: string | undefined }): Promise<boolean>;
  /** Whether whoever wrote may receive campaign messages. */
  consent(): Promise<ConsentState>;
  /** For the campaign's results: idempotent per conversation, kind and step. */
  campaignEvent(moment: CampaignMoment): Promise<void>;
  /** A broadcast's system event was handled: the campaign's message went out, or why not. */
  broadcastHandled(broadcastId: string, outcome: BroadcastOutcome): Promise<void>;
  /** Queues the conversation for a person, or says the team is closed (then the bot takes a message). */
  requestHandoff(reason: string): Promise<HandoffOutcome>;
  /** Where the handoff stands now: an operator may have taken it, or ended it, since the last message. */
  handoffStatus(id: string): Promise<'waiting' | 'assigned' | 'ended'>;
  /** The customer went back to the bot (MENU): ends the handoff, waiting or taken. */
  cancelHandoff(id: string): Promise<void>;
  /** Returns a reference the customer can quote. */
  createTicket(ticket: TicketRequest): Promise<{ id: string }>;
  now(): Date;
  logger?: Logger | undefined;
}
