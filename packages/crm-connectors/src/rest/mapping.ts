/**
 * One item of an API's answer read into our fields, as the operation's `map`
 * says (our field <- their path), their values translated by `values`
 * (open -> processing), and each read as its kind of field: amounts as
 * numbers ("49.90" included), dates as ISO instants (epoch seconds included).
 */
import { readPath } from './json-path.js';
import { allowedName, type FieldType, type OperationSpec } from './operations.js';
import type { OperationSettings } from './settings.js';

/** Our fields, flat: { number: 'A-1', 'total.amount': 49.9, items: [{ name, quantity }], 'fields.tier': 'gold' }. */
export type Mapped = Record<string, unknown>;

export function mapItem(item: unknown, operation: OperationSettings, spec: OperationSpec): Mapped {
  const mapped: Mapped = {};
  for (const [ours, theirs] of Object.entries(operation.map)) {
    const type = typeOf(spec, ours);
    // Fields inside a list (items.name) are read in each element, below.
    if (type === undefined || isInList(spec, ours)) continue;
    const raw = readPath(item, theirs);
    const value =
      type === 'list' ? readList(raw, ours, operation, spec) : convert(translate(raw, operation.values?.[ours]), type);
    if (value !== undefined) mapped[ours] = value;
  }
  return mapped;
}

export function text(mapped: Mapped, field: string): string | undefined {
  const value = mapped[field];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

export function number(mapped: Mapped, field: string): number | undefined {
  const value = mapped[field];
  return typeof value === 'number' ? value : undefined;
}

function readList(raw: unknown, list: string, operation: OperationSettings, spec: OperationSpec): Mapped[] | undefined {
  if (!Array.isArray(raw)) return undefined;
  const inner = Object.entries(operation.map).filter(([ours]) => ours.startsWith(`${list}.`));
  return raw.map((element: unknown) => {
    const entry: Mapped = {};
    for (const [ours, theirs] of inner) {
      const value = convert(translate(readPath(element, theirs), operation.values?.[ours]), typeOf(spec, ours));
      if (value !== undefined) entry[ours.slice(list.length + 1)] = value;
    }
    return entry;
  });
}

function typeOf(spec: OperationSpec, field: string): FieldType | undefined {
  const exact = spec.fields[field];
  if (exact) return exact;
  const wildcard = Object.keys(spec.fields).find((name) => allowedName(field, [name]));
  return wildcard ? spec.fields[wildcard] : undefined;
}

function isInList(spec: OperationSpec, field: string): boolean {
  const dot = field.indexOf('.');
  return dot > 0 && spec.fields[field.slice(0, dot)] === 'list';
}

function translate(value: unknown, table: Readonly<Record<string, string>> | undefined): unknown {
  if (!table || value === null || value === undefined || typeof value === 'object') return value;
  const key = String(value);
  return Object.hasOwn(table, key) ? table[key] : value;
}

function convert(value: unknown, type: FieldType | undefined): unknown {
  if (value === null || value === undefined) return undefined;
  switch (type) {
    case 'number': {
      const parsed = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      return typeof parsed === 'number' && Number.isFinite(parsed) ? parsed : undefined;
    }
    case 'instant':
      return instant(value);
    case 'list':
      return undefined;
    default: {
      const shown = ['string', 'number', 'boolean'].includes(typeof value) ? String(value).trim() : '';
      return shown || undefined;
    }
  }
}

/** ISO instants (UTC); a number is epoch seconds (or milliseconds when that large); anything unreadable as it is. */
function instant(value: unknown): string | undefined {
  if (typeof value === 'number') {
    const date = new Date(value < 100_000_000_000 ? value * 1000 : value);
    return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
  }
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? value.trim() : new Date(parsed).toISOString();
}
