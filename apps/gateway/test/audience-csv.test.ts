/** Reading a marketer's list of people: what French spreadsheets export, and every row that cannot be used. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type AudienceCsv,
  type AudienceCsvOptions,
  type AudienceRow,
  CsvFormatError,
  readAudienceCsv,
} from '../src/campaigns/audience-csv.js';

const NOW = new Date('2026-11-23T12:00:00Z');
const BOM = '\uFEFF';

interface Case {
  name: string;
  input: string | Buffer;
  options?: Partial<AudienceCsvOptions>;
  /** The rows kept, compared field by field (only the fields given). */
  rows?: Array<Partial<AudienceRow>>;
  refused?: AudienceCsv['refused'];
  rowsRead?: number;
  separator?: AudienceCsv['separator'];
  ignoredColumns?: string[];
  encoding?: AudienceCsv['encoding'];
}

const CASES: Case[] = [
  {
    name: 'commas, English headers, numbers written every French way',
    input: [
      'phone,name,email,locale',
      '06 12 34 56 01,Zoé Martin,zoe@example.fr,fr',
      '+33 6 12 34 56 02,John Smith,,en',
      '0033612345603,,,',
      '612345604,,,', // Excel dropped the leading 0
      '06.12.34.56.05,,,',
      '+32 470 12 34 56,,,', // a Belgian number keeps its country
    ].join('\n'),
    separator: ',',
    rowsRead: 6,
    rows: [
      {
        line: 2,
        userId: '+33612345601',
        phone: '+33612345601',
        name: 'Zoé Martin',
        email: 'zoe@example.fr',
        locale: 'fr',
      },
      { line: 3, userId: '+33612345602', name: 'John Smith', locale: 'en' },
      { line: 4, userId: '+33612345603', name: undefined, locale: undefined },
      { line: 5, userId: '+33612345604' },
      { line: 6, userId: '+33612345605' },
      { line: 7, userId: '+32470123456' },
    ],
    refused: [],
  },
  {
    name: 'semicolons and a BOM, French headers with capitals and accents, French consent and dates',
    input: `${BOM}Téléphone;Prénom;NOM;Langue;Fuseau horaire;Consentement;Date de consentement;Source\r\n${[
      '0612345601;Zoé;Martin;Français;Europe/Paris;oui;23/10/2026;formulaire jeu-concours',
      '0612345602;;Smith;EN;america/new_york;Yes;01/11/2026 14h30;',
      '0612345603;;;fr-FR;;non;;',
      '0612345604;;;;;1;2026-10-01;boutique',
      '0612345605;;;;;0;;',
      '0612345606;;;;;opt_in;2026-10-01T08:00:00Z;',
      '0612345607;;;;;;;',
    ].join('\r\n')}\r\n`,
    separator: ';',
    rowsRead: 7,
    rows: [
      {
        line: 2,
        userId: '+33612345601',
        name: 'Zoé Martin',
        locale: 'fr',
        timeZone: 'Europe/Paris',
        // Midnight in Paris (UTC+2 in October).
        consent: { kind: 'opt_in', givenAt: new Date('2026-10-22T22:00:00Z'), source: 'formulaire jeu-concours' },
      },
      {
        line: 3,
        name: 'Smith',
        locale: 'en',
        timeZone: 'America/New_York',
        // A day and time in the row's own time zone.
        consent: { kind: 'opt_in', givenAt: new Date('2026-11-01T19:30:00Z') },
      },
      { line: 4, locale: 'fr', consent: { kind: 'opt_out' } },
      { line: 5, consent: { kind: 'opt_in', givenAt: new Date('2026-09-30T22:00:00Z'), source: 'boutique' } },
      { line: 6, consent: { kind: 'opt_out' } },
      { line: 7, consent: { kind: 'opt_in', givenAt: new Date('2026-10-01T08:00:00Z') } },
      { line: 8, consent: undefined },
    ],
    refused: [],
  },
  {
    name: 'a BOM in the bytes, and blank lines or empty rows (Excel) neither counted nor refused',
    input: Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from('mobile;nom\n0612345601;A\n\n;\n0612345602;B\n;;\n'),
    ]),
    rowsRead: 2,
    rows: [
      { line: 2, userId: '+33612345601', name: 'A' },
      { line: 5, userId: '+33612345602', name: 'B' },
    ],
    refused: [],
    encoding: 'utf-8',
  },
  {
    name: 'a file saved by French Excel as "CSV (point-virgule)", in Windows-1252',
    input: Buffer.from('T\xe9l\xe9phone;Nom\n0612345601;Z\xe9lie\n', 'latin1'),
    rows: [{ userId: '+33612345601', name: 'Zélie' }],
    refused: [],
    encoding: 'windows-1252',
  },
  {
    name: 'bad rows refused with their line and reason, the others kept',
    input: [
      'phone;consent;consent_date;time_zone;langue;email',
      '06 12 34;oui;;;;', // too short
      '0612345601;oui;;Mars/Olympus;;',
      '0612345602;oui;31/02/2026;;;',
      '0612345603;oui;2027-01-01;;;', // after NOW
      '0612345604;peut-être;;;;',
      '0612345605;;;;de;',
      '0612345606;;;;;pas-un-mail',
      '3,36123E+11;;;;;', // what a spreadsheet makes of a number column
      ';oui;;;;',
      '0612345609;oui;;Asia/Tokyo;;',
    ].join('\n'),
    rowsRead: 10,
    rows: [{ line: 11, userId: '+33612345609', timeZone: 'Asia/Tokyo' }],
    refused: [
      { line: 2, reason: '"06 12 34" is not a valid phone number' },
      { line: 3, reason: '"Mars/Olympus" is not a time zone (write one like Europe/Paris)' },
      { line: 4, reason: 'consent date "31/02/2026" is not a date (write 23/11/2026 or 2026-11-23)' },
      { line: 5, reason: 'consent date "2027-01-01" is in the future' },
      { line: 6, reason: 'consent "peut-être" is neither yes (oui, 1, opt_in) nor no (non, 0, opt_out)' },
      { line: 7, reason: 'unknown language "de": write fr or en' },
      { line: 8, reason: '"pas-un-mail" is not an email address' },
      { line: 9, reason: '"3,36123E+11" was turned into a number by the spreadsheet: format the column as text' },
      { line: 10, reason: 'no phone number' },
    ],
  },
  {
    name: 'a value over two lines: the rows after it keep their real line numbers',
    input: 'phone,name\n0612345601,"Martin\nZoé"\n06 12,Bad\n0612345603,C\n',
    rows: [
      { line: 2, name: 'Martin\nZoé' },
      { line: 5, userId: '+33612345603' },
    ],
    refused: [{ line: 4, reason: '"06 12" is not a valid phone number' }],
  },
  {
    name: 'the same person twice (written two ways): the first row wins, the later ones are reported',
    input: 'phone;nom\n06 12 34 56 01;Premier\n0612345602;Autre\n+33612345601;Second\n612345601;Troisième\n',
    rows: [
      { line: 2, userId: '+33612345601', name: 'Premier' },
      { line: 3, userId: '+33612345602' },
    ],
    refused: [
      { line: 4, reason: 'same person as line 2 (the first row is kept)', duplicateOf: 2 },
      { line: 5, reason: 'same person as line 2 (the first row is kept)', duplicateOf: 2 },
    ],
  },
  {
    name: 'WhatsApp: the user id is the chat id whatsapp-web.js events carry, the phone E.164',
    input: 'phone\n06 12 34 56 01\n+32 470 12 34 56\n',
    options: { channel: 'whatsapp' },
    rows: [
      { userId: '33612345601@c.us', phone: '+33612345601' },
      { userId: '32470123456@c.us', phone: '+32470123456' },
    ],
    refused: [],
  },
  {
    name: 'WhatsApp: a user_id column of chat ids is read as numbers too',
    input: 'user_id\n33612345601@c.us\n',
    options: { channel: 'whatsapp' },
    rows: [{ userId: '33612345601@c.us', phone: '+33612345601' }],
    refused: [],
  },
  {
    name: 'Telegram: people by chat id; the phone column is only contact data',
    input: 'user_id,telephone,name,foo\n123456789,0612345601,Zoé,x\nzoe_m,,,\n987654321,,,\n',
    options: { channel: 'telegram' },
    ignoredColumns: ['foo'],
    rows: [
      { line: 2, userId: '123456789', phone: '+33612345601', name: 'Zoé' },
      { line: 4, userId: '987654321', phone: undefined },
    ],
    refused: [{ line: 3, reason: `"zoe_m" is not a Telegram chat id (a number, as in the bot's updates)` }],
  },
];

describe('reading a CSV list of people', () => {
  for (const test of CASES) {
    it(test.name, () => {
      const result = readAudienceCsv(test.input, { channel: 'sms', now: NOW, ...test.options });
      if (test.rows) {
        assert.equal(result.rows.length, test.rows.length, `rows kept: ${JSON.stringify(result.rows)}`);
        test.rows.forEach((expected, index) => {
          const actual = result.rows[index] as AudienceRow;
          for (const [key, value] of Object.entries(expected)) {
            assert.deepEqual(actual[key as keyof AudienceRow], value, `row ${index + 1}, ${key}`);
          }
        });
      }
      if (test.refused) assert.deepEqual(result.refused, test.refused);
      if (test.rowsRead !== undefined) assert.equal(result.rowsRead, test.rowsRead);
      if (test.separator) assert.equal(result.separator, test.separator);
      if (test.ignoredColumns) assert.deepEqual(result.ignoredColumns, test.ignoredColumns);
      if (test.encoding) assert.equal(result.encoding, test.encoding);
    });
  }

  it('a list for the same people in another country reads national numbers there', () => {
    const result = readAudienceCsv('phone\n0470 12 34 56\n', { channel: 'sms', defaultCountry: 'BE', now: NOW });
    assert.deepEqual(
      result.rows.map((row) => row.userId),
      ['+32470123456'],
    );
  });

  for (const [name, input, channel, message] of [
    ['no column saying who', 'nom;email\nZoé;z@example.fr\n', 'sms', /no phone number column.*"nom", "email"/],
    ['a phone column on Telegram', 'phone\n0612345601\n', 'telegram', /no "user_id" column: on telegram/],
    ['two columns meaning the same', 'phone;téléphone\n1;2\n', 'sms', /two columns mean the same thing/],
    ['an empty file', '', 'sms', /the file is empty/],
    ['a quote left open', 'phone,name\n0612345601,"Martin\n', 'sms', /cannot be read as CSV/],
  ] as const) {
    it(`refuses the whole file: ${name}`, () => {
      assert.throws(
        () => readAudienceCsv(input, { channel, now: NOW }),
        (error: unknown) => error instanceof CsvFormatError && message.test(error.message),
      );
    });
  }
});
