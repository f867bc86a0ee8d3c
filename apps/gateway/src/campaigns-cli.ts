/**
 * The marketer's commands: `gateway campaigns ...` (the bot folder's
 * campaigns and their results), `gateway broadcast ...` (a campaign's first
 * message to a list of people: create from a CSV, preview, send, follow,
 * pause, report) and `gateway consent export` (the consent history, as proof).
 *
 * Sending is the workers' job (the dispatcher in `gateway start` or
 * `gateway worker`): these commands only change a broadcast's state and
 * read its progress, so closing the terminal never stops a broadcast.
 *
 * Exit codes: 0 done; 2 refused (a request that cannot be: unknown campaign,
 * wrong state, unreadable CSV), with one clear message; 1 anything else.
 */
import { readFile } from 'node:fs/promises';
import {
  BROADCAST_STATUSES,
  type Broadcast,
  type BroadcastAction,
  type BroadcastProgress,
  type BroadcastStatus,
  broadcastProgress,
  broadcastReport,
  type CampaignResults,
  CHANNELS,
  type Channel,
  type Config,
  campaignResults,
  changeBroadcastStatus,
  consentHistory,
  type Db,
  getBroadcast,
  isTimeZone,
  listBroadcasts,
  localToInstant,
  maskPhonesInText,
  wallClock,
} from '@passerelle/core';
import type { BotDefinition, Campaign } from '@passerelle/dialog';
import cliProgress from 'cli-progress';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { stringify } from 'csv-stringify/sync';
import type { AudienceCsv } from './campaigns/audience-csv.js';
import type { FirstMessage, Plan, PlannedRecipient } from './campaigns/broadcast-plan.js';

export interface CampaignCommandHelpers {
  /** The validated configuration (exits with the list of problems when it is not). */
  config(): Config;
  /** Opens the database the configuration points at (closed by the command when done). */
  openDb(): Promise<Db>;
}

/** Errors that mean "you asked for something that cannot be", by name: their modules load only when used. */
const REFUSALS = new Set(['RefusedError', 'CsvFormatError', 'BroadcastStateError', 'BotFolderError']);

/** How many people of each outcome a dry run shows by name. */
const EXAMPLES = 5;

const CSV_HELP = `
The CSV (exported from a spreadsheet; ; or , between columns, UTF-8 with or without BOM):
  phone            the number, 06 12 34 56 78 or +33 6 12 34 56 78 (also: téléphone, mobile, portable)
  user_id          instead of phone on telegram, messenger, teams, webchat: the id their messages carry
  name / nom       optional, also prénom; email / courriel optional
  locale / langue  fr or en
  time_zone / fuseau   like Europe/Paris: quiet hours are the person's own (default: the campaign's)
  consent / consentement   oui / yes / 1 (agreed), non / no / 0 (refused), empty (no change)
  consent_date / date_consentement   23/11/2026 or 2026-11-23, when they agreed
  consent_source / source   where they agreed (a form, a shop), kept with the proof
Only people who agreed are sent the message; a list never overrides someone's STOP.
A bad row (phone, time zone, date) is refused with its line; the others go on.`;

export function registerCampaignCommands(program: Command, helpers: CampaignCommandHelpers): void {
  const withDb = <Args extends unknown[]>(work: (db: Db, ...args: Args) => Promise<void>) =>
    failClearly(async (...args: Args) => {
      const db = await helpers.openDb();
      try {
        await work(db, ...args);
      } finally {
        await db.close();
      }
    });
  const bot = () => loadBotOrRefuse(helpers.config().botDir);

  // ---- gateway campaigns ----

  const campaigns = program
    .command('campaigns')
    .description("the bot folder's campaigns (list) and what people did in them (results)");

  campaigns
    .command('list', { isDefault: true })
    .description("list the bot folder's campaigns (BOT_DIR) with their window and whether it is open")
    .action(
      failClearly(async () => {
        const definition = await bot();
        const now = new Date();
        const { summarizeCampaign } = await import('@passerelle/dialog');
        if (definition.campaigns.size === 0) {
          console.log(`no campaign in ${definition.dir}/campaigns: add one as campaigns/<id>.yaml`);
          return;
        }
        console.log(
          table(
            ['ID', 'TITLE', 'WINDOW', 'STATE', 'CHANNELS'],
            [...definition.campaigns.values()].map((campaign) => {
              const summary = summarizeCampaign(campaign, definition, now, definition.settings.locales[0]);
              return [
                campaign.id,
                summary.title,
                `${campaign.window.start} → ${campaign.window.end} ${campaign.timeZone}`,
                summary.state,
                campaign.channels?.join(', ') ?? 'all',
              ];
            }),
          ),
        );
      }),
    );

  campaigns
    .command('results <id>')
    .description(
      'what people did in a campaign: entered, completed, converted, handoffs, opt-outs, by day, channel, entry and step',
    )
    .option('--csv', 'print one CSV table (for a spreadsheet) instead of text tables')
    .action(
      withDb(async (db, id: string, options: { csv?: boolean }) => {
        const definition = await bot();
        const { resultsOf, resultsTable } = await import('@passerelle/dialog');
        const campaign = definition.campaigns.get(id);
        // A campaign whose file was removed keeps its figures: shown without the order of its steps.
        const results = campaign
          ? await resultsOf(db, definition, campaign)
          : await campaignResults(db, id, { timeZone: definition.settings.time_zone, steps: [] });
        if (!campaign) {
          console.error(
            `note: no campaign "${id}" in ${definition.dir}/campaigns any more: figures from the database, ` +
              `days in ${definition.settings.time_zone}, no drop-off by step`,
          );
        }
        if (options.csv) {
          process.stdout.write(stringify(resultsTable(results)));
          return;
        }
        console.log(resultsText(results, campaign, definition));
      }),
    );

  // ---- gateway broadcast ----

  const broadcast = program
    .command('broadcast')
    .description(
      "send a campaign's first message to a list of people: create, dry-run, send, status, pause, resume, cancel, list, report",
    );

  broadcast
    .command('create')
    .description('make a draft broadcast of a campaign from a CSV list of people (imports them and their consent)')
    .requiredOption('--campaign <id>', 'the campaign (its id in the bot folder, see gateway campaigns list)')
    .addOption(new Option('--channel <channel>', 'the channel to send on').choices(CHANNELS).makeOptionMandatory())
    .requiredOption('--contacts <file.csv>', 'the list of people (see below)')
    .option(
      '--account <account>',
      'which of our accounts sends (default: TWILIO_FROM on sms, the bot of TELEGRAM_BOT_TOKEN on telegram, ' +
        "'default' on webchat; needed on whatsapp, messenger and teams)",
    )
    .option('--rate <n>', "messages per second, at most the campaign's broadcast.rate", positiveNumber)
    .option('--dry-run', 'check the list and say who would get the message and who not, without writing anything')
    .addHelpText('after', CSV_HELP)
    .action(
      withDb(
        async (
          db,
          options: {
            campaign: string;
            channel: Channel;
            contacts: string;
            account?: string;
            rate?: number;
            dryRun?: boolean;
          },
        ) => {
          const config = helpers.config();
          const definition = await bot();
          const plan = await import('./campaigns/broadcast-plan.js');
          const { readAudienceCsv } = await import('./campaigns/audience-csv.js');
          const now = new Date();
          const campaign = plan.campaignForBroadcast(definition, options.campaign, options.channel, now);
          const account = options.account ?? plan.defaultAccount(options.channel, config.env);
          const csv = readAudienceCsv(await readContacts(options.contacts), {
            channel: options.channel,
            locales: definition.settings.locales,
            timeZone: campaign.timeZone,
            now,
          });
          printCsvSummary(options.contacts, csv);
          if (csv.rows.length === 0) {
            throw refusal(`nobody to send to in ${options.contacts}: every row was refused`);
          }
          const rate = plan.broadcastRate(campaign, options.rate);
          if (options.rate !== undefined && options.rate > rate) {
            console.log(`rate: ${rate}/s, the campaign's ceiling (broadcast.rate), not ${options.rate}/s`);
          }
          if (options.dryRun) {
            const planned = await plan.planFromCsv(db, { campaign, channel: options.channel, account, csv, now });
            console.log(
              `\ndry run: campaign ${campaign.id} on ${options.channel} from ${maskPhonesInText(account)}, ${rate} messages/s`,
            );
            await printPlan(planned, now);
            printFirstMessages(
              await plan.firstMessages(definition, campaign, options.channel, planned.at),
              options.channel,
            );
            console.log('\nnothing was written: run the same command without --dry-run to create the broadcast');
            return;
          }
          const created = await plan.createFromCsv(db, {
            id: plan.newBroadcastId(),
            campaign,
            channel: options.channel,
            account,
            ratePerSecond: rate,
            fileName: options.contacts,
            csv,
          });
          const { broadcast: made } = created;
          console.log(
            `\ncreated broadcast ${made.id} (draft): campaign ${campaign.id} on ${made.channel} from ` +
              `${maskPhonesInText(made.account)}, ${made.ratePerSecond} messages/s`,
          );
          console.log(
            table(
              ['', ''],
              [
                ['people on the list', String(created.added)],
                ['new contacts', String(created.created)],
                ['already known', String(created.added - created.created)],
                ['consent recorded', `${created.optedIn} yes, ${created.optedOut} no (proof: file name and line)`],
                ...(created.optInIgnored > 0
                  ? [['yes ignored', `${created.optInIgnored} (opted out earlier: a list never overrides a STOP)`]]
                  : []),
              ],
              { header: false },
            ),
          );
          console.log(`\nnext: gateway broadcast dry-run ${made.id}   then: gateway broadcast send ${made.id}`);
          // The id alone on the last line: id=$(gateway broadcast create ... | tail -n 1)
          console.log(made.id);
        },
      ),
    );

  broadcast
    .command('dry-run <id>')
    .description('who a broadcast would send to now and who it would skip, and why; nothing is sent or changed')
    .option('--csv', 'print one row per person (in full) as CSV instead')
    .action(
      withDb(async (db, id: string, options: { csv?: boolean }) => {
        const found = await broadcastOrRefuse(db, id);
        const definition = await bot();
        const plan = await import('./campaigns/broadcast-plan.js');
        const now = new Date();
        const campaign = definition.campaigns.get(found.campaignId);
        const planned = await plan.planForBroadcast(db, found, campaign, now);
        if (options.csv) {
          const { SKIP_REASONS } = await import('@passerelle/dialog');
          process.stdout.write(
            stringify([
              ['line', 'user_id', 'locale', 'time_zone', 'outcome', 'reason', 'explanation', 'detail'],
              ...planned.recipients.map((r) => [
                r.seq,
                r.userId,
                r.locale ?? '',
                r.timeZone ?? '',
                r.decision.send ? 'send' : 'skip',
                r.decision.send ? '' : r.decision.reason,
                r.decision.send ? '' : SKIP_REASONS[r.decision.reason],
                r.decision.send ? '' : (r.decision.detail ?? ''),
              ]),
            ]),
          );
          return;
        }
        console.log(
          `dry run of ${found.id} (${found.status}): campaign ${found.campaignId} on ${found.channel} from ` +
            `${maskPhonesInText(found.account)}, ${found.ratePerSecond} messages/s`,
        );
        const progress = await broadcastProgress(db, found.id);
        const handled = progress.total - progress.pending;
        if (handled > 0) console.log(`${handled} of ${progress.total} already handled (not counted below)`);
        await printPlan(planned, now);
        if (campaign && planned.recipients.some((r) => r.decision.send)) {
          printFirstMessages(await plan.firstMessages(definition, campaign, found.channel, planned.at), found.channel);
        }
      }),
    );

  broadcast
    .command('send <id>')
    .description('start a draft broadcast (the workers send it at its rate) and follow its progress')
    .option('--detach', 'start it and return at once')
    .action(
      withDb(async (db, id: string, options: { detach?: boolean }) => {
        const found = await broadcastOrRefuse(db, id);
        const definition = await bot();
        const campaign = definition.campaigns.get(found.campaignId);
        const now = new Date();
        if (!campaign) {
          throw refusal(
            `campaign ${found.campaignId} is no longer in ${definition.dir}/campaigns: nothing would be sent ` +
              `(cancel it: gateway broadcast cancel ${found.id})`,
          );
        }
        if (campaign.closesAt.getTime() <= now.getTime()) {
          throw refusal(
            `campaign ${campaign.id} is over (it ended ${campaign.window.end} ${campaign.timeZone}): nothing would be sent ` +
              `(cancel it: gateway broadcast cancel ${found.id})`,
          );
        }
        const started = await changeBroadcastStatus(db, found.id, 'send');
        console.log(`${started.id} is running: the workers send it at ${started.ratePerSecond} messages/s`);
        if (campaign.opensAt.getTime() > now.getTime()) {
          console.log(`it waits for the campaign to open: ${campaign.window.start} ${campaign.timeZone}`);
        }
        if (options.detach) {
          console.log(`follow it: gateway broadcast status ${started.id} --watch`);
          return;
        }
        await watch(db, started.id, { campaign, botDir: definition.dir });
      }),
    );

  for (const [action, description] of [
    ['pause', 'pause a running broadcast (within about two seconds); resume carries on where it stopped'],
    ['resume', 'carry on with a paused broadcast'],
    ['cancel', 'stop a broadcast for good (people not reached yet are not sent the message)'],
  ] as const) {
    broadcast
      .command(`${action} <id>`)
      .description(description)
      .action(
        withDb(async (db, id: string) => {
          const changed = await changeBroadcastStatus(db, id, action satisfies BroadcastAction);
          const progress = await broadcastProgress(db, id);
          const left = progress.pending;
          const after: Record<typeof action, string> = {
            pause: `paused: ${left} not reached yet; carry on with gateway broadcast resume ${id}`,
            resume: `running again: ${left} not reached yet; follow it with gateway broadcast status ${id} --watch`,
            cancel: `cancelled: ${left} not reached yet will not be sent the message`,
          };
          console.log(`${changed.id} ${after[action]}`);
        }),
      );
  }

  broadcast
    .command('status <id>')
    .description("a broadcast's state and progress: reached, skipped and why, delivery")
    .option('-w, --watch', 'follow the progress until it ends (Ctrl-C stops watching, not the broadcast)')
    .action(
      withDb(async (db, id: string, options: { watch?: boolean }) => {
        const found = await broadcastOrRefuse(db, id);
        if (options.watch && found.status === 'running') {
          await watch(db, found.id, { botDir: helpers.config().botDir });
          return;
        }
        const progress = await broadcastProgress(db, found.id);
        console.log(describeBroadcast(found));
        console.log(await describeProgress(progress));
        if (options.watch) console.log(`(not watching: it is ${found.status})`);
      }),
    );

  broadcast
    .command('list')
    .description('list broadcasts, newest first')
    .option('--campaign <id>', 'only those of this campaign')
    .addOption(new Option('--status <status>', 'only those in this state').choices(BROADCAST_STATUSES))
    .action(
      withDb(async (db, options: { campaign?: string; status?: BroadcastStatus }) => {
        const all = await listBroadcasts(db, { campaignId: options.campaign, status: options.status });
        if (all.length === 0) {
          console.log('no broadcast yet: make one with gateway broadcast create --campaign <id> --channel <channel>');
          return;
        }
        const rows: string[][] = [];
        for (const item of all) {
          const progress = await broadcastProgress(db, item.id);
          rows.push([
            item.id,
            item.campaignId,
            item.channel,
            maskPhonesInText(item.account),
            item.status,
            `${progress.messaged + progress.skipped}/${progress.total}`,
            `${item.ratePerSecond}/s`,
            localTime(item.createdAt),
            item.source ?? '',
          ]);
        }
        console.log(
          table(['ID', 'CAMPAIGN', 'CHANNEL', 'ACCOUNT', 'STATUS', 'HANDLED', 'RATE', 'CREATED', 'LIST'], rows),
        );
      }),
    );

  broadcast
    .command('report <id>')
    .description('every person of a broadcast and what became of them, as CSV (in list order)')
    .action(
      withDb(async (db, id: string) => {
        await broadcastOrRefuse(db, id);
        const { SKIP_REASONS } = await import('@passerelle/dialog');
        const explain = (reason: string | null) =>
          reason === null ? '' : ((SKIP_REASONS as Record<string, string>)[reason] ?? '');
        const rows = await broadcastReport(db, id);
        process.stdout.write(
          stringify([
            ['line', 'user_id', 'status', 'skip_reason', 'explanation', 'delivery', 'updated_at'],
            ...rows.map((row) => [
              row.seq,
              row.userId,
              row.status,
              row.skipReason ?? '',
              explain(row.skipReason),
              row.delivery ?? '',
              row.updatedAt.toISOString(),
            ]),
          ]),
        );
      }),
    );

  // ---- gateway consent export ----

  const consent = program.command('consent').description('the record of who agreed to or refused our messages');
  consent
    .command('export')
    .description('the consent history as CSV, oldest first: who, on which channel, yes or no, how, the proof, when')
    .option(
      '--since <date>',
      "only what was recorded from this day on (YYYY-MM-DD or dd/mm/yyyy, midnight in the bot's time zone)",
      localDay,
    )
    .action(
      withDb(async (db, options: { since?: string }) => {
        let since: Date | undefined;
        if (options.since) {
          const timeZone = await botTimeZone(helpers.config().botDir);
          since = localToInstant(options.since, 0, timeZone);
        }
        const history = await consentHistory(db, { since });
        process.stdout.write(
          stringify([
            ['contact_id', 'channel', 'account', 'user_id', 'kind', 'source', 'detail', 'given_at', 'recorded_at'],
            ...history.map((record) => [
              record.contactId,
              record.channel,
              record.account,
              record.userId,
              record.kind,
              record.source,
              record.detail ?? '',
              record.givenAt?.toISOString() ?? '',
              record.recordedAt.toISOString(),
            ]),
          ]),
        );
      }),
    );
}

// ---- refusals and failures ----

/** A refusal raised here; broadcast-plan's RefusedError is the same by name (see REFUSALS). */
function refusal(message: string): Error {
  const error = new Error(message);
  error.name = 'RefusedError';
  return error;
}

/** Runs a command; a refusal is one clear message and exit code 2, any other failure exit code 1. */
function failClearly<Args extends unknown[]>(work: (...args: Args) => Promise<void>) {
  return async (...args: Args) => {
    try {
      await work(...args);
    } catch (error) {
      const refused = error instanceof Error && REFUSALS.has(error.name);
      console.error(`${refused ? 'refused' : 'error'}: ${explain(error)}`);
      process.exitCode = refused ? 2 : 1;
    }
  };
}

function explain(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  // undefined_table: a database that was never migrated.
  if (code === '42P01') return 'the database has no campaign tables yet: run "gateway migrate" first';
  return error instanceof Error ? error.message : String(error);
}

async function loadBotOrRefuse(dir: string): Promise<BotDefinition> {
  const { loadBot } = await import('@passerelle/dialog');
  return loadBot(dir);
}

/** The bot's time zone for reading a day; Europe/Paris when the folder cannot be read (said on stderr). */
async function botTimeZone(dir: string): Promise<string> {
  try {
    return (await loadBotOrRefuse(dir)).settings.time_zone;
  } catch (error) {
    console.error(
      `note: the bot folder ${dir} cannot be read (${(error as Error).message.split('\n')[0]}); days in Europe/Paris`,
    );
    return 'Europe/Paris';
  }
}

async function broadcastOrRefuse(db: Db, id: string): Promise<Broadcast> {
  const found = await getBroadcast(db, id);
  if (!found) throw refusal(`no broadcast ${id}: see gateway broadcast list`);
  return found;
}

async function readContacts(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw refusal(`no file ${file}`);
    throw error;
  }
}

// ---- option parsers ----

function positiveNumber(value: string): number {
  const n = Number(value.replace(',', '.'));
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a number above 0, like 5 or 0.5');
  return n;
}

/** YYYY-MM-DD or dd/mm/yyyy, a day that exists. */
function localDay(value: string): string {
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

// ---- printing ----

function table(header: string[], rows: string[][], options: { header?: boolean } = {}): string {
  const all = options.header === false ? rows : [header, ...rows];
  const widths = header.map((_, column) => Math.max(...all.map((row) => (row[column] ?? '').length)));
  // Figures line up on the right, words on the left.
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

const TERMINAL_ZONE = new Intl.DateTimeFormat().resolvedOptions().timeZone;

/** 'YYYY-MM-DD HH:MM' in a zone (default: this terminal's). */
function localTime(instant: Date, timeZone = TERMINAL_ZONE): string {
  const { date, minutes } = wallClock(instant, isTimeZone(timeZone) ? timeZone : 'UTC');
  return `${date} ${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

function printCsvSummary(file: string, csv: AudienceCsv): void {
  const separator = csv.separator === ';' ? 'semicolons' : 'commas';
  const encoding = csv.encoding === 'utf-8' ? '' : ', read as Windows-1252 (not UTF-8)';
  console.log(`${file}: ${csv.rowsRead} rows read (columns separated by ${separator}${encoding})`);
  if (csv.ignoredColumns.length > 0) console.log(`columns left aside: ${csv.ignoredColumns.join(', ')}`);
  if (csv.refused.length === 0) return;
  console.log(`${csv.refused.length} row(s) refused:`);
  // The marketer's own file, but a terminal is shared and scrolled back: numbers masked as in the logs.
  for (const row of csv.refused) console.log(`  line ${row.line}: ${maskPhonesInText(row.reason)}`);
}

/** Counts by outcome with their explanation and a few people of each (numbers masked). */
async function printPlan(plan: Plan, now: Date): Promise<void> {
  const zone = plan.campaign?.timeZone ?? TERMINAL_ZONE;
  const when =
    plan.at.getTime() > now.getTime()
      ? `when the campaign opens (${localTime(plan.at, zone)} ${zone})`
      : `now (${localTime(plan.at, zone)} ${zone})`;
  console.log(`${plan.recipients.length} people, as the workers would decide ${when}:`);
  if (plan.recipients.length === 0) {
    console.log('  nobody left to reach');
    return;
  }
  const { byOutcome } = await import('./campaigns/broadcast-plan.js');
  const { SKIP_REASONS } = await import('@passerelle/dialog');
  const groups = byOutcome(plan.recipients);
  const width = Math.max(...[...groups.keys()].map((key) => key.length), 'would send'.length);
  for (const [outcome, members] of groups) {
    const label = outcome === 'send' ? 'would send' : outcome;
    const explanation = outcome === 'send' ? byLocale(members) : `skipped: ${SKIP_REASONS[outcome]}`;
    console.log(`  ${label.padEnd(width)}  ${String(members.length).padStart(6)}  ${explanation}`);
    for (const member of members.slice(0, EXAMPLES)) {
      const detail = member.decision.send ? '' : member.decision.detail ? `: ${member.decision.detail}` : '';
      console.log(`  ${' '.repeat(width)}          ${maskPhonesInText(member.userId)} (line ${member.seq})${detail}`);
    }
    if (members.length > EXAMPLES) console.log(`  ${' '.repeat(width)}          and ${members.length - EXAMPLES} more`);
  }
}

function byLocale(members: readonly PlannedRecipient[]): string {
  if (members.length === 0) return '';
  const counts = new Map<string, number>();
  for (const member of members)
    counts.set(member.locale ?? 'default', (counts.get(member.locale ?? 'default') ?? 0) + 1);
  return `(${[...counts].map(([locale, n]) => `${locale} ${n}`).join(', ')})`;
}

function printFirstMessages(previews: readonly FirstMessage[], channel: Channel): void {
  for (const preview of previews) {
    console.log(`\nwhat they would get (${preview.locale}):`);
    if (preview.problem && preview.messages.length === 0) {
      console.log(`  (nothing: ${preview.problem})`);
      continue;
    }
    for (const message of preview.messages) {
      for (const line of [...message.text.split('\n'), ...message.options.map((option) => `  ${option}`)]) {
        console.log(`  | ${line}`);
      }
    }
    // The channel adds it where the rules ask for one (SMS); elsewhere it is not sent.
    if (preview.optOutNotice && channel === 'sms')
      console.log(`  + on SMS, the opt-out mention: "${preview.optOutNotice}"`);
  }
}

function describeBroadcast(item: Broadcast): string {
  const started = item.startedAt ? `, started ${localTime(item.startedAt)}` : '';
  const finished = item.finishedAt ? `, ended ${localTime(item.finishedAt)}` : '';
  const list = item.source ? ` from list ${item.source}` : '';
  return (
    `${item.id}: ${item.status}, campaign ${item.campaignId} on ${item.channel} from ${maskPhonesInText(item.account)}, ` +
    `${item.ratePerSecond} messages/s; created ${localTime(item.createdAt)}${list}${started}${finished}`
  );
}

async function describeProgress(progress: BroadcastProgress): Promise<string> {
  const { SKIP_REASONS } = await import('@passerelle/dialog');
  const explain = (reason: string) => (SKIP_REASONS as Record<string, string>)[reason] ?? reason;
  const lines = [
    `${progress.total} people: ${progress.pending} not reached yet, ${progress.queued} on their way, ` +
      `${progress.messaged} messaged, ${progress.skipped} skipped`,
  ];
  for (const [reason, n] of Object.entries(progress.skippedBy))
    lines.push(`  skipped ${n}: ${reason} (${explain(reason)})`);
  const delivery = Object.entries(progress.delivery);
  if (delivery.length > 0) lines.push(`delivery: ${delivery.map(([status, n]) => `${status} ${n}`).join(', ')}`);
  return lines.join('\n');
}

function resultsText(results: CampaignResults, campaign: Campaign | undefined, bot: BotDefinition): string {
  const percent = (rate: number) => `${(rate * 100).toFixed(1)}%`;
  const counts = (row: { entered: number; completed: number; converted: number; handoff: number; opted_out: number }) =>
    [row.entered, row.completed, row.converted, row.handoff, row.opted_out].map(String);
  const COUNT_HEADER = ['ENTERED', 'COMPLETED', 'CONVERTED', 'HANDOFFS', 'OPT-OUTS'];
  const section = (title: string, header: string[], rows: string[][]) =>
    `\n${title}\n${rows.length === 0 ? '(nothing yet)' : table(header, rows)}`;
  const { totals } = results;
  const heading = campaign
    ? `campaign ${campaign.id}: ${campaign.window.start} → ${campaign.window.end} ${campaign.timeZone}`
    : `campaign ${results.campaignId}`;
  return [
    heading,
    section(
      'TOTAL',
      ['ENTERED', 'COMPLETED', 'COMPLETION', 'CONVERTED', 'CONVERSION', 'HANDOFFS', 'OPT-OUTS'],
      [
        [
          String(totals.entered),
          String(totals.completed),
          percent(totals.completionRate),
          String(totals.converted),
          percent(totals.conversionRate),
          String(totals.handoff),
          String(totals.opted_out),
        ],
      ],
    ),
    section(
      `BY DAY (${campaign?.timeZone ?? bot.settings.time_zone})`,
      ['DAY', ...COUNT_HEADER],
      results.byDay.map((row) => [row.day, ...counts(row)]),
    ),
    section(
      'BY CHANNEL',
      ['CHANNEL', ...COUNT_HEADER],
      results.byChannel.map((row) => [row.channel, ...counts(row)]),
    ),
    section(
      'BY ENTRY',
      ['ENTRY', 'ENTERED'],
      results.byEntry.map((row) => [row.entry, String(row.entered)]),
    ),
    section(
      `DROP-OFF BY STEP${campaign ? ` (flow ${campaign.flow})` : ''}`,
      ['STEP', 'REACHED', 'STOPPED THERE'],
      results.steps.map((row) => [row.node, String(row.reached), String(row.dropped)]),
    ),
  ].join('\n');
}

// ---- watching a broadcast ----

const WATCH_EVERY_MS = 1000;
const LINE_EVERY_MS = 5000;
const STILL_FOR_MS = 10_000;

/**
 * Follows a broadcast's progress until it stops running or Ctrl-C, which
 * only stops watching. A bar on a terminal; one line every 5 s otherwise
 * (a log file, a CI job). The sending itself happens in the workers.
 */
async function watch(db: Db, id: string, about: { campaign?: Campaign; botDir: string }): Promise<void> {
  const tty = Boolean(process.stdout.isTTY);
  let interrupted = false;
  let wake: (() => void) | undefined;
  const onInterrupt = () => {
    interrupted = true;
    wake?.();
  };
  process.on('SIGINT', onInterrupt);
  const bar = tty
    ? new cliProgress.SingleBar(
        {
          format:
            '{bar} {percentage}% | {value}/{total} handled | sent {sent}, skipped {skipped}, failed {failed} | {rate}',
          stream: process.stdout,
          hideCursor: true,
          barsize: 30,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  const startedAt = Date.now();
  let first: BroadcastProgress | undefined;
  let lastSignature = '';
  let lastMoveAt = Date.now();
  let warned = false;
  let lastLineAt = 0;
  let status: BroadcastStatus = 'running';
  let barStarted = false;
  let progress: BroadcastProgress | undefined;
  try {
    while (!interrupted) {
      const current = await getBroadcast(db, id);
      progress = await broadcastProgress(db, id);
      status = current?.status ?? 'cancelled';
      first ??= progress;
      const figures = figuresOf(progress, first, (Date.now() - startedAt) / 1000, current?.ratePerSecond);
      if (bar) {
        if (!barStarted) bar.start(progress.total, figures.handled, figures);
        barStarted = true;
        bar.setTotal(progress.total);
        bar.update(figures.handled, figures);
      } else if (Date.now() - lastLineAt >= LINE_EVERY_MS || status !== 'running') {
        lastLineAt = Date.now();
        console.log(
          `${new Date().toLocaleTimeString('en-GB')} ${status}: ${figures.handled}/${progress.total} handled, ` +
            `sent ${figures.sent}, skipped ${figures.skipped}, failed ${figures.failed}, ${figures.rate}`,
        );
      }
      if (status !== 'running') break;

      const signature = `${progress.pending}/${progress.queued}/${progress.messaged}/${progress.skipped}`;
      if (signature !== lastSignature) {
        lastSignature = signature;
        lastMoveAt = Date.now();
        warned = false;
      } else if (!warned && Date.now() - lastMoveAt >= STILL_FOR_MS && progress.pending + progress.queued > 0) {
        warned = true;
        say(bar, await stillReason(about, current));
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, WATCH_EVERY_MS);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  } finally {
    bar?.stop();
    process.off('SIGINT', onInterrupt);
  }
  if (interrupted) {
    console.log(
      `\nstopped watching; broadcast ${id} goes on in the workers. Watch again: gateway broadcast status ${id} --watch`,
    );
    return;
  }
  const end: Record<BroadcastStatus, string> = {
    done: 'is done: everyone was handled',
    cancelled: 'was cancelled',
    paused: `is paused: carry on with gateway broadcast resume ${id}`,
    draft: `is a draft: send it with gateway broadcast send ${id}`,
    running: 'is running',
  };
  console.log(`${id} ${end[status]}`);
  if (progress) console.log(await describeProgress(progress));
}

function figuresOf(progress: BroadcastProgress, first: BroadcastProgress, seconds: number, target?: number) {
  const failed = progress.delivery.failed ?? 0;
  const dispatched = (p: BroadcastProgress) => p.queued + p.messaged;
  const perSecond = seconds >= 2 ? (dispatched(progress) - dispatched(first)) / seconds : undefined;
  return {
    handled: progress.messaged + progress.skipped,
    sent: progress.messaged - failed,
    skipped: progress.skipped,
    failed,
    rate: `${perSecond === undefined ? '-' : perSecond.toFixed(1)} msg/s${target ? ` (rate ${target}/s)` : ''}`,
  };
}

/** Nothing moved for a while: a campaign not open yet, or no worker to send. */
async function stillReason(
  about: { campaign?: Campaign; botDir: string },
  broadcast: Broadcast | undefined,
): Promise<string> {
  let opensAt = about.campaign?.opensAt;
  if (!about.campaign && broadcast) {
    try {
      const found = (await loadBotOrRefuse(about.botDir)).campaigns.get(broadcast.campaignId);
      opensAt = found?.opensAt;
    } catch {
      // The warning below is still the likely answer.
    }
  }
  if (opensAt && opensAt.getTime() > Date.now()) {
    return `waiting for the campaign to open (${localTime(opensAt)}): sending starts then`;
  }
  return (
    `nothing has moved for ${STILL_FOR_MS / 1000} s: the workers send broadcasts, is one running? ` +
    'Start `gateway start` or `gateway worker` with the same DATABASE_URL and REDIS_URL.'
  );
}

/** A line under a progress bar, or in the stream of progress lines. */
function say(bar: cliProgress.SingleBar | undefined, message: string): void {
  if (bar) process.stdout.write(`\n${message}\n`);
  else console.log(message);
}
