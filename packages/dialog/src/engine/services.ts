import type { Logger } from '@passerelle/core';
import type { ConnectorSet } from '@passerelle/crm-connectors';

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
  optIn(): Promise<boolean>;
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
