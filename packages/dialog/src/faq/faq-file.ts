/**
 * The FAQ file of a bot (bots/<brand>/faq.yaml): entries with questions, keywords and an answer, in French
 * and English. Written by marketers, so unknown keys are rejected (a misspelt "anwser" must not silently
 * drop the answer) and every message says where the problem is.
 */
import { z } from 'zod';

const text = z.string().trim().min(1, 'must not be empty');

/** A text both languages must have. */
const Bilingual = z.strictObject({ en: text, fr: text });

const phrasings = (what: string) => z.array(text).min(1, `give at least one ${what}`);

export const FaqEntry = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]+$/, 'use lower-case letters, digits and dashes only, e.g. "opening-hours"'),
  category: text.optional(),
  /** Label of the "did you mean" button: 20 characters or fewer fit everywhere. */
  title: z.strictObject({
    en: text.max(40, 'keep titles to 40 characters at most (20 fits every channel)'),
    fr: text.max(40, 'keep titles to 40 characters at most (20 fits every channel)'),
  }),
  questions: z.strictObject({ en: phrasings('question'), fr: phrasings('question') }),
  keywords: z.strictObject({ en: z.array(text).default([]), fr: z.array(text).default([]) }).optional(),
  answer: Bilingual,
});
export type FaqEntry = z.infer<typeof FaqEntry>;

export const FaqFile = z
  .strictObject({
    /** Confidence below which the bot asks "did you mean…?" instead of answering. */
    threshold: z.number().min(0).max(1).optional(),
    entries: z.array(FaqEntry).min(1, 'give at least one entry'),
  })
  .superRefine((file, ctx) => {
    const firstIndex = new Map<string, number>();
    file.entries.forEach((entry, index) => {
      const first = firstIndex.get(entry.id);
      if (first === undefined) {
        firstIndex.set(entry.id, index);
        return;
      }
      ctx.addIssue({
        code: 'custom',
        message: `duplicate id "${entry.id}" (already used by entry ${first})`,
        path: ['entries', index, 'id'],
      });
    });
  });
export type FaqFile = z.infer<typeof FaqFile>;
