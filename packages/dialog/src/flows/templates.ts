/**
 * Message templates: "Votre commande {{order.number}} est {{order.status}}",
 * with a few formatting filters ({{order.placedAt | date}}). Values come from
 * a scope of nested plain objects (contact, saved answers, connector results).
 */
import type { Locale } from '../text.js';

export const FILTERS = ['date', 'datetime', 'time', 'money', 'upper', 'lower'] as const;
export type Filter = (typeof FILTERS)[number];

export interface TemplateRef {
  /** "order.total" */
  path: string;
  filter?: string | undefined;
}

const PLACEHOLDER = /\{\{\s*([^}|]+?)\s*(?:\|\s*([a-z]+)\s*)?\}\}/g;

export function templateRefs(template: string): TemplateRef[] {
  return [...template.matchAll(PLACEHOLDER)].map((match) => ({ path: match[1] ?? '', filter: match[2] }));
}

export interface RenderContext {
  locale: Locale;
  timeZone: string;
}

export type Scope = Record<string, unknown>;

export function lookup(scope: Scope, path: string): unknown {
  let value: unknown = scope;
  for (const segment of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

/**
 * A missing value renders as nothing (and the space before the punctuation
 * that followed it goes too, except where French typography keeps one): the load-time check already refused
 * names nobody can set, so what is left is an optional field (a parcel with
 * no tracking link yet), and an empty spot reads better than "{{...}}".
 */
export function render(template: string, scope: Scope, context: RenderContext): string {
  return template
    .replace(PLACEHOLDER, (_whole, path: string, filter: string | undefined) =>
      format(lookup(scope, path), filter as Filter | undefined, context),
    )
    .replace(/[ \t]{2,}/g, ' ')
    .replace(context.locale === 'fr' ? /[ \t]+([,.])/g : /[ \t]+([,.!?;:])/g, '$1')
    .trim();
}

function format(value: unknown, filter: Filter | undefined, context: RenderContext): string {
  if (value === undefined || value === null) return '';
  const tag = context.locale === 'fr' ? 'fr-FR' : 'en-GB';
  switch (filter) {
    case 'date':
    case 'datetime':
    case 'time': {
      const date = toDate(value);
      if (!date) return String(value);
      const options: Intl.DateTimeFormatOptions = { timeZone: context.timeZone };
      if (filter !== 'time') Object.assign(options, { weekday: 'long', day: 'numeric', month: 'long' });
      if (filter !== 'date') Object.assign(options, { hour: '2-digit', minute: '2-digit' });
      return new Intl.DateTimeFormat(tag, options).format(date);
    }
    case 'money': {
      const money = value as { amount?: unknown; currency?: unknown };
      const amount = Number(money.amount ?? value);
      if (!Number.isFinite(amount)) return String(value);
      const currency = typeof money.currency === 'string' ? money.currency : 'EUR';
      return new Intl.NumberFormat(tag, { style: 'currency', currency }).format(amount);
    }
    case 'upper':
      return String(value).toUpperCase();
    case 'lower':
      return String(value).toLowerCase();
    default:
      if (Array.isArray(value)) return value.map((item) => (typeof item === 'object' ? '' : String(item))).join(', ');
      if (typeof value === 'object') return '';
      return String(value);
  }
}

/** A calendar date ("2026-12-03") is noon in the bot's zone, so no time zone moves it to another day. */
function toDate(value: unknown): Date | undefined {
  if (typeof value !== 'string' && !(value instanceof Date)) return undefined;
  const text = value instanceof Date ? value.toISOString() : value;
  const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T12:00:00Z` : text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
