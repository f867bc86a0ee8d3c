/**
 * teams.yaml, in the bot folder: who answers when the bot hands a
 * conversation over to a person, and when (opening hours in the team's own
 * time zone, holidays), so the bot can tell the customer whether someone is
 * there, their place in the queue and how long it should take.
 *
 *   teams:
 *     support:
 *       name: { fr: Service client, en: Customer service }
 *       time_zone: Europe/Paris
 *       hours:
 *         - { days: [mon, tue, wed, thu, fri, sat], from: '09:00', to: '19:00' }
 *       holidays: ['2026-12-25', '2027-01-01']
 *       offline_after: 5m
 *       average_handling: 4m
 *   default_team: support
 *
 * The file is optional. Without it the bot is "always open" with a single
 * team, `support` (ALWAYS_OPEN below): a handoff always goes to the queue,
 * whatever the day and the hour, as before teams.yaml existed.
 */

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Duration, isTimeZone } from '@passerelle/core';
import { z } from 'zod';
import { Text } from '../bot-folder/schemas.js';
import { type Problem, YamlSource } from '../bot-folder/yaml-source.js';
import { zodProblems } from '../bot-folder/zod-problems.js';

export const TEAMS_FILE = 'teams.yaml';

/** Days as written in teams.yaml, Monday first. */
export const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Day = (typeof DAYS)[number];

const ID = /^[a-z0-9][a-z0-9_-]*$/;
const TIME = /^(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** 'HH:MM' -> minutes after midnight ('24:00' is 1440, the end of the day). */
export function minutesOf(time: string): number {
  const [hours, minutes] = time.split(':').map(Number) as [number, number];
  return hours * 60 + minutes;
}

/** True for a name the platform's tz database knows (Europe/Paris, America/New_York, UTC). */
export { isTimeZone };

function isRealDate(text: string): boolean {
  const match = DATE.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** Unquoted, some YAML readers turn 09:00 into a number: the hint says to quote it. */
const Time = z
  .string({ error: (issue) => (issue.input === undefined ? undefined : "write a time in quotes, like '09:00'") })
  .regex(TIME, "a time is 'HH:MM', from '00:00' to '24:00', like '09:00'");

const LocalDate = z
  .string({ error: (issue) => (issue.input === undefined ? undefined : "write a date in quotes, like '2026-12-25'") })
  .refine(isRealDate, {
    error: (issue) => `"${String(issue.input)}" is not a date: write YYYY-MM-DD, like 2026-12-25`,
  });

const DayName = z.enum(DAYS, {
  error: (issue) => `"${String(issue.input)}" is not a day: use mon, tue, wed, thu, fri, sat or sun`,
});

/** One range of opening hours, the same on each of its days; `to` is excluded ('24:00': until midnight). */
const Hours = z
  .object({
    days: z.array(DayName).min(1, 'list at least one day'),
    from: Time,
    to: Time,
  })
  .strict()
  .superRefine((range, ctx) => {
    if (!TIME.test(range.from) || !TIME.test(range.to)) return;
    if (minutesOf(range.from) >= minutesOf(range.to)) {
      ctx.addIssue({
        code: 'custom',
        path: ['to'],
        message:
          `must be after from (${range.from} to ${range.to}); hours cannot cross midnight: ` +
          `split them in two ranges, one to '24:00' and one from '00:00'`,
      });
    }
  });
export type Hours = z.infer<typeof Hours>;

export const Team = z
  .object({
    /** Named to the customer ("le service client"). */
    name: Text,
    /** The zone of `hours` and `holidays`, an IANA name (Europe/Paris). */
    time_zone: z.string().refine(isTimeZone, {
      error: (issue) => `unknown time zone "${String(issue.input)}": use an IANA name, like Europe/Paris`,
    }),
    /** When operators answer; several ranges add up. */
    hours: z.array(Hours).min(1, 'list at least one range of hours'),
    /** Closed all day (a whole local day in time_zone), whatever `hours` say. */
    holidays: z.array(LocalDate).default([]),
    /** Nobody took the conversation by then: the bot offers to leave a message. */
    offline_after: Duration.default(5 * 60_000),
    /** How long an operator spends on one conversation, on average: for the customer's estimate. */
    average_handling: Duration.default(4 * 60_000),
  })
  .strict();
export type Team = z.infer<typeof Team>;

export const TeamsFile = z
  .object({
    teams: z.record(z.string(), Team).refine((teams) => Object.keys(teams).length > 0, 'list at least one team'),
    /** The team a handoff goes to when the flow names none; may be left out when there is one team. */
    default_team: z.string().min(1).optional(),
  })
  .strict()
  .superRefine((file, ctx) => {
    const ids = Object.keys(file.teams ?? {});
    if (ids.length === 0) return;
    // Checked here rather than by the record's key schema, so the teams themselves are checked too.
    for (const id of ids.filter((id) => !ID.test(id))) {
      ctx.addIssue({
        code: 'custom',
        path: ['teams', id],
        message: `team id "${id}": use lower-case letters, digits, - and _`,
        params: { teamId: id },
      });
    }
    if (file.default_team === undefined) {
      if (ids.length > 1) {
        ctx.addIssue({
          code: 'custom',
          path: ['teams'],
          message: `default_team is required when there are several teams (${ids.join(', ')})`,
        });
      }
      return;
    }
    if (!ids.includes(file.default_team)) {
      ctx.addIssue({
        code: 'custom',
        path: ['default_team'],
        message: `unknown team "${file.default_team}" (teams: ${ids.join(', ')})`,
      });
    }
  })
  .transform((file) => ({
    teams: file.teams,
    default_team: file.default_team ?? (Object.keys(file.teams)[0] as string),
  }));
export type TeamsFile = z.infer<typeof TeamsFile>;

/**
 * The teams of a bot folder without teams.yaml: one team, `support`, open
 * every day around the clock, never on holiday (the time zone does not
 * matter then). Frozen: it is shared by every bot that has no file.
 */
export const ALWAYS_OPEN: TeamsFile = deepFreeze(
  TeamsFile.parse({
    teams: {
      support: {
        name: { fr: 'Service client', en: 'Customer service' },
        time_zone: 'Europe/Paris',
        hours: [{ days: [...DAYS], from: '00:00', to: '24:00' }],
        holidays: [],
        offline_after: '5m',
        average_handling: '4m',
      },
    },
    default_team: 'support',
  }),
);

/** The team called `id`, or the default team without an id; undefined for an unknown id. */
export function teamFor(file: TeamsFile, id?: string): Team | undefined {
  return Object.hasOwn(file.teams, id ?? file.default_team) ? file.teams[id ?? file.default_team] : undefined;
}

/**
 * Reads `<dir>/teams.yaml`. Every problem carries the file and line to fix.
 * No file is not a problem: `teams` is then undefined, and the caller uses
 * ALWAYS_OPEN (the bot is always open, with one team `support`).
 */
export async function loadTeams(dir: string): Promise<{ teams?: TeamsFile; problems: Problem[] }> {
  const file = join(dir, TEAMS_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { teams: undefined, problems: [] };
    return { problems: [{ file, line: 1, column: 1, message: `cannot read it (${(error as Error).message})` }] };
  }
  const parsed = YamlSource.parse(file, text);
  if (!parsed.source) return { problems: parsed.problems };
  const result = TeamsFile.safeParse(parsed.source.data ?? {});
  if (!result.success) {
    // A bad team id is pinned to the id itself, not to the team's first field below it.
    const source = parsed.source;
    const teamId = (issue: z.core.$ZodIssue) =>
      issue.code === 'custom' && typeof issue.params?.teamId === 'string' ? issue.params.teamId : undefined;
    const idProblems = result.error.issues.flatMap((issue) => {
      const id = teamId(issue);
      return id === undefined ? [] : [source.problem(['teams'], `teams: ${issue.message}`, id)];
    });
    const others = new z.ZodError(result.error.issues.filter((issue) => teamId(issue) === undefined));
    const problems = [...zodProblems(source, [], others), ...idProblems];
    return { problems: problems.sort((a, b) => a.line - b.line || a.column - b.column) };
  }
  return { teams: result.data, problems: [] };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
