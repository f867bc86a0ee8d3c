import type { Channel, ChannelCapabilities, OutboundMessage } from '@passerelle/core';

/** Whether the provider took the request, as far as we can know. */
export type ProviderOutcome =
  /** Not taken; trying again later may work (429, 5xx, connection refused). */
  | 'retry'
  /** Not taken and never will be as sent (4xx, unknown recipient). */
  | 'reject'
  /** Not taken because the recipient opted out at the provider (Twilio 21610...). */
  | 'opted-out'
  /**
   * Sent, but no answer came back: the provider may or may not have it. Only for a request
   * that left the process; one that never did (connection refused, DNS, TLS handshake, a time
   * limit reached before the connection opened) is 'retry'.
   */
  | 'ambiguous';

/** Thrown by a channel's send(); the sender maps it to retry, dead letter or opt-out. */
export class ProviderError extends Error {
  constructor(
    message: string,
    readonly outcome: ProviderOutcome,
    readonly options: { retryAfterMs?: number | undefined; status?: number | undefined; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'ProviderError';
  }
}

export interface SendReceipt {
  providerMessageId?: string | undefined;
}

/**
 * What the provider says became of a call whose sender died before the
 * answer came back.
 */
export type Reconciliation =
  /** The provider has it: count the call as done. */
  | { outcome: 'sent'; providerMessageId?: string | undefined }
  /** The provider answered, and it has nothing of this call: sending it now delivers it once. */
  | { outcome: 'not-sent' }
  /** The provider's answer does not settle it (e.g. something like it, but not quite): stop, a human decides. */
  | { outcome: 'unknown'; reason: string };

/**
 * The outbound half of a channel. Request is the channel's own shape of one
 * provider call; it never leaves the channel's folder.
 */
export interface ChannelSender<Request = unknown> {
  readonly channel: Channel;
  readonly capabilities: ChannelCapabilities;
  /**
   * True when sending the same request twice delivers it once (the channel
   * deduplicates by message id). A send interrupted by a crash is then simply
   * sent again instead of being reported as an unknown outcome.
   */
  readonly idempotent?: boolean;
  /** Sends per second allowed per channel account; undefined means no limit of ours. */
  readonly ratePerSecond?: number | undefined;
  /** The provider calls one message takes, in order. Pure: no I/O. */
  render(message: OutboundMessage): Request[];
  send(request: Request, message: OutboundMessage): Promise<SendReceipt>;
  /**
   * For a channel that is not idempotent: asks the provider whether a call
   * that started at `since` (the sender's clock) and got no answer (cut off
   * by a crash, or timed out) went through. 'not-sent' must only come from an answer that shows the
   * call absent, never from a failure to ask: a failure is thrown (or
   * 'unknown') and the message stays unsent and kept for a human.
   */
  reconcile?(request: Request, message: OutboundMessage, since: Date): Promise<Reconciliation>;
  /**
   * How long after an interrupted call started it can no longer reach the provider: the call's
   * own time limit and a margin. Before that the request may still be on its way (its process
   * died, or only lost the conversation's lock), so asking could say "not sent" for a message
   * about to arrive, and it would go twice; an at-least-once message is not sent again before
   * then either, for the same reason. Default: 16 s.
   */
  readonly reconcileAfterMs?: number;
  /** Releases what the sender opened (connections, queues) when its process stops. */
  close?(): Promise<void>;
}
