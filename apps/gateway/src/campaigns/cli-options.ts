/** Parsers of the marketer's command options: a bad value is commander's usage error, with an example. */
import { InvalidArgumentError } from 'commander';

export function positiveNumber(value: string): number {
  const n = Number(value.replace(',', '.'));
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a number above 0, like 5 or 0.5');
  return n;
}

/** YYYY-MM-DD or dd/mm/yyyy, a day that exists. */
export function localDay(value: string): string {
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const french = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(value);
  const [year, month, day] = iso
    ? [Number(iso[1]), Number(iso[2]), Number(iso[3])]
    : french
      ? [Number(french[3]), Number(french[2]), Number(french[1])]
      : [Number.NaN, Number.NaN, Number.NaN];
  const check = new Date(Date.UTC(year, month - 1, day));
  if (Number.isNaN(check.getTime()) || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
    throw new InvalidArgumentError('a day is YYYY-MM-DD or dd/mm/yyyy, like 2026-11-01 or 01/11/2026');
  }
  return check.toISOString().slice(0, 10);
}
