/** Text for a terminal: aligned tables and local times. */
import { isTimeZone, wallClock } from '@passerelle/core';

/** Columns two spaces apart; figures line up on the right, words on the left (all on the left without a header). */
export function table(header: string[], rows: string[][], options: { header?: boolean } = {}): string {
  const all = options.header === false ? rows : [header, ...rows];
  const widths = header.map((_, column) => Math.max(...all.map((row) => (row[column] ?? '').length)));
  const numeric = header.map((_, column) => rows.every((row) => /^[\d.,%/ -]*$/.test(row[column] ?? '')));
  return all
    .map((row) =>
      row
        .map((cell, column) =>
          numeric[column] && options.header !== false
            ? cell.padStart(widths[column] ?? 0)
            : cell.padEnd(widths[column] ?? 0),
        )
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export const TERMINAL_ZONE = new Intl.DateTimeFormat().resolvedOptions().timeZone;

/** 'YYYY-MM-DD HH:MM' in a zone (default: this terminal's). */
export function localTime(instant: Date, timeZone = TERMINAL_ZONE): string {
  const { date, minutes } = wallClock(instant, isTimeZone(timeZone) ? timeZone : 'UTC');
  return `${date} ${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}
