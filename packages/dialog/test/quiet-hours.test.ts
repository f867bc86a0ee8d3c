/**
 * Quiet hours of campaign broadcasts: allowed or not in the recipient's local
 * time, why not, the next allowed instant across both 2027 changes of clock,
 * public holidays from date-holidays (FR, Alsace-Moselle, DE, US), the
 * defaults, and the campaign file's mistakes in words.
 *
 * Instants are written in UTC on purpose, with the local time they stand for
 * beside them: a test that read them in the machine's zone could not fail.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import {
  type ChannelQuietHours,
  checkQuietHours,
  DEFAULT_QUIET_HOURS,
  type QuietHoursCheck,
  QuietHoursPolicy,
  QuietHoursSettings,
  quietHoursFor,
} from '../src/campaigns/quiet-hours.js';

const PARIS = 'Europe/Paris';
const MON_SAT = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** A policy as a campaign file writes it, read by the schema (closed_dates defaults to []). */
function policy(written: Record<string, unknown>): QuietHoursPolicy {
  return QuietHoursPolicy.parse({ allowed: [{ days: MON_SAT, from: '08:00', to: '20:00' }], ...written });
}

const frenchSms = DEFAULT_QUIET_HOURS.sms;
const noHolidays = policy({ holidays: false });
const alsaceMoselle = policy({ holidays: 'FR-57' });
const germany = policy({ holidays: 'DE' });
const unitedStates = policy({ holidays: 'US' });
const closedSecondOfJanuary = policy({ holidays: 'FR', closed_dates: ['2027-01-02'] });
/** Sunday night only, inside the hour clocks skip in March (02:00 -> 03:00) and repeat in October (03:00 -> 02:00). */
const sundayNight = policy({ allowed: [{ days: ['sun'], from: '02:30', to: '04:00' }], holidays: false });
const mondaysClosedForWeeks = policy({
  allowed: [{ days: ['mon'], from: '08:00', to: '20:00' }],
  holidays: false,
  closed_dates: ['2027-01-18', '2027-01-25'],
});

const allowed: QuietHoursCheck = { allowed: true };
const refused = (reason: 'outside_hours' | 'closed_day' | 'holiday', next: string | undefined): QuietHoursCheck => ({
  allowed: false,
  reason,
  nextAllowed: next === undefined ? undefined : new Date(next),
});

describe('checkQuietHours', () => {
  const rows: Array<{ name: string; policy: ChannelQuietHours; at: string; zone?: string; expected: QuietHoursCheck }> =
    [
      // winter time in Paris, UTC+1
      { name: 'Paris, Tuesday 10:00', policy: frenchSms, at: '2027-01-12T09:00:00Z', expected: allowed },
      { name: 'Paris, Tuesday 08:00 sharp', policy: frenchSms, at: '2027-01-12T07:00:00Z', expected: allowed },
      { name: 'Paris, Tuesday 19:59:59', policy: frenchSms, at: '2027-01-12T18:59:59Z', expected: allowed },
      {
        name: 'Paris, Tuesday 20:00 sharp (to is excluded)',
        policy: frenchSms,
        at: '2027-01-12T19:00:00Z',
        expected: refused('outside_hours', '2027-01-13T07:00:00Z'),
      },
      {
        name: 'Paris, Tuesday 21:30: Wednesday 08:00 CET',
        policy: frenchSms,
        at: '2027-01-12T20:30:00Z',
        expected: refused('outside_hours', '2027-01-13T07:00:00Z'),
      },
      {
        name: 'Paris, Wednesday 07:59: the same day 08:00 CET',
        policy: frenchSms,
        at: '2027-01-13T06:59:00Z',
        expected: refused('outside_hours', '2027-01-13T07:00:00Z'),
      },
      {
        name: 'Paris, Wednesday 07:59:30: 08:00 CET, not a minute later',
        policy: frenchSms,
        at: '2027-01-13T06:59:30Z',
        expected: refused('outside_hours', '2027-01-13T07:00:00Z'),
      },
      // summer time in Paris, UTC+2
      {
        name: 'Paris, Tuesday 21:30 in June: Wednesday 08:00 CEST',
        policy: frenchSms,
        at: '2027-06-15T19:30:00Z',
        expected: refused('outside_hours', '2027-06-16T06:00:00Z'),
      },
      {
        name: 'Paris, Sunday 12:00: Monday 08:00',
        policy: frenchSms,
        at: '2027-01-10T11:00:00Z',
        expected: refused('closed_day', '2027-01-11T07:00:00Z'),
      },
      {
        name: 'Paris, Saturday 2027-05-01 10:00 (Labour Day): Monday 08:00 CEST',
        policy: frenchSms,
        at: '2027-05-01T08:00:00Z',
        expected: refused('holiday', '2027-05-03T06:00:00Z'),
      },
      {
        name: 'Good Friday 2027-03-26 10:00 in FR: a working day',
        policy: frenchSms,
        at: '2027-03-26T09:00:00Z',
        expected: allowed,
      },
      {
        name: 'Good Friday 2027-03-26 10:00 in FR-57 (Alsace-Moselle): Saturday 08:00',
        policy: alsaceMoselle,
        at: '2027-03-26T09:00:00Z',
        expected: refused('holiday', '2027-03-27T07:00:00Z'),
      },
      // spring change: Sunday 2027-03-28, 02:00 CET -> 03:00 CEST
      {
        name: 'Saturday 21:00 CET before the spring change: Monday 08:00 CEST',
        policy: noHolidays,
        at: '2027-03-27T20:00:00Z',
        expected: refused('outside_hours', '2027-03-29T06:00:00Z'),
      },
      {
        name: 'Sunday of the spring change, 10:00 CEST: Monday 08:00 CEST',
        policy: noHolidays,
        at: '2027-03-28T08:00:00Z',
        expected: refused('closed_day', '2027-03-29T06:00:00Z'),
      },
      {
        name: 'Saturday before the spring change, French holidays: Easter Monday closed, Tuesday 08:00 CEST',
        policy: frenchSms,
        at: '2027-03-27T20:00:00Z',
        expected: refused('outside_hours', '2027-03-30T06:00:00Z'),
      },
      // autumn change: Sunday 2027-10-31, 03:00 CEST -> 02:00 CET
      {
        name: 'Saturday 21:00 CEST before the autumn change: Monday 08:00 CET',
        policy: noHolidays,
        at: '2027-10-30T19:00:00Z',
        expected: refused('outside_hours', '2027-11-01T07:00:00Z'),
      },
      {
        name: 'Saturday before the autumn change, French holidays: All Saints closed, Tuesday 08:00 CET',
        policy: frenchSms,
        at: '2027-10-30T19:00:00Z',
        expected: refused('outside_hours', '2027-11-02T07:00:00Z'),
      },
      {
        name: 'opening at 02:30 on the spring change (skipped): the clock jumps to 03:00 CEST',
        policy: sundayNight,
        at: '2027-03-27T23:00:00Z',
        expected: refused('outside_hours', '2027-03-28T01:00:00Z'),
      },
      {
        name: 'opening at 02:30 on the autumn change (twice): the first, 02:30 CEST',
        policy: sundayNight,
        at: '2027-10-30T22:00:00Z',
        expected: refused('outside_hours', '2027-10-31T00:30:00Z'),
      },
      {
        name: 'the second 02:30 of the autumn change (CET) is allowed too',
        policy: sundayNight,
        at: '2027-10-31T01:30:00Z',
        expected: allowed,
      },
      // the recipient's local time, not the sender's
      {
        name: 'Montreal 15:00 while Paris is at 21:00',
        policy: frenchSms,
        at: '2027-01-12T20:00:00Z',
        zone: 'America/Montreal',
        expected: allowed,
      },
      {
        name: 'Paris 21:00 at that same instant',
        policy: frenchSms,
        at: '2027-01-12T20:00:00Z',
        expected: refused('outside_hours', '2027-01-13T07:00:00Z'),
      },
      {
        name: 'Montreal 07:00 while Paris is at 13:00: Montreal 08:00 EST',
        policy: frenchSms,
        at: '2027-01-12T12:00:00Z',
        zone: 'America/Montreal',
        expected: refused('outside_hours', '2027-01-12T13:00:00Z'),
      },
      // Christmas Eve 2027, a Friday
      {
        name: 'Christmas Eve 10:00 in FR: a working day',
        policy: frenchSms,
        at: '2027-12-24T09:00:00Z',
        expected: allowed,
      },
      {
        name: 'Christmas Eve 10:00 in DE: a bank holiday from 14:00, not a public one',
        policy: germany,
        at: '2027-12-24T09:00:00Z',
        zone: 'Europe/Berlin',
        expected: allowed,
      },
      {
        name: 'Christmas Eve 10:00 in New York: Christmas Day observed, then Christmas, Sunday: Monday 08:00 EST',
        policy: unitedStates,
        at: '2027-12-24T15:00:00Z',
        zone: 'America/New_York',
        expected: refused('holiday', '2027-12-27T13:00:00Z'),
      },
      {
        name: 'closed_dates: Saturday 2027-01-02 10:00: Monday 08:00',
        policy: closedSecondOfJanuary,
        at: '2027-01-02T09:00:00Z',
        expected: refused('holiday', '2027-01-04T07:00:00Z'),
      },
      {
        name: 'closed_dates: Saturday 2027-01-09 is open',
        policy: closedSecondOfJanuary,
        at: '2027-01-09T09:00:00Z',
        expected: allowed,
      },
      {
        name: 'nothing open within 14 days: nextAllowed undefined',
        policy: mondaysClosedForWeeks,
        at: '2027-01-12T09:00:00Z',
        expected: refused('closed_day', undefined),
      },
      { name: 'false: Sunday 03:00 is allowed', policy: false, at: '2027-01-10T02:00:00Z', expected: allowed },
      { name: 'false: Labour Day 23:00 is allowed', policy: false, at: '2027-05-01T21:00:00Z', expected: allowed },
    ];

  for (const row of rows) {
    it(row.name, () => {
      assert.deepEqual(checkQuietHours(row.policy, new Date(row.at), row.zone ?? PARIS), row.expected);
    });
  }

  it('nextAllowed is itself allowed, and the minute before it is not', () => {
    for (const row of rows) {
      const result = checkQuietHours(row.policy, new Date(row.at), row.zone ?? PARIS);
      if (result.allowed || result.nextAllowed === undefined) continue;
      const zone = row.zone ?? PARIS;
      assert.deepEqual(checkQuietHours(row.policy, result.nextAllowed, zone), allowed, row.name);
      const before = new Date(result.nextAllowed.getTime() - 60_000);
      assert.equal(checkQuietHours(row.policy, before, zone).allowed, false, row.name);
    }
  });
});

describe('defaults and quietHoursFor', () => {
  it('SMS by default: Monday to Saturday 08:00-20:00, French public holidays closed', () => {
    assert.deepEqual(DEFAULT_QUIET_HOURS.sms, {
      allowed: [{ days: MON_SAT, from: '08:00', to: '20:00' }],
      holidays: 'FR',
      closed_dates: [],
    });
    assert.ok(Object.isFrozen(DEFAULT_QUIET_HOURS.sms), 'the shared default should be frozen');
  });

  it('every other channel: none', () => {
    for (const channel of ['whatsapp', 'telegram', 'teams', 'messenger', 'webchat'] as const) {
      assert.equal(DEFAULT_QUIET_HOURS[channel], false, channel);
      assert.equal(quietHoursFor(undefined, channel), false, channel);
    }
  });

  it('without quiet_hours, SMS gets the default', () => {
    assert.equal(quietHoursFor(undefined, 'sms'), DEFAULT_QUIET_HOURS.sms);
    assert.equal(quietHoursFor(QuietHoursSettings.parse({}), 'sms'), DEFAULT_QUIET_HOURS.sms);
  });

  it("the author's sms: false turns them off", () => {
    const settings = QuietHoursSettings.parse(parse('sms: false'));
    assert.equal(quietHoursFor(settings, 'sms'), false);
    assert.deepEqual(checkQuietHours(quietHoursFor(settings, 'sms'), new Date('2027-01-10T02:00:00Z'), PARIS), allowed);
  });

  it("the author's policy replaces a channel's, and the others keep theirs", () => {
    const settings = QuietHoursSettings.parse(
      parse(`
whatsapp:
  allowed:
    - { days: [mon, tue, wed, thu, fri], from: '09:00', to: '18:00' }
  holidays: false
`),
    );
    assert.deepEqual(quietHoursFor(settings, 'whatsapp'), {
      allowed: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '18:00' }],
      holidays: false,
      closed_dates: [],
    });
    assert.equal(quietHoursFor(settings, 'sms'), DEFAULT_QUIET_HOURS.sms);
    assert.equal(quietHoursFor(settings, 'telegram'), false);
    // Saturday 10:00: allowed by the SMS default, not by this WhatsApp policy.
    const saturday = new Date('2027-01-16T09:00:00Z');
    assert.deepEqual(checkQuietHours(quietHoursFor(settings, 'sms'), saturday, PARIS), allowed);
    assert.deepEqual(
      checkQuietHours(quietHoursFor(settings, 'whatsapp'), saturday, PARIS),
      refused('closed_day', '2027-01-18T08:00:00Z'),
    );
  });
});

describe('quiet_hours as a campaign file writes it', () => {
  it('reads the documented example', () => {
    const settings = QuietHoursSettings.parse(
      parse(`
sms:
  allowed:                 # when commercial messages MAY be sent, in the recipient's local time
    - { days: [mon, tue, wed, thu, fri, sat], from: '08:00', to: '20:00' }
  holidays: FR
  closed_dates: ['2027-01-02']
whatsapp: false
`),
    );
    assert.deepEqual(settings, {
      sms: { allowed: [{ days: MON_SAT, from: '08:00', to: '20:00' }], holidays: 'FR', closed_dates: ['2027-01-02'] },
      whatsapp: false,
    });
  });

  const valid = "{ days: [mon], from: '08:00', to: '20:00' }";
  const rows: Array<{ name: string; yaml: string; path: string; message: string }> = [
    {
      name: 'an unknown day',
      yaml: `sms: { allowed: [{ days: [mon, sunday], from: '08:00', to: '20:00' }], holidays: FR }`,
      path: 'sms.allowed.0.days.1',
      message: '"sunday" is not a day: use mon, tue, wed, thu, fri, sat or sun',
    },
    {
      name: 'an unquoted time that YAML reads as a number',
      yaml: `sms: { allowed: [{ days: [mon], from: 0800, to: '20:00' }], holidays: FR }`,
      path: 'sms.allowed.0.from',
      message: "write a time in quotes, like '09:00'",
    },
    {
      name: 'an unquoted time that YAML 1.1 reads as sexagesimal minutes',
      yaml: `%YAML 1.1\n---\nsms: { allowed: [{ days: [mon], from: 08:00, to: '20:00' }], holidays: FR }`,
      path: 'sms.allowed.0.from',
      message: "write a time in quotes, like '09:00'",
    },
    {
      name: 'from after to',
      yaml: `sms: { allowed: [{ days: [mon], from: '20:00', to: '08:00' }], holidays: FR }`,
      path: 'sms.allowed.0.to',
      message:
        "must be after from (20:00 to 08:00); hours cannot cross midnight: split them in two ranges, one to '24:00' and one from '00:00'",
    },
    {
      name: 'an unknown country',
      yaml: `sms: { allowed: [${valid}], holidays: XX }`,
      path: 'sms.holidays',
      message:
        'unknown country "XX": write a country code in capitals, like FR, a country and a region, like FR-57, or false for no public holidays',
    },
    {
      name: 'a country in lower case',
      yaml: `sms: { allowed: [${valid}], holidays: fr }`,
      path: 'sms.holidays',
      message:
        'unknown country "fr": write a country code in capitals, like FR, a country and a region, like FR-57, or false for no public holidays',
    },
    {
      name: 'an unknown region of a known country',
      yaml: `sms: { allowed: [${valid}], holidays: FR-99 }`,
      path: 'sms.holidays',
      message: 'unknown region "99" of FR: use FR-57, FR-67, FR-68, FR-YT, FR-MQ, FR-GP, FR-GF, FR-RE, FR-MF, FR-BL',
    },
    {
      name: 'holidays left out',
      yaml: `sms: { allowed: [${valid}] }`,
      path: 'sms.holidays',
      message: 'write the country whose public holidays are closed, like FR or FR-57, or false for none',
    },
    {
      name: 'holidays: true',
      yaml: `sms: { allowed: [${valid}], holidays: true }`,
      path: 'sms.holidays',
      message: 'write a country code, like FR or FR-57, or false for no public holidays',
    },
    {
      name: 'no allowed range',
      yaml: 'sms: { allowed: [], holidays: FR }',
      path: 'sms.allowed',
      message: 'list at least one range of allowed hours',
    },
    {
      name: 'a closed date that does not exist',
      yaml: `sms: { allowed: [${valid}], holidays: FR, closed_dates: [2027-02-30] }`,
      path: 'sms.closed_dates.0',
      message: '"2027-02-30" is not a date: write YYYY-MM-DD, like 2026-12-25',
    },
    {
      name: 'a channel set to true',
      yaml: 'sms: true',
      path: 'sms',
      message: 'write the quiet hours (allowed, holidays, closed_dates), or false for none',
    },
    {
      name: 'an unknown channel',
      yaml: 'sms: false\nsignal: false',
      path: '',
      message: 'unknown channel "signal": use sms, whatsapp, telegram, teams, messenger, webchat',
    },
  ];

  for (const row of rows) {
    it(row.name, () => {
      const result = QuietHoursSettings.safeParse(parse(row.yaml));
      assert.equal(result.success, false, 'the settings should be refused');
      assert.deepEqual(
        result.error?.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
        [{ path: row.path, message: row.message }],
      );
    });
  }
});
