/**
 * What the engine keeps per conversation between two messages (in the Redis
 * session). Plain JSON, so a worker restart or another worker process
 * carries on where the last one stopped.
 */
import { z } from 'zod';
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
  /** The campaign that last reached this person (a broadcast or an entry), for its opt-out figures. */
  campaign?: { id: string; since: string };
}

const Option = z.object({ title: z.string(), payload: z.string() });
const StateSchema = z.object({
  locale: z.enum(['fr', 'en']).optional(),
  lastActiveAt: z.string().optional(),
  botVersion: z.string().optional(),
  vars: z.record(z.string(), z.unknown()).optional(),
  at: z
    .object({ flow: z.string(), node: z.string(), attempts: z.number(), items: z.array(z.unknown()).optional() })
    .optional(),
  offered: z.array(Option).optional(),
  misses: z.number().optional(),
  handoff: z.object({ id: z.string(), since: z.string(), reminded: z.boolean().optional() }).optional(),
  campaign: z.object({ id: z.string(), since: z.string() }).optional(),
});

/**
 * Session state comes back from Redis as JSON written by this or an older
 * version. A field that does not look right is dropped (the conversation
 * starts over on that point) rather than trusted or crashed on.
 */
export function readState(raw: Record<string, unknown>): DialogState {
  const parsed = StateSchema.safeParse(raw);
  if (parsed.success) return parsed.data as DialogState;
  const kept: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(StateSchema.shape)) {
    const value = (field as z.ZodType).safeParse(raw[key]);
    if (value.success && value.data !== undefined) kept[key] = value.data;
  }
  return kept as DialogState;
}
