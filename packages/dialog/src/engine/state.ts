/**
 * What the engine keeps per conversation between two messages (in the Redis
 * session). Plain JSON, so a worker restart or another worker process
 * carries on where the last one stopped.
 */
import type { Locale } from '../text.js';

/** An option on screen: "2" or its title typed back picks it even on channels without buttons. */
export interface OfferedOption {
  title: string;
  payload: string;
}

export interface WaitingAt {
  flow: string;
  node: string;
  /** Wrong answers so far to this question. */
  attempts: number;
  /** For choices_from: the items offered, in order (the saved value is the chosen item). */
  items?: unknown[];
}

export interface DialogState {
  locale?: Locale;
  lastActiveAt?: string;
  /** The bot folder's version when this state was written. */
  botVersion?: string;
  /** Answers and connector results saved by flows ({{order.status}}). */
  vars?: Record<string, unknown>;
  /** The question the customer is expected to answer. */
  at?: WaitingAt;
  /** The options of the last menu or "did you mean", so a typed "2" works. */
  offered?: OfferedOption[];
  /** Consecutive messages the bot could not understand. */
  misses?: number;
  handoff?: { id: string; since: string; reminded?: boolean };
}

/** Session state is untyped JSON; this keeps what looks right and drops the rest. */
export function readState(raw: Record<string, unknown>): DialogState {
  return raw as DialogState;
}
