/**
 * Whether a team is open, when it opens next, and its hours in words, for
 * the customer. Hours and holidays are wall-clock times in the team's time
 * zone, read from the platform's tz database (Intl) so daylight saving
 * changes are right for every zone and year without an offset table of ours.
 *
 * A local date is a 'YYYY-MM-DD' string; a local time is minutes after midnight.
 */
import { addDays, naiveUtc, offsetAt, wallClock } from '@passerelle/core';
import { DAYS, type Day, type Hours, minutesOf, type Team } from './teams.js';

export type HoursLocale = 'fr' | 'en';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** nextOpening looks this far ahead, no further. */
export const OPENING_HORIZON_DAYS = 14;

/** Is someone there at `at`: a range of `hours` covers the team's wall clock, and the local day is no holiday. */
export function isOpen(team: Team, at: Date): boolean {
  const { date, minutes } = wallClock(at, team.time_zone);
  if (team.holidays.includes(date)) return false;
  const day = dayOf(date);
  return team.hours.some(
    (range) => range.days.includes(day) && minutesOf(range.from) <= minutes && minutes < minutesOf(range.to),
  );
}

/**
 * The next instant the team opens: `at` itself when it is open then,
 * undefined when it does not open within 14 days (holidays included).
 */
export function nextOpening(team: Team, at: Date): Date | undefined {
  if (isOpen(team, at)) return new Date(at.getTime());
  const zone = team.time_zone;
  const from = at.getTime();
  const limit = from + OPENING_HORIZON_DAYS * DAY_MS;
  const today = wallClock(at, zone).date;
  // One day more than the horizon: the zone's date at `at` may be behind `at` + 14 days by a day.
  for (let offset = 0; offset <= OPENING_HORIZON_DAYS + 1; offset++) {
    const date = addDays(today, offset);
    if (team.holidays.includes(date)) continue;
    const day = dayOf(date);
    let best: number | undefined;
    for (const range of team.hours) {
      if (!range.days.includes(day)) continue;
      const opens = firstInstantAt(date, minutesOf(range.from), zone, from);
      if (opens === undefined || opens > limit || !isOpen(team, new Date(opens))) continue;
      if (best === undefined || opens < best) best = opens;
    }
    // Later local dates open at later instants: the first date with an opening has the answer.
    if (best !== undefined) return new Date(best);
  }
  return undefined;
}

// ---- in words ----

const DAY_NAMES: Record<HoursLocale, Record<Day, string>> = {
  fr: { mon: 'lundi', tue: 'mardi', wed: 'mercredi', thu: 'jeudi', fri: 'vendredi', sat: 'samedi', sun: 'dimanche' },
  en: {
    mon: 'Monday',
    tue: 'Tuesday',
    wed: 'Wednesday',
    thu: 'Thursday',
    fri: 'Friday',
    sat: 'Saturday',
    sun: 'Sunday',
  },
};

const MONTH_NAMES: Record<HoursLocale, readonly string[]> = {
  fr: [
    'janvier',
    'février',
    'mars',
    'avril',
    'mai',
    'juin',
    'juillet',
    'août',
    'septembre',
    'octobre',
    'novembre',
    'décembre',
  ],
  en: [
    'January',
    'February',
    'March',
    'April',
    'May',
    'June',
    'July',
    'August',
    'September',
    'October',
    'November',
    'December',
  ],
};

/**
 * The weekly hours for the customer: "du lundi au samedi, de 9 h à 19 h" /
 * "Monday to Saturday, 9am to 7pm". Ranges on the same days are put
 * together ("de 9 h à 12 h et de 14 h à 18 h"); different days are joined
 * with a semicolon. Holidays are not listed.
 */
export function describeHours(team: Team, locale: HoursLocale): string {
  const groups = new Map<string, { days: Day[]; ranges: Hours[] }>();
  for (const range of team.hours) {
    const days = DAYS.filter((day) => range.days.includes(day));
    const key = days.join(',');
    const group = groups.get(key) ?? { days, ranges: [] };
    group.ranges.push(range);
    groups.set(key, group);
  }
  const parts = [...groups.values()].map(({ days, ranges }) => {
    const sorted = [...ranges].sort(
      (a, b) => minutesOf(a.from) - minutesOf(b.from) || minutesOf(a.to) - minutesOf(b.to),
    );
    const times = joinWords(
      sorted.map((range) => rangeInWords(minutesOf(range.from), minutesOf(range.to), locale)),
      locale,
    );
    return `${daysInWords(days, locale)}, ${times}`;
  });
  return parts.join(locale === 'fr' ? ' ; ' : '; ');
}

/** When the team reopens, in its own time zone: "lundi 30 novembre à 9 h" / "Monday 30 November at 9am". */
export function formatReopening(date: Date, team: Team, locale: HoursLocale): string {
  const { date: local, minutes } = wallClock(date, team.time_zone);
  const [, month, day] = local.split('-').map(Number) as [number, number, number];
  const weekday = DAY_NAMES[locale][dayOf(local)];
  const monthName = MONTH_NAMES[locale][month - 1];
  if (locale === 'fr') return `${weekday} ${day === 1 ? '1er' : day} ${monthName} à ${timeInWords(minutes, locale)}`;
  return `${weekday} ${day} ${monthName} at ${timeInWords(minutes, locale)}`;
}

/** "du lundi au samedi", "le samedi et le dimanche", "tous les jours" (fr); "Monday to Saturday", ... (en). */
function daysInWords(days: readonly Day[], locale: HoursLocale): string {
  if (days.length === DAYS.length) return locale === 'fr' ? 'tous les jours' : 'every day';
  // Start after a closed day, so that a week-end run (sat, sun, mon) stays in one piece.
  const index = (day: Day) => DAYS.indexOf(day);
  const start = days.find((day) => !days.includes(DAYS[(index(day) + 6) % 7] as Day)) ?? days[0];
  const ordered: Day[] = [];
  for (let step = 0; step < 7; step++) {
    const day = DAYS[(index(start as Day) + step) % 7] as Day;
    if (days.includes(day)) ordered.push(day);
  }
  const runs: Day[][] = [];
  for (const day of ordered) {
    const run = runs.at(-1);
    const last = run?.at(-1);
    if (run && last !== undefined && (index(last) + 1) % 7 === index(day)) run.push(day);
    else runs.push([day]);
  }
  const names = DAY_NAMES[locale];
  const words = runs.flatMap((run) => {
    const first = run[0] as Day;
    const last = run.at(-1) as Day;
    if (run.length >= 3) {
      return [locale === 'fr' ? `du ${names[first]} au ${names[last]}` : `${names[first]} to ${names[last]}`];
    }
    return run.map((day) => (locale === 'fr' ? `le ${names[day]}` : names[day]));
  });
  return joinWords(words, locale);
}

function rangeInWords(from: number, to: number, locale: HoursLocale): string {
  if (from === 0 && to === 24 * 60) return locale === 'fr' ? '24 h sur 24' : 'around the clock';
  if (locale === 'fr') return `de ${timeInWords(from, locale)} à ${timeInWords(to, locale)}`;
  return `${timeInWords(from, locale)} to ${timeInWords(to, locale)}`;
}

/** fr: "9 h", "9 h 30", "minuit"; en: "9am", "9:30am", "noon", "midnight". */
function timeInWords(minutes: number, locale: HoursLocale): string {
  if (minutes === 0 || minutes === 24 * 60) return locale === 'fr' ? 'minuit' : 'midnight';
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (locale === 'fr') return rest === 0 ? `${hours} h` : `${hours} h ${String(rest).padStart(2, '0')}`;
  if (minutes === 12 * 60) return 'noon';
  const shown = hours % 12 === 0 ? 12 : hours % 12;
  return `${shown}${rest === 0 ? '' : `:${String(rest).padStart(2, '0')}`}${hours < 12 ? 'am' : 'pm'}`;
}

function joinWords(words: readonly string[], locale: HoursLocale): string {
  if (words.length <= 1) return words[0] ?? '';
  return `${words.slice(0, -1).join(', ')} ${locale === 'fr' ? 'et' : 'and'} ${words.at(-1)}`;
}

// ---- wall-clock time in a zone (Intl) ----

/** What the zone's wall clock shows at `ms`, as a naive UTC number (comparable with naiveUtc). */
function wallNaive(ms: number, timeZone: string): number {
  const { date, minutes } = wallClock(new Date(ms), timeZone);
  return naiveUtc(date, minutes);
}

function dayOf(date: string): Day {
  // getUTCDay: 0 is Sunday; DAYS starts on Monday.
  return DAYS[(new Date(naiveUtc(date, 0)).getUTCDay() + 6) % 7] as Day;
}

/**
 * The first instant after `after` at which the zone's wall clock reaches this
 * local date and time. Twice the same wall time (autumn, clocks go back): the
 * first one still to come. A wall time skipped in spring (02:30 when clocks
 * jump from 02:00 to 03:00): the instant of the jump, when the clock passes it.
 */
function firstInstantAt(date: string, minutes: number, timeZone: string, after: number): number | undefined {
  const target = naiveUtc(date, minutes);
  // The offsets in force a day before and a day after: both sides of any change near that time.
  const offsets = new Set([target - DAY_MS, target, target + DAY_MS].map((ms) => offsetAt(ms, timeZone)));
  const exact = [...offsets]
    .map((offset) => target - offset)
    .filter((ms) => ms > after && wallNaive(ms, timeZone) === target)
    .sort((a, b) => a - b);
  if (exact.length > 0) return exact[0];
  // Skipped: search the minute the clock first shows a later time, between the two readings.
  const candidates = [...offsets].map((offset) => target - offset);
  let low = Math.min(...candidates);
  let high = Math.max(...candidates);
  if (wallNaive(low, timeZone) >= target || wallNaive(high, timeZone) < target) return undefined;
  while (high - low > MINUTE_MS) {
    const middle = low + Math.floor((high - low) / MINUTE_MS / 2) * MINUTE_MS;
    if (wallNaive(middle, timeZone) >= target) high = middle;
    else low = middle;
  }
  return high > after ? high : undefined;
}
