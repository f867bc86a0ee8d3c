/**
 * Wall-clock time in a named time zone, from the platform's own tz database
 * (Intl), so daylight saving changes are right for every zone and every year
 * without an offset table of ours. Node 20 has no Temporal; this is the
 * small part of it the slot computation needs.
 *
 * A local date is a 'YYYY-MM-DD' string; a local time is minutes after midnight.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, format);
  }
  return format;
}

export function isTimeZone(name: string): boolean {
  try {
    formatter(name);
    return true;
  } catch {
    return false;
  }
}

/** The date and time a wall clock in `timeZone` shows at `instant`. */
export function wallClock(instant: Date, timeZone: string): { date: string; minutes: number } {
  const part: Record<string, string> = {};
  for (const { type, value } of formatter(timeZone).formatToParts(instant)) part[type] = value;
  return {
    date: `${part.year}-${part.month}-${part.day}`,
    minutes: Number(part.hour) * 60 + Number(part.minute),
  };
}

/** How far the zone's wall clock is ahead of UTC at `ms`, in milliseconds. */
export function offsetAt(ms: number, timeZone: string): number {
  const whole = ms - (((ms % 60_000) + 60_000) % 60_000);
  const { date, minutes } = wallClock(new Date(whole), timeZone);
  return naiveUtc(date, minutes) - whole;
}

/** The instant whose UTC reading is this date and time: the starting guess for a zone. */
export function naiveUtc(date: string, minutes: number): number {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return Date.UTC(year, month - 1, day) + minutes * 60_000;
}

/**
 * The instant a wall clock in `timeZone` shows this date and time. Two passes
 * because the offset at the guess may differ from the offset at the answer
 * near a change. A time skipped by a spring-forward change has no instant;
 * this returns one nearby, which `existsLocally` tells apart.
 */
export function localToInstant(date: string, minutes: number, timeZone: string): Date {
  const naive = naiveUtc(date, minutes);
  const guess = naive - offsetAt(naive, timeZone);
  return new Date(naive - offsetAt(guess, timeZone));
}

/** False for a wall time inside a spring-forward gap (02:30 on the last Sunday of March in Paris). */
export function existsLocally(instant: Date, date: string, minutes: number, timeZone: string): boolean {
  const shown = wallClock(instant, timeZone);
  return shown.date === date && shown.minutes === minutes;
}

export function addDays(date: string, days: number): string {
  return new Date(naiveUtc(date, 0) + days * 86_400_000).toISOString().slice(0, 10);
}

/** 0 = Sunday ... 6 = Saturday, as Date.getDay. */
export function weekday(date: string): number {
  return new Date(naiveUtc(date, 0)).getUTCDay();
}
