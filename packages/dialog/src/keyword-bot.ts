/**
 * The demo's first bot: a greeting, a few FAQ entries found by keywords in
 * French or English, and an echo for everything else. Enough to show the
 * pipeline end to end; the flow and FAQ engine replaces it.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { OutboundPart } from '@passerelle/core';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { Bot, BotAnswer, BotTurn } from './bot.js';
import { fill, type Locale, normalise, pickLocale } from './text.js';

const Localised = z.object({ en: z.string().min(1), fr: z.string().min(1) });

const Entry = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/),
  title: Localised,
  keywords: z.object({ en: z.array(z.string().min(1)), fr: z.array(z.string().min(1)) }),
  answer: Localised,
});

export const KeywordBotFile = z.object({
  name: z.string().min(1),
  greeting: z.object({
    keywords: z.object({ en: z.array(z.string().min(1)), fr: z.array(z.string().min(1)) }),
    answer: Localised,
  }),
  faq: z.array(Entry).min(1),
  fallback: Localised,
});
export type KeywordBotFile = z.infer<typeof KeywordBotFile>;

export const BOT_FILE = 'bot.yaml';

export async function loadKeywordBot(botDir: string): Promise<Bot> {
  const path = join(botDir, BOT_FILE);
  let raw: string;
  try {
    raw = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`${path}: cannot read the bot file (${(error as Error).message}); is BOT_DIR right?`);
  }
  const parsed = KeywordBotFile.safeParse(parseYaml(raw));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  - ${issue.path.join('.')}: ${issue.message}`).join('\n');
    throw new Error(`${path}: the bot file is not valid:\n${problems}`);
  }
  return new KeywordBot(parsed.data);
}

interface Matcher {
  id: string;
  locale: Locale;
  words: string[];
}

export class KeywordBot implements Bot {
  readonly name: string;
  private readonly matchers: Matcher[];

  constructor(private readonly file: KeywordBotFile) {
    this.name = file.name;
    const matchers: Matcher[] = [];
    const add = (id: string, keywords: { en: string[]; fr: string[] }) => {
      for (const locale of ['fr', 'en'] as const) {
        matchers.push({ id, locale, words: keywords[locale].map(normalise) });
      }
    };
    add('greeting', file.greeting.keywords);
    for (const entry of file.faq) add(entry.id, entry.keywords);
    this.matchers = matchers;
  }

  async answer({ event, contact, state }: BotTurn): Promise<BotAnswer> {
    const payload = event.content.postback?.payload;
    const text = event.content.text ?? event.content.postback?.title ?? '';
    const match = payload?.startsWith('faq:') ? { id: payload.slice(4), locale: undefined } : this.match(text);
    // SMS and WhatsApp carry no locale: the language the conversation last used is the next best guess,
    // so that a menu choice typed as "2" is answered in the language of the menu.
    const remembered = typeof state.locale === 'string' ? state.locale : undefined;
    const locale = pickLocale(event.sender.locale, contact.locale, remembered) ?? match?.locale ?? 'en';
    const answerLocale = match?.locale ?? locale;
    const reply = (parts: OutboundPart[]): BotAnswer => ({ messages: [parts], state: { locale: answerLocale } });

    if (match?.id === 'greeting') {
      return reply([
        {
          type: 'quickReplies',
          text: this.file.greeting.answer[answerLocale],
          replies: this.file.faq.map((entry) => ({ title: entry.title[answerLocale], payload: `faq:${entry.id}` })),
        },
      ]);
    }
    const entry = match && this.file.faq.find((candidate) => candidate.id === match.id);
    if (entry) return reply([{ type: 'text', text: entry.answer[answerLocale] }]);
    return reply([{ type: 'text', text: fill(this.file.fallback[locale], { text }) }]);
  }

  /** The entry with the most keyword hits; a keyword matches as a whole word or phrase. */
  private match(text: string): Matcher | undefined {
    const padded = ` ${normalise(text)} `;
    let best: { matcher: Matcher; hits: number } | undefined;
    for (const matcher of this.matchers) {
      const hits = matcher.words.filter((word) => padded.includes(` ${word} `)).length;
      if (hits > 0 && (!best || hits > best.hits)) best = { matcher, hits };
    }
    return best?.matcher;
  }
}
