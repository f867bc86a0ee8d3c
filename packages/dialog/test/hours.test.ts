/**
 * Hybrid mode's clock: is a team open (hours in its own time zone, holidays,
 * both daylight saving changes), when does it open next, the hours and the
 * wait said to the customer, and teams.yaml mistakes pinned to file:line.
 *
 * Instants are written in UTC on purpose, with the local time they stand for
 * beside them: a test that read them in the machine's zone could not fail.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { describeWait, waitEstimate } from '../src/hybrid/estimate.js';
import { describeHours, formatReopening, isOpen, nextOpening } from '../src/hybrid/hours.js';
import { ALWAYS_OPEN, loadTeams, type Team, TeamsFile, teamFor } from '../src/hybrid/teams.js';
import { DEMO_DIR, lineOf } from './support/bot-folder-fixture.js';

const loaded = await loadTeams(DEMO_DIR);
const demoTeam = loaded.teams?.teams.support;

/** A team from what a bot author would write (durations and defaults as teams.yaml reads them). */
function team(hours: Array<{ days: string[]; from: string; to: string }>, extra: Record<string, unknown> = {}): Team {
  const file = TeamsFile.parse({ teams: { t: { name: 'T', time_zone: 'Europe/Paris', hours, ...extra } } });
  return file.teams.t as Team;
}

const WEEK = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
/** The demo's hours without holidays: Mondays after a change of clock are holidays in the demo. */
const noHolidays = team([{ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat'], from: '09:00', to: '19:00' }]);
const allDayButChristmas = team([{ days: WEEK, from: '00:00', to: '24:00' }], { holidays: ['2026-12-25'] });
const fridayNight = team([{ days: ['fri'], from: '18:00', to: '24:00' }]);
const newYork = team([{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00' }], {
  time_zone: 'America/New_York',
});
/** Opens inside the hour that clocks skip in March (02:00 -> 03:00) and repeat in October (03:00 -> 02:00). */
const sundayNight = team([{ days: ['sun'], from: '02:30', to: '04:00' }]);
const mondaysOnly = (holidays: string[]) =>
  team([{ days: ['mon'], from: '09:00', to: '12:00' }], { holidays, time_zone: 'Europe/Paris' });

function demo(): Team {
  assert.ok(demoTeam, `bots/demo/teams.yaml should load with a support team: ${JSON.stringify(loaded.problems)}`);
  return demoTeam;
}

describe('bots/demo/teams.yaml', () => {
  it('loads without problems, as written', () => {
    assert.deepEqual(loaded.problems, []);
    assert.equal(loaded.teams?.default_team, 'support');
    assert.deepEqual(Object.keys(loaded.teams?.teams ?? {}), ['support']);
    const support = demo();
    assert.deepEqual(support.name, { fr: 'Service client', en: 'Customer service' });
    assert.equal(support.time_zone, 'Europe/Paris');
    assert.deepEqual(support.hours, [{ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat'], from: '09:00', to: '19:00' }]);
    assert.equal(support.offline_after, 5 * 60_000);
    assert.equal(support.average_handling, 4 * 60_000);
  });

  it('has the same holidays as seed.yaml closed:', async () => {
    const seed = parse(await readFile(join(DEMO_DIR, 'seed.yaml'), 'utf8')) as { closed: string[] };
    assert.equal(seed.closed.length, 12);
    assert.deepEqual(demo().holidays, seed.closed);
  });
});

describe('isOpen', () => {
  const rows: Array<{ name: string; team: () => Team; at: string; open: boolean }> = [
    // winter time, UTC+1
    { name: 'demo, Tuesday 08:59 (winter)', team: demo, at: '2027-01-12T07:59:00Z', open: false },
    { name: 'demo, Tuesday 09:00 (winter)', team: demo, at: '2027-01-12T08:00:00Z', open: true },
    { name: 'demo, Tuesday 18:59:59 (winter)', team: demo, at: '2027-01-12T17:59:59Z', open: true },
    { name: 'demo, Tuesday 19:00 (winter)', team: demo, at: '2027-01-12T18:00:00Z', open: false },
    { name: 'demo, Sunday 12:00', team: demo, at: '2027-01-10T11:00:00Z', open: false },
    // spring change: Sunday 2027-03-28, 02:00 CET -> 03:00 CEST
    { name: 'demo, Saturday 18:59 before the spring change', team: demo, at: '2027-03-27T17:59:00Z', open: true },
    { name: 'demo, Saturday 19:00 before the spring change', team: demo, at: '2027-03-27T18:00:00Z', open: false },
    { name: 'demo, Sunday of the spring change', team: demo, at: '2027-03-28T10:00:00Z', open: false },
    { name: 'demo, Easter Monday 10:00 (holiday)', team: demo, at: '2027-03-29T08:00:00Z', open: false },
    { name: 'demo, Tuesday 08:59 CEST', team: demo, at: '2027-03-30T06:59:00Z', open: false },
    { name: 'demo, Tuesday 09:00 CEST', team: demo, at: '2027-03-30T07:00:00Z', open: true },
    { name: 'no holidays, Monday 08:59 CEST', team: () => noHolidays, at: '2027-03-29T06:59:00Z', open: false },
    { name: 'no holidays, Monday 09:00 CEST', team: () => noHolidays, at: '2027-03-29T07:00:00Z', open: true },
    { name: 'no holidays, Monday 18:59 CEST', team: () => noHolidays, at: '2027-03-29T16:59:00Z', open: true },
    { name: 'no holidays, Monday 19:00 CEST', team: () => noHolidays, at: '2027-03-29T17:00:00Z', open: false },
    // autumn change: Sunday 2027-10-31, 03:00 CEST -> 02:00 CET
    { name: 'demo, Saturday 18:59 before the autumn change', team: demo, at: '2027-10-30T16:59:00Z', open: true },
    { name: 'demo, Saturday 19:00 before the autumn change', team: demo, at: '2027-10-30T17:00:00Z', open: false },
    { name: 'demo, Toussaint Monday 10:00 (holiday)', team: demo, at: '2027-11-01T09:00:00Z', open: false },
    { name: 'no holidays, Monday 08:59 CET', team: () => noHolidays, at: '2027-11-01T07:59:00Z', open: false },
    { name: 'no holidays, Monday 09:00 CET', team: () => noHolidays, at: '2027-11-01T08:00:00Z', open: true },
    { name: 'no holidays, Monday 18:59 CET', team: () => noHolidays, at: '2027-11-01T17:59:00Z', open: true },
    { name: 'no holidays, Monday 19:00 CET', team: () => noHolidays, at: '2027-11-01T18:00:00Z', open: false },
    { name: 'demo, Tuesday 09:00 CET', team: demo, at: '2027-11-02T08:00:00Z', open: true },
    // holidays are whole local days
    { name: 'demo, Christmas Friday 10:00', team: demo, at: '2026-12-25T09:00:00Z', open: false },
    { name: 'demo, Christmas Eve 10:00', team: demo, at: '2026-12-24T09:00:00Z', open: true },
    { name: 'all day, 24th 23:59 local', team: () => allDayButChristmas, at: '2026-12-24T22:59:00Z', open: true },
    {
      name: 'all day, 25th 00:00 local (UTC 24th)',
      team: () => allDayButChristmas,
      at: '2026-12-24T23:00:00Z',
      open: false,
    },
    { name: 'all day, 25th 23:59 local', team: () => allDayButChristmas, at: '2026-12-25T22:59:00Z', open: false },
    {
      name: 'all day, 26th 00:00 local (UTC 25th)',
      team: () => allDayButChristmas,
      at: '2026-12-25T23:00:00Z',
      open: true,
    },
    // a range ending at 24:00
    { name: 'Friday 17:59', team: () => fridayNight, at: '2027-01-08T16:59:00Z', open: false },
    { name: 'Friday 18:00', team: () => fridayNight, at: '2027-01-08T17:00:00Z', open: true },
    { name: 'Friday 23:59:59', team: () => fridayNight, at: '2027-01-08T22:59:59Z', open: true },
    { name: 'Saturday 00:00', team: () => fridayNight, at: '2027-01-08T23:00:00Z', open: false },
    // another zone, whose clocks change on another day (2027-03-14)
    { name: 'New York, Monday 08:59 EDT', team: () => newYork, at: '2027-03-15T12:59:00Z', open: false },
    { name: 'New York, Monday 09:00 EDT', team: () => newYork, at: '2027-03-15T13:00:00Z', open: true },
    { name: 'New York, Monday 16:59 EDT', team: () => newYork, at: '2027-03-15T20:59:00Z', open: true },
    { name: 'New York, Monday 17:00 EDT', team: () => newYork, at: '2027-03-15T21:00:00Z', open: false },
    // ALWAYS_OPEN (no teams.yaml)
    { name: 'always open, Sunday 03:00', team: () => alwaysOpen(), at: '2027-03-28T01:00:00Z', open: true },
    { name: 'always open, Christmas midnight', team: () => alwaysOpen(), at: '2026-12-24T23:00:00Z', open: true },
  ];
  for (const row of rows) {
    it(`${row.name}: ${row.open ? 'open' : 'closed'}`, () => {
      assert.equal(isOpen(row.team(), new Date(row.at)), row.open);
    });
  }
});

function alwaysOpen(): Team {
  const support = teamFor(ALWAYS_OPEN);
  assert.ok(support, 'ALWAYS_OPEN should have a default team');
  return support;
}

describe('nextOpening', () => {
  const rows: Array<{ name: string; team: () => Team; at: string; opens: string | undefined }> = [
    { name: 'before opening, same day', team: demo, at: '2027-01-12T07:00:00Z', opens: '2027-01-12T08:00:00Z' },
    { name: 'open now: now', team: demo, at: '2027-01-12T10:17:00Z', opens: '2027-01-12T10:17:00Z' },
    { name: 'Saturday evening: Monday 09:00', team: demo, at: '2027-01-09T18:30:00Z', opens: '2027-01-11T08:00:00Z' },
    { name: 'Sunday: Monday 09:00', team: demo, at: '2027-01-10T11:00:00Z', opens: '2027-01-11T08:00:00Z' },
    {
      name: 'Saturday evening before the spring change, Easter Monday: Tuesday 09:00 CEST',
      team: demo,
      at: '2027-03-27T19:00:00Z',
      opens: '2027-03-30T07:00:00Z',
    },
    {
      name: 'no holidays, Saturday evening before the spring change: Monday 09:00 CEST',
      team: () => noHolidays,
      at: '2027-03-27T19:00:00Z',
      opens: '2027-03-29T07:00:00Z',
    },
    {
      name: 'Saturday evening before the autumn change, Toussaint: Tuesday 09:00 CET',
      team: demo,
      at: '2027-10-30T17:00:00Z',
      opens: '2027-11-02T08:00:00Z',
    },
    {
      name: 'no holidays, Saturday evening before the autumn change: Monday 09:00 CET',
      team: () => noHolidays,
      at: '2027-10-30T17:00:00Z',
      opens: '2027-11-01T08:00:00Z',
    },
    { name: 'Christmas Eve evening: the 26th', team: demo, at: '2026-12-24T18:30:00Z', opens: '2026-12-26T08:00:00Z' },
    { name: 'on Christmas morning: the 26th', team: demo, at: '2026-12-25T08:30:00Z', opens: '2026-12-26T08:00:00Z' },
    {
      name: 'all day but Christmas, on Christmas: 00:00 on the 26th',
      team: () => allDayButChristmas,
      at: '2026-12-25T12:00:00Z',
      opens: '2026-12-25T23:00:00Z',
    },
    {
      name: 'a skipped opening time (02:30 in the spring gap): when clocks jump to 03:00',
      team: () => sundayNight,
      at: '2027-03-27T23:00:00Z',
      opens: '2027-03-28T01:00:00Z',
    },
    {
      name: 'a repeated opening time (02:30 twice in autumn): the first one',
      team: () => sundayNight,
      at: '2027-10-30T22:00:00Z',
      opens: '2027-10-31T00:30:00Z',
    },
    {
      name: 'Mondays only, first Monday a holiday: the second, 10 days ahead',
      team: () => mondaysOnly(['2027-01-04']),
      at: '2027-01-01T12:00:00Z',
      opens: '2027-01-11T08:00:00Z',
    },
    {
      name: 'Mondays only, two Mondays holidays: the third is 17 days ahead, beyond 14',
      team: () => mondaysOnly(['2027-01-04', '2027-01-11']),
      at: '2027-01-01T12:00:00Z',
      opens: undefined,
    },
    {
      name: 'Mondays only, on a holiday Monday at 09:00: exactly 14 days ahead is still in',
      team: () => mondaysOnly(['2027-01-04', '2027-01-11']),
      at: '2027-01-04T08:00:00Z',
      opens: '2027-01-18T08:00:00Z',
    },
    {
      name: 'Mondays only, on a holiday Monday at 08:59: 14 days and a minute ahead is out',
      team: () => mondaysOnly(['2027-01-04', '2027-01-11']),
      at: '2027-01-04T07:59:00Z',
      opens: undefined,
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const opens = nextOpening(row.team(), new Date(row.at));
      assert.equal(opens?.toISOString(), row.opens === undefined ? undefined : new Date(row.opens).toISOString());
      if (opens) {
        assert.ok(isOpen(row.team(), opens), `the team should be open at ${opens.toISOString()}`);
        if (opens.getTime() > new Date(row.at).getTime()) {
          const before = new Date(opens.getTime() - 60_000);
          assert.ok(!isOpen(row.team(), before), `the team should still be closed at ${before.toISOString()}`);
        }
      }
    });
  }
});

describe('describeHours', () => {
  const rows: Array<{ name: string; team: () => Team; fr: string; en: string }> = [
    { name: 'demo', team: demo, fr: 'du lundi au samedi, de 9 h à 19 h', en: 'Monday to Saturday, 9am to 7pm' },
    {
      name: 'split days and a Saturday morning',
      team: () =>
        team([
          { days: ['sat'], from: '10:00', to: '13:00' },
          { days: ['fri', 'thu', 'wed', 'tue', 'mon'], from: '14:00', to: '18:00' },
          { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '12:30' },
        ]),
      fr: 'le samedi, de 10 h à 13 h ; du lundi au vendredi, de 9 h à 12 h 30 et de 14 h à 18 h',
      en: 'Saturday, 10am to 1pm; Monday to Friday, 9am to 12:30pm and 2pm to 6pm',
    },
    {
      name: 'a range ending at midnight',
      team: () => fridayNight,
      fr: 'le vendredi, de 18 h à minuit',
      en: 'Friday, 6pm to midnight',
    },
    {
      name: 'days apart',
      team: () => team([{ days: ['fri', 'mon', 'wed'], from: '08:15', to: '12:00' }]),
      fr: 'le lundi, le mercredi et le vendredi, de 8 h 15 à 12 h',
      en: 'Monday, Wednesday and Friday, 8:15am to noon',
    },
    {
      name: 'the weekend',
      team: () => team([{ days: ['sat', 'sun'], from: '00:00', to: '12:00' }]),
      fr: 'le samedi et le dimanche, de minuit à 12 h',
      en: 'Saturday and Sunday, midnight to noon',
    },
    {
      name: 'a run across Sunday',
      team: () => team([{ days: ['mon', 'sat', 'sun', 'tue'], from: '12:30', to: '20:45' }]),
      fr: 'du samedi au mardi, de 12 h 30 à 20 h 45',
      en: 'Saturday to Tuesday, 12:30pm to 8:45pm',
    },
    {
      name: 'always open',
      team: () => alwaysOpen(),
      fr: 'tous les jours, 24 h sur 24',
      en: 'every day, around the clock',
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      assert.equal(describeHours(row.team(), 'fr'), row.fr);
      assert.equal(describeHours(row.team(), 'en'), row.en);
    });
  }
});

describe('formatReopening', () => {
  const rows: Array<{ at: string; team: () => Team; fr: string; en: string }> = [
    { at: '2026-11-30T08:00:00Z', team: demo, fr: 'lundi 30 novembre à 9 h', en: 'Monday 30 November at 9am' },
    { at: '2027-03-01T08:30:00Z', team: demo, fr: 'lundi 1er mars à 9 h 30', en: 'Monday 1 March at 9:30am' },
    { at: '2027-03-30T07:00:00Z', team: demo, fr: 'mardi 30 mars à 9 h', en: 'Tuesday 30 March at 9am' },
    { at: '2027-11-02T08:00:00Z', team: demo, fr: 'mardi 2 novembre à 9 h', en: 'Tuesday 2 November at 9am' },
    { at: '2027-01-08T23:00:00Z', team: demo, fr: 'samedi 9 janvier à minuit', en: 'Saturday 9 January at midnight' },
    {
      at: '2027-03-15T16:00:00Z',
      team: () => newYork,
      fr: 'lundi 15 mars à 12 h',
      en: 'Monday 15 March at noon',
    },
    {
      at: '2027-08-16T17:05:00Z',
      team: demo,
      fr: 'lundi 16 août à 19 h 05',
      en: 'Monday 16 August at 7:05pm',
    },
  ];
  for (const row of rows) {
    it(`${row.at} in ${row.team().time_zone}`, () => {
      assert.equal(formatReopening(new Date(row.at), row.team(), 'fr'), row.fr);
      assert.equal(formatReopening(new Date(row.at), row.team(), 'en'), row.en);
    });
  }
});

describe('waitEstimate and describeWait', () => {
  const M = 60_000;
  const rows: Array<{ position: number; free: number; online: number; average: number; minutes: number }> = [
    { position: 1, free: 1, online: 3, average: 4 * M, minutes: 1 },
    { position: 1, free: 0, online: 1, average: 4 * M, minutes: 4 },
    { position: 1, free: 0, online: 3, average: 4 * M, minutes: 2 },
    { position: 2, free: 0, online: 1, average: 4 * M, minutes: 8 },
    { position: 2, free: 1, online: 1, average: 90_000, minutes: 3 },
    { position: 3, free: 0, online: 2, average: 4 * M, minutes: 6 },
    { position: 5, free: 0, online: 2, average: 270_000, minutes: 12 },
    { position: 2, free: 0, online: 0, average: 4 * M, minutes: 8 },
    { position: 4, free: 0, online: 5, average: 0, minutes: 1 },
  ];
  for (const row of rows) {
    it(`position ${row.position}, ${row.free} free of ${row.online}, ${row.average / 1000}s each: ${row.minutes} min`, () => {
      const estimate = waitEstimate({
        position: row.position,
        operatorsFree: row.free,
        operatorsOnline: row.online,
        averageHandlingMs: row.average,
      });
      assert.deepEqual(estimate, { minutes: row.minutes });
    });
  }

  const sentences: Array<{ position: number; minutes: number; fr: string; en: string }> = [
    {
      position: 2,
      minutes: 4,
      fr: "Vous êtes 2e dans la file d'attente, environ 4 minutes.",
      en: 'You are number 2 in the queue, about 4 minutes.',
    },
    {
      position: 1,
      minutes: 1,
      fr: "Vous êtes 1er dans la file d'attente, environ 1 minute.",
      en: 'You are next in line, about 1 minute.',
    },
    {
      position: 11,
      minutes: 45,
      fr: "Vous êtes 11e dans la file d'attente, environ 45 minutes.",
      en: 'You are number 11 in the queue, about 45 minutes.',
    },
  ];
  for (const row of sentences) {
    it(`says position ${row.position}, ${row.minutes} min`, () => {
      assert.equal(describeWait(row.position, row.minutes, 'fr'), row.fr);
      assert.equal(describeWait(row.position, row.minutes, 'en'), row.en);
    });
  }
});

describe('ALWAYS_OPEN and loadTeams without a file', () => {
  it('a bot folder without teams.yaml has no teams and no problem', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'passerelle-teams-'));
    try {
      const result = await loadTeams(dir);
      assert.deepEqual(result, { teams: undefined, problems: [] });
      assert.ok('teams' in result, 'the result should say teams: undefined');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('ALWAYS_OPEN is one team, support, open around the clock, and frozen', () => {
    assert.equal(ALWAYS_OPEN.default_team, 'support');
    assert.deepEqual(Object.keys(ALWAYS_OPEN.teams), ['support']);
    assert.deepEqual(alwaysOpen().hours, [{ days: WEEK, from: '00:00', to: '24:00' }]);
    assert.deepEqual(alwaysOpen().holidays, []);
    assert.ok(Object.isFrozen(alwaysOpen().hours), 'ALWAYS_OPEN is shared: it should be frozen');
  });

  it('teamFor: the default team, a named one, an unknown one', () => {
    assert.equal(teamFor(ALWAYS_OPEN), ALWAYS_OPEN.teams.support);
    assert.equal(teamFor(ALWAYS_OPEN, 'support'), ALWAYS_OPEN.teams.support);
    assert.equal(teamFor(ALWAYS_OPEN, 'sales'), undefined);
    assert.equal(teamFor(ALWAYS_OPEN, 'toString'), undefined);
  });
});

const VALID = `# who answers
teams:
  support:
    name: { fr: Service client, en: Customer service }
    time_zone: Europe/Paris
    hours:
      - days: [mon, tue, wed, thu, fri]
        from: '09:00'
        to: '19:00'
      - { days: [sat], from: '10:00', to: '13:00' }
    holidays: ['2026-12-25', 2027-01-01]
    offline_after: 5m
    average_handling: 4m
  sales:
    name: Ventes
    time_zone: America/New_York
    hours:
      - { days: [mon], from: '08:00', to: '24:00' }
default_team: support
`;

describe('teams.yaml mistakes, with file and line', () => {
  const rows: Array<{ name: string; find: string; replace: string; marker: string; message: RegExp }> = [
    {
      name: 'a key written twice',
      find: '    time_zone: Europe/Paris\n',
      replace: '    time_zone: Europe/Paris\n    time_zone: Europe/London\n',
      marker: 'time_zone: Europe/London',
      message: /unique|duplicate/i,
    },
    {
      name: 'a bad day name',
      find: 'days: [mon, tue, wed, thu, fri]',
      replace: 'days: [mon, tue, wendesday, thu, fri]',
      marker: 'wendesday',
      message: /^teams\.support\.hours\.0\.days\.2: "wendesday" is not a day: use mon, tue, wed, thu, fri, sat or sun$/,
    },
    {
      name: 'from after to',
      find: "        from: '09:00'\n        to: '19:00'",
      replace: "        from: '19:00'\n        to: '09:00'",
      marker: "to: '09:00'",
      message: /^teams\.support\.hours\.0\.to: must be after from \(19:00 to 09:00\)/,
    },
    {
      name: 'from equal to to',
      find: "{ days: [mon], from: '08:00', to: '24:00' }",
      replace: "{ days: [mon], from: '08:00', to: '08:00' }",
      marker: "from: '08:00', to: '08:00'",
      message: /^teams\.sales\.hours\.0\.to: must be after from/,
    },
    {
      name: 'an hour that does not exist',
      find: "        from: '09:00'",
      replace: "        from: '9h'",
      marker: "from: '9h'",
      message: /^teams\.support\.hours\.0\.from: a time is 'HH:MM'/,
    },
    {
      name: 'a time past midnight',
      find: "to: '24:00'",
      replace: "to: '24:30'",
      marker: "to: '24:30'",
      message: /^teams\.sales\.hours\.0\.to: a time is 'HH:MM', from '00:00' to '24:00'/,
    },
    {
      name: 'an unknown default_team',
      find: 'default_team: support',
      replace: 'default_team: suport',
      marker: 'default_team: suport',
      message: /^default_team: unknown team "suport" \(teams: support, sales\)$/,
    },
    {
      name: 'a bad time zone',
      find: 'time_zone: America/New_York',
      replace: 'time_zone: America/Nueva_York',
      marker: 'America/Nueva_York',
      message: /^teams\.sales\.time_zone: unknown time zone "America\/Nueva_York"/,
    },
    {
      name: 'a date that does not exist',
      find: "'2026-12-25', 2027-01-01",
      replace: "'2026-12-25', 2027-02-30",
      marker: '2027-02-30',
      message: /^teams\.support\.holidays\.1: "2027-02-30" is not a date/,
    },
    {
      name: 'a duration without a unit',
      find: 'offline_after: 5m',
      replace: 'offline_after: 5',
      marker: 'offline_after: 5',
      message: /^teams\.support\.offline_after: /,
    },
    {
      name: 'an unknown field',
      find: '    offline_after: 5m\n',
      replace: '    offline_after: 5m\n    ofline_message: yes\n',
      marker: 'ofline_message',
      message: /^teams\.support: unknown field "ofline_message"$/,
    },
    {
      name: 'a team id with a capital and a space',
      find: '  sales:\n',
      replace: '  Sales team:\n',
      marker: 'Sales team:',
      message: /^teams: team id "Sales team": use lower-case letters, digits, - and _$/,
    },
    {
      name: 'several teams and no default_team',
      find: 'default_team: support\n',
      replace: '',
      marker: '  support:',
      message: /^teams: default_team is required when there are several teams \(support, sales\)$/,
    },
    {
      name: 'no team at all',
      find: VALID.slice(VALID.indexOf('teams:'), VALID.indexOf('default_team')),
      replace: 'teams: {}\n',
      marker: 'teams: {}',
      message: /^teams: list at least one team$/,
    },
  ];

  it('the valid file loads, with both teams', async () => {
    const { teams, problems } = await loadText(VALID);
    assert.deepEqual(problems, []);
    assert.deepEqual(Object.keys(teams?.teams ?? {}), ['support', 'sales']);
    assert.deepEqual(teams?.teams.support?.holidays, ['2026-12-25', '2027-01-01']);
    assert.equal(teams?.teams.sales?.offline_after, 5 * 60_000, 'offline_after defaults to 5m');
    assert.equal(teams?.teams.sales?.average_handling, 4 * 60_000, 'average_handling defaults to 4m');
  });

  it('one team and no default_team: that team', async () => {
    const only = VALID.slice(0, VALID.indexOf('  sales:'));
    const { teams, problems } = await loadText(only);
    assert.deepEqual(problems, []);
    assert.equal(teams?.default_team, 'support');
  });

  for (const row of rows) {
    it(row.name, async () => {
      assert.equal(VALID.split(row.find).length, 2, `${JSON.stringify(row.find)} should occur once in the file`);
      const text = VALID.replace(row.find, () => row.replace);
      const { teams, problems, file } = await loadText(text);
      assert.equal(teams, undefined);
      assert.equal(problems.length, 1, `one problem expected, got ${JSON.stringify(problems)}`);
      const [problem] = problems;
      assert.equal(problem?.file, file);
      assert.equal(problem?.line, lineOf(text, row.marker), `line of ${JSON.stringify(problem)}`);
      assert.match(problem?.message ?? '', row.message);
    });
  }
});

async function loadText(text: string) {
  const dir = await mkdtemp(join(tmpdir(), 'passerelle-teams-'));
  try {
    await writeFile(join(dir, 'teams.yaml'), text);
    return { ...(await loadTeams(dir)), file: join(dir, 'teams.yaml') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
