/**
 * Validators for the answer a customer types to a flow's question (an `ask` node's `validate:`).
 *
 * Each validator turns free text into a clean value (what the flow stores) and a display string (what the bot
 * may repeat back), or into a short, localised problem telling the customer what is expected. They never
 * throw: whatever the input (empty, 10 000 characters, emoji), the answer is a Validation.
 */
import * as chrono from 'chrono-node';
import { type CountryCode, getExampleNumber, isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js';
import phoneExamples from 'libphonenumber-js/mobile/examples';
import { z } from 'zod';
import { type Locale, normalise } from '../text.js';

// ---------------------------------------------------------------------------------------------------------------
// Specs, as a bot author writes them in YAML
// ---------------------------------------------------------------------------------------------------------------

const count = z.number().int().nonnegative();

const EmailSpec = z.object({ type: z.literal('email') }).strict();

const PhoneSpec = z
  .object({
    type: z.literal('phone'),
    /** Country assumed for numbers typed without an international prefix (ISO 3166 code). Default FR. */
    region: z
      .string()
      .refine(isSupportedCountry, {
        error: (issue) =>
          `unknown phone region '${String(issue.input)}': use a two-letter country code in capitals, such as FR or BE`,
      })
      .optional(),
  })
  .strict();

const PatternSpec = z
  .object({
    type: z.literal('pattern'),
    /** A JavaScript regular expression the whole (trimmed, normalised) answer must match. */
    pattern: z.string().min(1),
    /** Regular expression flags: any of i, s, u, v (g, y and m make no sense for a whole-answer match). */
    flags: z
      .string()
      .regex(/^[isuv]*$/, { message: 'flags may only contain i, s, u or v' })
      .optional(),
    /** Shown to the customer when the answer does not match; must itself match. */
    example: z.string().min(1).optional(),
    /** Case applied to the answer before matching; default upper. */
    normalise: z.enum(['upper', 'lower', 'none']).optional(),
  })
  .strict()
  .superRefine((spec, ctx) => {
    const regex = compilePattern(spec.pattern, spec.flags);
    if (typeof regex === 'string') {
      ctx.addIssue({
        code: 'custom',
        path: ['pattern'],
        message: `invalid regular expression /${spec.pattern}/${spec.flags ?? ''}: ${regex}`,
      });
      return;
    }
    if (spec.example !== undefined && !regex.test(applyCase(spec.example.trim(), spec.normalise))) {
      ctx.addIssue({
        code: 'custom',
        path: ['example'],
        message: `example '${spec.example}' does not match the pattern /${spec.pattern}/${spec.flags ?? ''}`,
      });
    }
  });

const DateSpec = z
  .object({
    type: z.literal('date'),
    /** Today or later. */
    future: z.boolean().optional(),
    /** Today or earlier. */
    past: z.boolean().optional(),
    /** At most this many days after today (0 = today at the latest). */
    maxDaysAhead: count.optional(),
  })
  .strict()
  .superRefine((spec, ctx) => {
    if (spec.future && spec.past) {
      ctx.addIssue({
        code: 'custom',
        path: ['past'],
        message: 'a date cannot be required both in the future and past',
      });
    }
  });

const NumberSpec = z
  .object({
    type: z.literal('number'),
    min: z.number().optional(),
    max: z.number().optional(),
    integer: z.boolean().optional(),
  })
  .strict()
  .superRefine((spec, ctx) => {
    if (spec.min !== undefined && spec.max !== undefined && spec.min > spec.max) {
      ctx.addIssue({ code: 'custom', path: ['max'], message: `max (${spec.max}) is below min (${spec.min})` });
    }
  });

const TextSpec = z
  .object({
    type: z.literal('text'),
    minLength: count.optional(),
    maxLength: count.min(1).optional(),
  })
  .strict()
  .superRefine((spec, ctx) => {
    if (spec.minLength !== undefined && spec.maxLength !== undefined && spec.minLength > spec.maxLength) {
      ctx.addIssue({
        code: 'custom',
        path: ['maxLength'],
        message: `maxLength (${spec.maxLength}) is below minLength (${spec.minLength})`,
      });
    }
  });

/** What an `ask` node's `validate:` may say. `choice` is not here: choices are handled by the ask node itself. */
export const ValidatorSpec = z.discriminatedUnion('type', [
  EmailSpec,
  PhoneSpec,
  PatternSpec,
  DateSpec,
  NumberSpec,
  TextSpec,
]);
export type ValidatorSpec = z.infer<typeof ValidatorSpec>;

// ---------------------------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------------------------

export interface ValidationContext {
  locale: Locale;
  /** The moment the answer arrived; relative dates ("demain", "next friday") count from it. */
  now: Date;
  /** IANA time zone in which "today" is reckoned, e.g. 'Europe/Paris'. */
  timeZone: string;
}

export type Validation =
  | { ok: true; value: string | number; display: string }
  /** A sentence in ctx.locale telling the customer what is expected. */
  | { ok: false; problem: string };

type Messages = Record<Locale, string>;

const GENERIC: Messages = {
  fr: "Je n'ai pas pu comprendre cette réponse. Pouvez-vous la reformuler ?",
  en: "I couldn't make sense of that answer. Could you rephrase it?",
};

export function validateAnswer(spec: ValidatorSpec, input: string, ctx: ValidationContext): Validation {
  const locale: Locale = ctx.locale === 'fr' ? 'fr' : 'en';
  try {
    const text = typeof input === 'string' ? input : '';
    switch (spec.type) {
      case 'email':
        return validateEmail(text, locale);
      case 'phone':
        return validatePhone(spec, text, locale);
      case 'pattern':
        return validatePattern(spec, text, locale);
      case 'date':
        return validateDate(spec, text, { ...ctx, locale });
      case 'number':
        return validateNumber(spec, text, locale);
      case 'text':
        return validateText(spec, text, locale);
      default:
        return { ok: false, problem: GENERIC[locale] };
    }
  } catch {
    // A spec that skipped the schema, a broken time zone...: the customer still gets a sentence, not a crash.
    return { ok: false, problem: GENERIC[locale] };
  }
}

const NO_FIELDS: readonly string[] = Object.freeze([]);

/**
 * The variable fields a validator's value offers to templates, for static checks. Usually none.
 * Every validator's value is a plain string or number, so a template uses the variable itself ({{email}}), never
 * a field of it ({{email.domain}}); a new kind whose value has fields must list them here.
 */
export function validatorFields(spec: ValidatorSpec): readonly string[] {
  switch (spec.type) {
    case 'email':
    case 'phone':
    case 'pattern':
    case 'date':
    case 'number':
    case 'text':
      return NO_FIELDS;
    default:
      return NO_FIELDS;
  }
}

function fail(problem: string): Validation {
  return { ok: false, problem };
}

/** Counts characters as people do (an emoji is one), not UTF-16 units. */
function length(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

// --- email -----------------------------------------------------------------------------------------------------

const emailSchema = z.email();
const EMAIL_INVALID: Messages = {
  fr: 'Cette adresse e-mail ne semble pas valide. Exemple : nom@exemple.fr.',
  en: "That doesn't look like a valid email address. Example: name@example.com.",
};

function validateEmail(input: string, locale: Locale): Validation {
  // A sentence's final full stop ("c'est jean@exemple.fr.") is not part of the address; neither are <brackets>.
  let text = input.trim().replace(/\.$/, '');
  if (text.startsWith('<') && text.endsWith('>')) text = text.slice(1, -1).trim();
  const at = text.lastIndexOf('@');
  if (at <= 0 || text.length > 254) return fail(EMAIL_INVALID[locale]);
  const email = text.slice(0, at) + '@' + text.slice(at + 1).toLowerCase();
  if (!emailSchema.safeParse(email).success) return fail(EMAIL_INVALID[locale]);
  return { ok: true, value: email, display: email };
}

// --- phone -----------------------------------------------------------------------------------------------------

function validatePhone(spec: z.infer<typeof PhoneSpec>, input: string, locale: Locale): Validation {
  const region: CountryCode = spec.region !== undefined && isSupportedCountry(spec.region) ? spec.region : 'FR';
  const text = input.trim();
  // libphonenumber caps its own input, but there is no phone number in a paragraph.
  const phone = text.length <= 100 ? parsePhoneNumberFromString(text, { defaultCountry: region }) : undefined;
  if (phone?.isValid()) return { ok: true, value: phone.number, display: phone.formatInternational() };
  const example = getExampleNumber(region, phoneExamples)?.formatNational() ?? '06 12 34 56 78';
  return fail(
    locale === 'fr'
      ? `Ce numéro ne semble pas valide. Exemple : ${example}.`
      : `That doesn't look like a valid phone number. Example: ${example}.`,
  );
}

// --- pattern ---------------------------------------------------------------------------------------------------

/** Longest answer tried against an author's regular expression (a careless one can be slow on long text). */
const PATTERN_MAX_INPUT = 500;

const compiled = new Map<string, RegExp | string>();

/** The author's pattern, anchored so the whole answer must match; or why it does not compile. */
function compilePattern(pattern: string, flags = ''): RegExp | string {
  const key = `${flags}/${pattern}`;
  let regex = compiled.get(key);
  if (regex === undefined) {
    try {
      regex = new RegExp(`^(?:${pattern})$`, flags.replace(/[gym]/g, ''));
      // Both checks: an unbalanced pattern such as "a)|(b" compiles once wrapped but not on its own.
      new RegExp(pattern, flags);
    } catch (error) {
      regex = error instanceof Error ? error.message : String(error);
    }
    if (compiled.size > 500) compiled.clear();
    compiled.set(key, regex);
  }
  return regex;
}

function applyCase(text: string, mode: 'upper' | 'lower' | 'none' | undefined): string {
  switch (mode ?? 'upper') {
    case 'upper':
      return text.toUpperCase();
    case 'lower':
      return text.toLowerCase();
    default:
      return text;
  }
}

function validatePattern(spec: z.infer<typeof PatternSpec>, input: string, locale: Locale): Validation {
  const value = applyCase(input.trim(), spec.normalise);
  const regex = compilePattern(spec.pattern, spec.flags);
  if (typeof regex !== 'string' && value.length > 0 && value.length <= PATTERN_MAX_INPUT && regex.test(value)) {
    return { ok: true, value, display: value };
  }
  if (spec.example !== undefined) {
    return fail(
      locale === 'fr'
        ? `Ce format n'est pas reconnu. Exemple : ${spec.example}.`
        : `That doesn't match the expected format. Example: ${spec.example}.`,
    );
  }
  return fail(
    locale === 'fr'
      ? "Ce format n'est pas reconnu. Pouvez-vous vérifier et réessayer ?"
      : "That doesn't match the expected format. Could you check it and try again?",
  );
}

// --- date ------------------------------------------------------------------------------------------------------

/** A calendar date as a day count since 1970-01-01, so that comparing and adding days is arithmetic. */
type Day = number;
const MS_PER_DAY = 86_400_000;

function dayOf(year: number, month: number, day: number): Day | undefined {
  if (!Number.isInteger(year) || year < 1000 || year > 9999) return undefined;
  if (!Number.isInteger(month) || month < 1 || month > 12 || !Number.isInteger(day) || day < 1) return undefined;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined; // 31/02
  return date.getTime() / MS_PER_DAY;
}

function isoOf(day: Day): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

function displayOf(day: Day, locale: Locale): string {
  // The day was reckoned in ctx.timeZone already; formatting its UTC midnight in UTC shows that very calendar date.
  return new Intl.DateTimeFormat(locale === 'fr' ? 'fr-FR' : 'en-US', { dateStyle: 'full', timeZone: 'UTC' }).format(
    new Date(day * MS_PER_DAY),
  );
}

/** Wall-clock time in a time zone (UTC when the zone is unknown to the runtime). */
function wallClock(
  now: Date,
  timeZone: string,
): { year: number; month: number; day: number; hour: number; minute: number } {
  let parts: Intl.DateTimeFormatPart[];
  const options: Intl.DateTimeFormatOptions = {
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    hourCycle: 'h23',
  };
  try {
    parts = new Intl.DateTimeFormat('en-US', { ...options, timeZone }).formatToParts(now);
  } catch {
    parts = new Intl.DateTimeFormat('en-US', { ...options, timeZone: 'UTC' }).formatToParts(now);
  }
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((part) => part.type === type)?.value);
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute') };
}

const DATE_INVALID: Messages = {
  fr: "Je n'ai pas compris cette date. Écrivez-la par exemple 25/12/2026 (jour/mois/année) ou « demain ».",
  en: "I didn't understand that date. Please write it like 25/12/2026 (day/month/year) or “tomorrow”.",
};
const DATE_IMPOSSIBLE: Messages = {
  fr: "Cette date n'existe pas. Écrivez-la jour/mois/année, par exemple 25/12/2026.",
  en: "That date doesn't exist. Please write it day/month/year, for example 25/12/2026.",
};
const DATE_PAST: Messages = {
  fr: "Cette date est déjà passée. Merci d'indiquer une date à partir d'aujourd'hui.",
  en: 'That date has already passed. Please give a date from today onwards.',
};
const DATE_FUTURE: Messages = {
  fr: "Cette date est dans le futur. Merci d'indiquer une date passée ou celle d'aujourd'hui.",
  en: "That date is in the future. Please give today's date or an earlier one.",
};

const DATE_MAX_INPUT = 200;

// Numbers only. Day/month order, in English too: the shops are European. "12/25/2026" still works in English,
// being unambiguous; in French it is a date that does not exist.
const NUMERIC_DATE = /^(\d{1,2})\s*[/.-]\s*(\d{1,2})(?:\s*[/.-]\s*(\d{4}|\d{2}))?$/;
const ISO_DATE = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;

/** Words chrono-node misreads ("après-demain" as "demain"), on the normalised input. */
const RELATIVE_DAYS: Array<[RegExp, number]> = [
  [/\b(apres demain|day after tomorrow)\b/, 2],
  [/\b(avant hier|day before yesterday)\b/, -2],
];
/** Words that point backwards, so a year-less or weekday-only date is not pushed to its next occurrence. */
const PAST_WORDS = /\b(dernier|derniere|passe|passee|hier|il y a|last|ago|yesterday|previous)\b/;
const FUTURE_WORDS = /\b(prochain|prochaine|suivant|suivante|next|coming|dans|in)\b/;

type DateReading = { day: Day } | { impossible: true } | undefined;

function readDate(
  input: string,
  locale: Locale,
  today: Day,
  reference: Date,
  backwards: boolean,
  currentYear: number,
): DateReading {
  const text = input.trim();

  const iso = ISO_DATE.exec(text);
  if (iso) {
    const day = dayOf(Number(iso[1]), Number(iso[2]), Number(iso[3]));
    return day === undefined ? { impossible: true } : { day };
  }

  const numeric = NUMERIC_DATE.exec(text);
  if (numeric) {
    let first = Number(numeric[1]);
    let second = Number(numeric[2]);
    if (locale === 'en' && first <= 12 && second > 12) [first, second] = [second, first]; // 12/25 is December 25
    const [dd, mm, yearText] = [first, second, numeric[3]];
    if (yearText !== undefined) {
      let year = Number(yearText);
      if (yearText.length === 2) {
        year += 2000;
        // "03/05/85" for a date in the past is 1985.
        if (backwards && year > currentYear) year -= 100;
      }
      const day = dayOf(year, mm, dd);
      return day === undefined ? { impossible: true } : { day };
    }
    // No year: the next such date (today included), or the last one when the question is about the past.
    const thisYear = dayOf(currentYear, mm, dd);
    const otherYear = dayOf(currentYear + (backwards ? -1 : 1), mm, dd);
    if (thisYear === undefined) {
      // 29/02 outside a leap year: the nearest leap year in the right direction.
      for (let step = 1; step <= 8; step++) {
        const day = dayOf(currentYear + (backwards ? -step : step), mm, dd);
        if (day !== undefined) return { day };
      }
      return { impossible: true };
    }
    if (backwards ? thisYear <= today : thisYear >= today) return { day: thisYear };
    return otherYear === undefined ? { day: thisYear } : { day: otherYear };
  }

  const words = normalise(text);
  for (const [pattern, offset] of RELATIVE_DAYS) if (pattern.test(words)) return { day: today + offset };

  const pointsBack = PAST_WORDS.test(words);
  const pointsAhead = FUTURE_WORDS.test(words);
  const parsers = locale === 'fr' ? [chrono.fr, chrono.en.GB] : [chrono.en.GB, chrono.fr];
  for (const parser of parsers) {
    const result = parser.parse(text, reference, { forwardDate: !backwards && !pointsBack })[0];
    if (!result) continue;
    const start = result.start;
    // "15h", "3pm": a time without a day is no answer to "which day?" (and the other language must not get a go:
    // English reads "15h" as "in 15 hours").
    if (!start.isCertain('day') && !start.isCertain('weekday')) return undefined;
    const year = start.get('year');
    const month = start.get('month');
    const date = start.get('day');
    if (year === null || month === null || date === null) continue;
    let day = dayOf(year, month, date);
    if (day === undefined) return { impossible: true };
    if (backwards && day > today && !pointsAhead && !start.isCertain('year')) {
      if (start.isCertain('month')) day = dayOf(year - 1, month, date) ?? day;
      else if (!start.isCertain('day')) day -= 7; // a weekday alone: the last one
    }
    return { day };
  }
  return undefined;
}

function validateDate(spec: z.infer<typeof DateSpec>, input: string, ctx: ValidationContext): Validation {
  const { locale } = ctx;
  if (input.trim().length === 0 || input.length > DATE_MAX_INPUT) return fail(DATE_INVALID[locale]);
  const clock = wallClock(ctx.now, ctx.timeZone);
  const today = dayOf(clock.year, clock.month, clock.day);
  if (today === undefined) return fail(GENERIC[locale]);
  // chrono-node reckons in the process's zone: give it, in that zone, the wall-clock time of ctx.timeZone, and read
  // back calendar fields only.
  const reference = new Date(clock.year, clock.month - 1, clock.day, clock.hour, clock.minute);

  const reading = readDate(input, locale, today, reference, spec.past === true, clock.year);
  if (reading === undefined) return fail(DATE_INVALID[locale]);
  if ('impossible' in reading) return fail(DATE_IMPOSSIBLE[locale]);
  const { day } = reading;

  if (spec.future && day < today) return fail(DATE_PAST[locale]);
  if (spec.past && day > today) return fail(DATE_FUTURE[locale]);
  if (spec.maxDaysAhead !== undefined && day > today + spec.maxDaysAhead) {
    const latest = displayOf(today + spec.maxDaysAhead, locale);
    return fail(
      locale === 'fr'
        ? `Cette date est trop lointaine : au plus tard le ${latest}, s'il vous plaît.`
        : `That date is too far ahead: ${latest} at the latest, please.`,
    );
  }
  return { ok: true, value: isoOf(day), display: displayOf(day, locale) };
}

// --- number ----------------------------------------------------------------------------------------------------

const NUMBER_WORDS: Record<string, number> = {
  zero: 0,
  un: 1,
  une: 1,
  deux: 2,
  trois: 3,
  quatre: 4,
  cinq: 5,
  six: 6,
  sept: 7,
  huit: 8,
  neuf: 9,
  dix: 10,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
};

const SPACES = /[\s\u00a0\u202f\u2009']/g;
/** 12 · -3 · 3,5 · 3.5 · ,5 */
const PLAIN_NUMBER = /^[+-]?(?:\d+(?:[.,]\d+)?|[.,]\d+)$/;
/** 1 000 · 1 000,5 · 1'000 (spaces of any kind, or apostrophes, between groups of three) */
const SPACED_NUMBER = /^[+-]?\d{1,3}(?:[\s\u00a0\u202f\u2009']\d{3})+(?:[.,]\d+)?$/;
/** 1,000 · 1,000.5 — English only: in French the comma is the decimal separator, so "1,000" is 1. */
const ENGLISH_GROUPED_NUMBER = /^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/;

function readNumber(input: string, locale: Locale): number | undefined {
  const text = input.trim().replace(/\u2212/g, '-');
  if (text.length === 0 || text.length > 100) return undefined;
  let digits: string | undefined;
  if (locale === 'en' && ENGLISH_GROUPED_NUMBER.test(text)) digits = text.replace(/,/g, '');
  else if (PLAIN_NUMBER.test(text)) digits = text.replace(',', '.');
  else if (SPACED_NUMBER.test(text)) digits = text.replace(SPACES, '').replace(',', '.');
  if (digits !== undefined) {
    const value = Number(digits);
    return Number.isFinite(value) ? value + 0 : undefined; // + 0 turns -0 into 0
  }
  return NUMBER_WORDS[normalise(text)];
}

function formatNumber(value: number, locale: Locale): string {
  return new Intl.NumberFormat(locale === 'fr' ? 'fr-FR' : 'en-US', { maximumFractionDigits: 10 }).format(value);
}

function numberRange(spec: z.infer<typeof NumberSpec>, locale: Locale): string {
  const whole = spec.integer ? (locale === 'fr' ? ' entier' : ' whole') : '';
  const { min, max } = spec;
  if (min !== undefined && max !== undefined) {
    return locale === 'fr'
      ? `un nombre${whole} entre ${formatNumber(min, locale)} et ${formatNumber(max, locale)}`
      : `a${whole} number between ${formatNumber(min, locale)} and ${formatNumber(max, locale)}`;
  }
  if (min !== undefined) {
    return locale === 'fr'
      ? `un nombre${whole} supérieur ou égal à ${formatNumber(min, locale)}`
      : `a${whole} number of at least ${formatNumber(min, locale)}`;
  }
  if (max !== undefined) {
    return locale === 'fr'
      ? `un nombre${whole} inférieur ou égal à ${formatNumber(max, locale)}`
      : `a${whole} number of at most ${formatNumber(max, locale)}`;
  }
  return locale === 'fr' ? `un nombre${whole}, par exemple 3` : `a${whole} number, for example 3`;
}

function validateNumber(spec: z.infer<typeof NumberSpec>, input: string, locale: Locale): Validation {
  const value = readNumber(input, locale);
  const expected = numberRange(spec, locale);
  if (value === undefined) {
    return fail(locale === 'fr' ? `Merci d'indiquer ${expected}.` : `Please give ${expected}.`);
  }
  if (spec.integer && !Number.isInteger(value)) {
    return fail(
      locale === 'fr'
        ? `Il faut un nombre entier, sans virgule : ${expected}.`
        : `That needs to be a whole number: please give ${expected}.`,
    );
  }
  if (spec.min !== undefined && value < spec.min) {
    return fail(
      locale === 'fr' ? `C'est trop peu : indiquez ${expected}.` : `That's too low: please give ${expected}.`,
    );
  }
  if (spec.max !== undefined && value > spec.max) {
    return fail(locale === 'fr' ? `C'est trop : indiquez ${expected}.` : `That's too high: please give ${expected}.`);
  }
  return { ok: true, value, display: formatNumber(value, locale) };
}

// --- text ------------------------------------------------------------------------------------------------------

function characters(n: number, locale: Locale): string {
  return locale === 'fr' ? `${n} caractère${n > 1 ? 's' : ''}` : `${n} character${n === 1 ? '' : 's'}`;
}

function validateText(spec: z.infer<typeof TextSpec>, input: string, locale: Locale): Validation {
  const value = input.trim();
  if (value.length === 0) {
    return fail(locale === 'fr' ? "Merci d'écrire une réponse." : 'Please type an answer.');
  }
  const size = length(value);
  if (spec.minLength !== undefined && size < spec.minLength) {
    return fail(
      locale === 'fr'
        ? `C'est un peu court : au moins ${characters(spec.minLength, locale)}, s'il vous plaît.`
        : `That's a bit short: please write at least ${characters(spec.minLength, locale)}.`,
    );
  }
  if (spec.maxLength !== undefined && size > spec.maxLength) {
    return fail(
      locale === 'fr'
        ? `C'est trop long : ${characters(spec.maxLength, locale)} au maximum, s'il vous plaît.`
        : `That's too long: please keep it to ${characters(spec.maxLength, locale)} at most.`,
    );
  }
  return { ok: true, value, display: value };
}
