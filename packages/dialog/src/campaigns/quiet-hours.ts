/**
 * Quiet hours of campaign broadcasts: when a commercial message may be sent
 * on a channel, in the recipient's own local time. A campaign file writes
 * them per channel; what it leaves out comes from DEFAULT_QUIET_HOURS.
 *
 *   quiet_hours:
 *     sms:
 *       allowed:
 *         - { days: [mon, tue, wed, thu, fri, sat], from: '08:00', to: '20:00' }
 *       holidays: FR                 # or FR-57 (Alsace-Moselle), or false for none
 *       closed_dates: ['2027-01-02']
 *     whatsapp: false                # no quiet hours on this channel
 *
 * Ranges, dates and their mistakes read and are worded as teams.yaml's hours
 * (hybrid/teams.ts), so an author learns one way to write them.
 */
import {
  addDays,
  CHANNELS,
  type Channel,
  existsLocally,
  naiveUtc,
  offsetAt,
  wallClock,
  weekday,
} from '@passerelle/core';
import Holidays from 'date-holidays';
import { z } from 'zod';
import { DAYS, type Day, minutesOf, Team } from '../hybrid/teams.js';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** nextAllowed looks this far ahead, no further. */
export const QUIET_HOURS_HORIZON_DAYS = 14;

// teams.ts exports its range and date schemas only inside Team: taken from there, not copied,
// so both files accept and word the same things ("'HH:MM'", "not a day", "must be after from").
const AllowedRange = Team.shape.hours.element;
const LocalDate = Team.shape.holidays.unwrap().element;

// ---- public holidays (date-holidays) ----

let catalogue: Holidays | undefined;
const calendars = new Map<string, Holidays>();
const publicDatesByYear = new Map<string, ReadonlySet<string>>();

/** Why `code` (FR, FR-57) names no public holiday calendar, or undefined when it does. */
function holidayCodeProblem(code: string): string | undefined {
  catalogue ??= new Holidays();
  const [country = '', region, ...rest] = code.split('-');
  if (rest.length > 0 || !Object.hasOwn(catalogue.getCountries(), country)) {
    return (
      `unknown country "${code}": write a country code in capitals, like FR, ` +
      'a country and a region, like FR-57, or false for no public holidays'
    );
  }
  if (region === undefined) return undefined;
  const regions = Object.keys(catalogue.getStates(country) ?? {});
  if (regions.includes(region)) return undefined;
  return regions.length === 0
    ? `unknown region "${region}": ${country} has no regions with their own holidays, write ${country}`
    : `unknown region "${region}" of ${country}: use ${country}-${regions.join(`, ${country}-`)}`;
}

function calendar(code: string): Holidays {
  let found = calendars.get(code);
  if (!found) {
    const [country, region] = code.split('-') as [string, string | undefined];
    found = region === undefined ? new Holidays(country) : new Holidays(country, region);
    calendars.set(code, found);
  }
  return found;
}

/**
 * The local dates closed by public holidays of `code` in `year`. Only type
 * 'public' closes (not bank holidays or observances); a holiday closes its
 * whole local day(s), compared with the recipient's local date. Read from
 * the year's list rather than isHoliday(instant), which answers in the
 * country's time zone, not the recipient's.
 */
function publicDates(code: string, year: number): ReadonlySet<string> {
  const key = `${code}:${year}`;
  let dates = publicDatesByYear.get(key);
  if (!dates) {
    const found = new Set<string>();
    // A holiday of several days can start in the year before.
    for (const holiday of [...calendar(code).getHolidays(year - 1), ...calendar(code).getHolidays(year)]) {
      if (holiday.type !== 'public') continue;
      const days = Math.max(1, Math.round((holiday.end.getTime() - holiday.start.getTime()) / DAY_MS));
      for (let day = 0; day < days; day++) {
        const date = addDays(holiday.date.slice(0, 10), day);
        if (date.startsWith(String(year))) found.add(date);
      }
    }
    dates = found;
    publicDatesByYear.set(key, dates);
  }
  return dates;
}

// ---- schemas ----

const PublicHolidays = z
  .union([z.literal(false), z.string()], {
    error: (issue) =>
      issue.input === undefined
        ? 'write the country whose public holidays are closed, like FR or FR-57, or false for none'
        : 'write a country code, like FR or FR-57, or false for no public holidays',
  })
  .superRefine((code, ctx) => {
    const problem = code === false ? undefined : holidayCodeProblem(code);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** One channel's quiet hours: outside `allowed`, on public holidays and on closed dates, nothing is sent. */
export const QuietHoursPolicy = z
  .object({
    /** When sending is allowed, in the recipient's local time; several ranges add up, `to` is excluded. */
    allowed: z.array(AllowedRange).min(1, 'list at least one range of allowed hours'),
    /** The country (FR) or country and region (FR-57) whose public holidays are closed all day; false: none. */
    holidays: PublicHolidays,
    /** More closed days, whole local days. */
    closed_dates: z.array(LocalDate).default([]),
  })
  .strict();
export type QuietHoursPolicy = z.infer<typeof QuietHoursPolicy>;

/** A channel's quiet hours, or false: none, send at any time. */
export type ChannelQuietHours = QuietHoursPolicy | false;

// Not z.union([z.literal(false), QuietHoursPolicy]): a union reports a bad day or an unquoted
// time inside the policy as "no branch matched", and the author would not learn which.
const ChannelQuietHours = z.unknown().transform((value, ctx): ChannelQuietHours => {
  if (value === false) return false;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    ctx.addIssue({
      code: 'custom',
      message: 'write the quiet hours (allowed, holidays, closed_dates), or false for none',
    });
    return z.NEVER;
  }
  const parsed = QuietHoursPolicy.safeParse(value);
  if (parsed.success) return parsed.data;
  // Passed on as they are (the settings object adds the channel to their paths); a raw issue must name its input.
  ctx.issues.push(...parsed.error.issues.map((issue) => ({ ...issue, input: undefined })));
  return z.NEVER;
});

/** `quiet_hours:` of a campaign file: per channel, each optional (the default then applies). */
export const QuietHoursSettings = z.strictObject(
  Object.fromEntries(CHANNELS.map((channel) => [channel, ChannelQuietHours.optional()])) as Record<
    Channel,
    z.ZodOptional<typeof ChannelQuietHours>
  >,
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown channel ${issue.keys.map((key) => `"${key}"`).join(', ')}: use ${CHANNELS.join(', ')}`
        : undefined,
  },
);
export type QuietHoursSettings = z.infer<typeof QuietHoursSettings>;

/**
 * SMS: Monday to Saturday 08:00-20:00, never on Sundays nor French public
 * holidays, as the French telecom federation's code of conduct asks of
 * commercial SMS. Other channels: none (the 24-hour window of WhatsApp and
 * Messenger is checked elsewhere). Frozen: shared by every campaign.
 */
export const DEFAULT_QUIET_HOURS: Readonly<Record<Channel, ChannelQuietHours>> = deepFreeze({
  ...(Object.fromEntries(CHANNELS.map((channel) => [channel, false])) as Record<Channel, ChannelQuietHours>),
  sms: QuietHoursPolicy.parse({
    allowed: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat'], from: '08:00', to: '20:00' }],
    holidays: 'FR',
  }),
});

/** The quiet hours of `channel`: the author's (even false) when written, else the default. */
export function quietHoursFor(settings: QuietHoursSettings | undefined, channel: Channel): ChannelQuietHours {
  return settings?.[channel] ?? DEFAULT_QUIET_HOURS[channel];
}

// ---- the check ----

export type QuietHoursReason = 'outside_hours' | 'closed_day' | 'holiday';
export type QuietHoursCheck =
  | { allowed: true }
  | { allowed: false; reason: QuietHoursReason; nextAllowed: Date | undefined };

/**
 * May a message go out at `instant` to a recipient living in `timeZone`
 * (an IANA name; RangeError for an unknown one)? When not, why, and the next
 * instant it may (undefined when none within 14 days).
 */
export function checkQuietHours(policy: ChannelQuietHours, instant: Date, timeZone: string): QuietHoursCheck {
  if (policy === false) return { allowed: true };
  const reason = closedBecause(policy, instant, timeZone);
  if (reason === undefined) return { allowed: true };
  return { allowed: false, reason, nextAllowed: nextAllowed(policy, instant, timeZone) };
}

/**
 * Why nothing may be sent at `instant`. A day without ranges (Sunday) is
 * 'closed_day' even when it is also a holiday: it would be closed anyway.
 */
function closedBecause(policy: QuietHoursPolicy, instant: Date, timeZone: string): QuietHoursReason | undefined {
  const { date, minutes } = wallClock(instant, timeZone);
  const ranges = rangesOn(policy, date);
  if (ranges.length === 0) return 'closed_day';
  if (isClosedDate(policy, date)) return 'holiday';
  if (!ranges.some((range) => minutesOf(range.from) <= minutes && minutes < minutesOf(range.to))) {
    return 'outside_hours';
  }
  return undefined;
}

function rangesOn(policy: QuietHoursPolicy, date: string): QuietHoursPolicy['allowed'] {
  const day = dayOf(date);
  return policy.allowed.filter((range) => range.days.includes(day));
}

function isClosedDate(policy: QuietHoursPolicy, date: string): boolean {
  if (policy.closed_dates.includes(date)) return true;
  return policy.holidays !== false && publicDates(policy.holidays, Number(date.slice(0, 4))).has(date);
}

/**
 * Sending can only start again where an allowed range starts, on a local
 * date that is open: the earliest such instant after `instant`, checked
 * again at that instant (a start skipped by a change of clock lands later).
 */
function nextAllowed(policy: QuietHoursPolicy, instant: Date, timeZone: string): Date | undefined {
  const after = instant.getTime();
  const limit = after + QUIET_HOURS_HORIZON_DAYS * DAY_MS;
  const today = wallClock(instant, timeZone).date;
  // One day more than the horizon: the local date at `instant` may be a day behind UTC's.
  for (let offset = 0; offset <= QUIET_HOURS_HORIZON_DAYS + 1; offset++) {
    const date = addDays(today, offset);
    if (isClosedDate(policy, date)) continue;
    const starts = rangesOn(policy, date).flatMap((range) => instantsShowing(date, minutesOf(range.from), timeZone));
    const open = starts
      .filter((ms) => ms > after && ms <= limit && closedBecause(policy, new Date(ms), timeZone) === undefined)
      .sort((a, b) => a - b);
    // Later local dates start at later instants: the first date with a start has the answer.
    if (open.length > 0) return new Date(open[0] as number);
  }
  return undefined;
}

/**
 * The instants a wall clock in `timeZone` shows `date` at `minutes`: one,
 * two when clocks go back over it, and for a time skipped when clocks go
 * forward, the minute the clock jumps past it.
 */
function instantsShowing(date: string, minutes: number, timeZone: string): number[] {
  const target = naiveUtc(date, minutes);
  // The offsets in force a day either side: both sides of any change near that time.
  const offsets = new Set([target - DAY_MS, target, target + DAY_MS].map((ms) => offsetAt(ms, timeZone)));
  const candidates = [...offsets].map((offset) => target - offset).sort((a, b) => a - b);
  const exact = candidates.filter((ms) => existsLocally(new Date(ms), date, minutes, timeZone));
  if (exact.length > 0) return exact;
  let low = candidates[0] as number;
  let high = candidates[candidates.length - 1] as number;
  if (wallNaive(low, timeZone) >= target || wallNaive(high, timeZone) < target) return [];
  while (high - low > MINUTE_MS) {
    const middle = low + Math.floor((high - low) / MINUTE_MS / 2) * MINUTE_MS;
    if (wallNaive(middle, timeZone) >= target) high = middle;
    else low = middle;
  }
  return [high];
}

/** The wall clock at `ms` read as if it were UTC, to compare with naiveUtc. */
function wallNaive(ms: number, timeZone: string): number {
  const { date, minutes } = wallClock(new Date(ms), timeZone);
  return naiveUtc(date, minutes);
}

function dayOf(date: string): Day {
  // weekday: 0 is Sunday; DAYS starts on Monday.
  return DAYS[(weekday(date) + 6) % 7] as Day;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
