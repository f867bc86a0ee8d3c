/**
 * Numbered menus: SMS has no buttons, so buttons, quick replies and lists
 * are sent as "1. Horaires / 2. Livraison ..." and the customer answers with
 * a number. The sender (worker role) remembers the last menu it sent to a
 * conversation; the webhook (gateway role) reads it to turn "2" back into
 * the button press it stands for. Redis is what both roles share.
 */
import type { InboundEvent, Redis } from '@passerelle/core';
import { z } from 'zod';

export interface MenuChoice {
  title: string;
  payload: string;
}

/**
 * An SMS conversation is slow; a day covers "I'll answer tonight" without
 * letting a number sent next week pick from a menu the customer no longer has
 * in mind.
 */
export const MENU_TTL_SECONDS = 24 * 3600;

const StoredMenu = z.array(z.object({ title: z.string(), payload: z.string().min(1) })).min(1);

/** Hash-tagged by conversation like the conversation's other keys, so they share a Redis Cluster slot. */
export function menuKey(prefix: string, conversationId: string): string {
  return `${prefix}:sms:menu:{${conversationId}}`;
}

export async function rememberMenu(
  redis: Redis,
  prefix: string,
  conversationId: string,
  choices: readonly MenuChoice[],
): Promise<void> {
  await redis.set(menuKey(prefix, conversationId), JSON.stringify(choices), 'EX', MENU_TTL_SECONDS);
}

export async function recallMenu(
  redis: Redis,
  prefix: string,
  conversationId: string,
): Promise<MenuChoice[] | undefined> {
  const raw = await redis.get(menuKey(prefix, conversationId));
  if (!raw) return undefined;
  try {
    const parsed = StoredMenu.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** "2", " 2 ", "2.", "2)" -> 2. Anything more is a sentence, not a choice. */
export function menuChoiceNumber(text: string | undefined): number | undefined {
  const match = /^\s*(\d{1,2})\s*[.)]?\s*$/.exec(text ?? '');
  return match ? Number(match[1]) : undefined;
}

/**
 * The customer's message as the button press it stands for, when it is the
 * number of a choice of the menu; otherwise the message unchanged. The text
 * stays, so the conversation history shows what was really written.
 */
export function answerFromMenu(event: InboundEvent, menu: readonly MenuChoice[] | undefined): InboundEvent {
  if (event.kind !== 'message' || !menu) return event;
  const number = menuChoiceNumber(event.content.text);
  const choice = number === undefined ? undefined : menu[number - 1];
  if (!choice) return event;
  return {
    ...event,
    kind: 'postback',
    content: { ...event.content, postback: { payload: choice.payload, title: choice.title } },
  };
}

/** Looks the menu up only when the message could be a choice: most messages cost no Redis call. */
export async function resolveMenuReply(redis: Redis, prefix: string, event: InboundEvent): Promise<InboundEvent> {
  if (event.kind !== 'message' || menuChoiceNumber(event.content.text) === undefined) return event;
  return answerFromMenu(event, await recallMenu(redis, prefix, event.conversationId));
}
