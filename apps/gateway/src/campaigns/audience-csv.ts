/**
 * A marketer's list of people, as a spreadsheet exports it, read into
 * checked rows for one channel. Made for what French spreadsheets produce:
 * `;` or `,` between columns, a byte-order mark or none, column names in
 * French or English with or without accents, dates as 23/11/2026, phone
 * numbers as 06 12 34 56 78 (or 612345678 once Excel dropped the 0).
 *
 * A bad row never spoils the file: it is refused with its line and the
 * reason, and the others go on. Only a file that cannot be read at all (no
 * column saying who the people are, a broken quote) is refused as a whole.
 */
import { type Channel, isTimeZone, localToInstant } from '@passerelle/core';
import { parse } from 'csv-parse/sync';
import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js';

/** The file as a whole cannot be read: nothing of it is used. */
export class CsvFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CsvFormatError';
  }
}

export type ConsentAnswer = 'opt_in' | 'opt_out';

/** One person of the list, checked and normalised. */
export interface AudienceRow {
  /** The line of the file where the row starts (the header is line 1). */
  line: number;
  /** The channel's user id: E.164 on SMS, 33612345678@c.us on WhatsApp, the chat id on Telegram. */
  userId: string;
  /** E.164, when the row has a phone number. */
  phone?: string | undefined;
  name?: string | undefined;
  email?: string | undefined;
  locale?: string | undefined;
  /** Canonical IANA name. */
  timeZone?: string | undefined;
  consent?:
    | {
        kind: ConsentAnswer;
        givenAt?: Date | undefined;
        /** Where the list says the consent came from (a form, a shop): free text. */
        source?: string | undefined;
      }
    | undefined;
}

export interface RefusedRow {
  line: number;
  reason: string;
  /** For a person already on an earlier line: that line (the earlier row is the one kept). */
  duplicateOf?: number | undefined;
}

export interface AudienceCsv {
  rows: AudienceRow[];
  refused: RefusedRow[];
  /** Data rows read (blank lines not counted). */
  rowsRead: number;
  separator: ',' | ';';
  /** Columns the reader did not recognise, left aside. */
  ignoredColumns: string[];
  /** Set when the file was not UTF-8 and was read as Windows-1252 (Excel's "CSV (point-virgule)"). */
  encoding: 'utf-8' | 'windows-1252';
}

export interface AudienceCsvOptions {
  channel: Channel;
  /** For numbers written without their country code. Default FR. */
  defaultCountry?: CountryCode;
  /** The bot's languages; a row may only ask for one of them. Default fr, en. */
  locales?: readonly string[];
  /** Where a date without a time (23/11/2026) starts its day. Default Europe/Paris. */
  timeZone?: string;
  /** A consent cannot have been given after this. Default: now. */
  now?: Date;
}

/** Channels whose people are phone numbers: the list gives numbers, we make the user ids. */
export const PHONE_CHANNELS: ReadonlySet<Channel> = new Set(['sms', 'whatsapp']);

type Field =
  | 'phone'
  | 'userId'
  | 'name'
  | 'firstName'
  | 'email'
  | 'locale'
  | 'timeZone'
  | 'consent'
  | 'date'
  | 'source';

/** Column names, lower-case without accents, spaces or dashes as '_'. */
const ALIASES: Record<Field, readonly string[]> = {
  phone: [
    'phone',
    'phone_number',
    'mobile',
    'mobile_phone',
    'telephone',
    'tel',
    'portable',
    'numero',
    'numero_de_telephone',
    'numero_telephone',
    'msisdn',
  ],
  userId: ['user_id', 'userid', 'user', 'id_utilisateur', 'identifiant', 'chat_id'],
  name: ['name', 'nom', 'full_name', 'nom_complet', 'last_name', 'nom_de_famille'],
  firstName: ['first_name', 'firstname', 'prenom'],
  email: ['email', 'e_mail', 'mail', 'courriel', 'adresse_email', 'adresse_mail'],
  locale: ['locale', 'langue', 'language', 'lang'],
  timeZone: ['time_zone', 'timezone', 'tz', 'fuseau', 'fuseau_horaire'],
  consent: ['consent', 'consentement', 'opt_in', 'optin'],
  date: ['consent_date', 'date_consentement', 'date_du_consentement', 'date_de_consentement', 'consent_at'],
  source: ['consent_source', 'source', 'source_consentement', 'source_du_consentement', 'origine'],
};

const YES = new Set(['yes', 'y', 'oui', 'o', 'true', 'vrai', '1', 'x', 'opt_in', 'optin', 'in']);
const NO = new Set(['no', 'n', 'non', 'false', 'faux', '0', 'opt_out', 'optout', 'out']);

/** What a person writes for a language, and the bot's code for it. */
const LANGUAGE_WORDS: Record<string, string> = {
  francais: 'fr',
  french: 'fr',
  anglais: 'en',
  english: 'en',
};

export function readAudienceCsv(input: Buffer | string, options: AudienceCsvOptions): AudienceCsv {
  const { text, encoding } = decode(input);
  const separator = guessSeparator(text);
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    // The typings do not follow the `info` option: with it, each record comes with where it ended.
    records = parse(text, {
      bom: true,
      delimiter: separator,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_empty_values: true,
    }) as unknown as typeof records;
  } catch (error) {
    throw new CsvFormatError(`the file cannot be read as CSV: ${(error as Error).message}`);
  }
  const [header, ...data] = records;
  if (!header) throw new CsvFormatError('the file is empty');
  const columns = mapColumns(header.record, options.channel);

  const reader = new RowReader(options, columns);
  const rows: AudienceRow[] = [];
  const refused: RefusedRow[] = [];
  const firstLineOf = new Map<string, number>();
  for (const { record, info } of data) {
    // info.lines is where the record ends; a quoted value may span lines, and the marketer looks for where it starts.
    const line = info.lines - record.reduce((n, value) => n + (value.split('\n').length - 1), 0);
    const result = reader.read(record, line);
    if ('reason' in result) {
      refused.push({ line, reason: result.reason });
      continue;
    }
    const earlier = firstLineOf.get(result.userId);
    if (earlier !== undefined) {
      refused.push({ line, reason: `same person as line ${earlier} (the first row is kept)`, duplicateOf: earlier });
      continue;
    }
    firstLineOf.set(result.userId, line);
    rows.push(result);
  }
  return {
    rows,
    refused,
    rowsRead: data.length,
    separator,
    ignoredColumns: columns.ignored,
    encoding,
  };
}

/** UTF-8 (with or without BOM); failing that, what French Excel writes by default. */
function decode(input: Buffer | string): { text: string; encoding: AudienceCsv['encoding'] } {
  if (typeof input === 'string') return { text: input, encoding: 'utf-8' };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(input), encoding: 'utf-8' };
  } catch {
    return { text: new TextDecoder('windows-1252').decode(input), encoding: 'windows-1252' };
  }
}

/** The header line says it: French Excel separates with ';', most other tools with ','. */
function guessSeparator(text: string): ',' | ';' {
  const header = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const count = (char: string) => header.split(char).length - 1;
  return count(';') > count(',') ? ';' : ',';
}

export function normaliseHeader(name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .trim()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
}

interface ColumnMap {
  index: Partial<Record<Field, number>>;
  ignored: string[];
}

function mapColumns(header: readonly string[], channel: Channel): ColumnMap {
  const index: Partial<Record<Field, number>> = {};
  const ignored: string[] = [];
  header.forEach((title, position) => {
    const key = normaliseHeader(title);
    const field = (Object.keys(ALIASES) as Field[]).find((candidate) => ALIASES[candidate].includes(key));
    if (!field) {
      if (key) ignored.push(title.trim());
      return;
    }
    if (index[field] !== undefined) {
      throw new CsvFormatError(
        `two columns mean the same thing: "${header[index[field]]?.trim()}" and "${title.trim()}"`,
      );
    }
    index[field] = position;
  });
  const found = header.map((title) => `"${title.trim()}"`).join(', ');
  if (PHONE_CHANNELS.has(channel)) {
    if (index.phone === undefined && index.userId === undefined) {
      throw new CsvFormatError(
        `no phone number column: name one "phone" (or téléphone, mobile, portable); the columns are ${found}`,
      );
    }
  } else if (index.userId === undefined) {
    throw new CsvFormatError(
      `no "user_id" column: on ${channel} people are known by the id their messages carry, ` +
        `not by a phone number; the columns are ${found}`,
    );
  }
  return { index, ignored };
}

type RowResult = AudienceRow | { reason: string };

class RowReader {
  private readonly country: CountryCode;
  private readonly locales: readonly string[];
  private readonly dayZone: string;
  private readonly now: Date;

  constructor(
    private readonly options: AudienceCsvOptions,
    private readonly columns: ColumnMap,
  ) {
    this.country = options.defaultCountry ?? 'FR';
    this.locales = options.locales ?? ['fr', 'en'];
    this.dayZone = options.timeZone ?? 'Europe/Paris';
    this.now = options.now ?? new Date();
  }

  read(record: readonly string[], line: number): RowResult {
    const cell = (field: Field) => {
      const position = this.columns.index[field];
      return position === undefined ? '' : (record[position] ?? '').trim();
    };
    const row: AudienceRow = { line, userId: '' };

    const phoneChannel = PHONE_CHANNELS.has(this.options.channel);
    // On a phone channel a user_id column holds numbers too, or WhatsApp chat ids (33612345678@c.us).
    const phoneText = cell('phone') || (phoneChannel ? cell('userId').replace(/^(\d{6,15})@c\.us$/, '+$1') : '');
    if (phoneText) {
      const phone = this.phone(phoneText);
      if (typeof phone !== 'string') return phone;
      row.phone = phone;
    }
    if (phoneChannel) {
      if (!row.phone) return { reason: 'no phone number' };
      row.userId = userIdForPhone(this.options.channel, row.phone);
    } else {
      const userId = cell('userId');
      if (!userId) return { reason: 'no user_id' };
      if (this.options.channel === 'telegram' && !/^-?\d{1,20}$/.test(userId)) {
        return { reason: `"${userId}" is not a Telegram chat id (a number, as in the bot's updates)` };
      }
      row.userId = userId;
    }

    const name = [cell('firstName'), cell('name')].filter(Boolean).join(' ');
    if (name) row.name = name;

    const email = cell('email');
    if (email) {
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) return { reason: `"${email}" is not an email address` };
      row.email = email;
    }

    const language = cell('locale');
    if (language) {
      const locale = this.locale(language);
      if (!locale) return { reason: `unknown language "${language}": write ${this.locales.join(' or ')}` };
      row.locale = locale;
    }

    const zone = cell('timeZone');
    if (zone) {
      if (!isTimeZone(zone)) return { reason: `"${zone}" is not a time zone (write one like Europe/Paris)` };
      row.timeZone = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
    }

    const answer = cell('consent');
    if (answer) {
      const kind = consentAnswer(answer);
      if (!kind) return { reason: `consent "${answer}" is neither yes (oui, 1, opt_in) nor no (non, 0, opt_out)` };
      const dateText = cell('date');
      let givenAt: Date | undefined;
      if (dateText) {
        const date = this.consentDate(dateText, row.timeZone ?? this.dayZone);
        if (typeof date === 'object' && 'reason' in date) return date;
        givenAt = date;
      }
      const source = cell('source');
      row.consent = { kind, ...(givenAt ? { givenAt } : {}), ...(source ? { source } : {}) };
    }
    return row;
  }

  private phone(text: string): string | { reason: string } {
    if (/\d[.,]\d*e\+?\d+$/i.test(text)) {
      return { reason: `"${text}" was turned into a number by the spreadsheet: format the column as text` };
    }
    const parsed = text.length <= 40 ? parsePhoneNumberFromString(text, { defaultCountry: this.country }) : undefined;
    if (!parsed?.isValid()) return { reason: `"${text}" is not a valid phone number` };
    return parsed.number;
  }

  private locale(text: string): string | undefined {
    const key = normaliseHeader(text);
    const code = LANGUAGE_WORDS[key] ?? key.split('_')[0] ?? '';
    return this.locales.includes(code) ? code : undefined;
  }

  /** 2026-11-23, 2026-11-23T10:00:00Z, 23/11/2026 or 23/11/2026 10:00 (a date alone: its local midnight). */
  private consentDate(text: string, timeZone: string): Date | { reason: string } {
    const bad = { reason: `consent date "${text}" is not a date (write 23/11/2026 or 2026-11-23)` };
    let date: Date | undefined;
    const french = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T](\d{1,2})[:h](\d{2}))?$/.exec(text);
    const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
    if (french) {
      const [, day, month, year, hours = '0', minutes = '0'] = french as unknown as string[];
      date = localDate(Number(year), Number(month), Number(day), Number(hours) * 60 + Number(minutes), timeZone);
    } else if (iso) {
      const [, year, month, day] = iso as unknown as string[];
      date = localDate(Number(year), Number(month), Number(day), 0, timeZone);
    } else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(text)) {
      const parsed = new Date(text);
      date = Number.isNaN(parsed.getTime()) ? undefined : parsed;
    }
    if (!date) return bad;
    if (date.getTime() > this.now.getTime()) return { reason: `consent date "${text}" is in the future` };
    return date;
  }
}

/** A day that exists (no 31/02), at `minutes` past its local midnight. */
function localDate(year: number, month: number, day: number, minutes: number, timeZone: string): Date | undefined {
  const check = new Date(Date.UTC(year, month - 1, day));
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
    return undefined;
  }
  if (minutes >= 24 * 60) return undefined;
  const date = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  return localToInstant(date, minutes, timeZone);
}

export function consentAnswer(text: string): ConsentAnswer | undefined {
  const key = normaliseHeader(text);
  if (YES.has(key)) return 'opt_in';
  if (NO.has(key)) return 'opt_out';
  return undefined;
}

/**
 * The user id a channel's own events carry for this number, so that the
 * list and the person's messages meet on one identity: SMS (Twilio's From)
 * is E.164, WhatsApp (whatsapp-web.js) is the chat id 33612345678@c.us.
 */
export function userIdForPhone(channel: Channel, e164: string): string {
  return channel === 'whatsapp' ? `${e164.replace(/^\+/, '')}@c.us` : e164;
}
