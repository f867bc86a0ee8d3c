/**
 * `gateway broadcast ...`: a campaign's first message to a list of people.
 * create (from a CSV, or --dry-run), dry-run, send, pause, resume, cancel,
 * status, list, report. These commands change a broadcast's state and read
 * its progress; the workers send, so closing the terminal never stops one.
 */
import { readFile } from 'node:fs/promises';
import {
  BROADCAST_STATUSES,
  type Broadcast,
  type BroadcastAction,
  type BroadcastStatus,
  broadcastProgress,
  broadcastReport,
  CHANNELS,
  type Channel,
  changeBroadcastStatus,
  type Db,
  getBroadcast,
  listBroadcasts,
  maskPhonesInText,
} from '@passerelle/core';
import { type Command, Option } from 'commander';
import { stringify } from 'csv-stringify/sync';
import { describeBroadcast, describeProgress } from './broadcast-text.js';
import { watch } from './broadcast-watch.js';
import { positiveNumber } from './cli-options.js';
import { type CommandContext, refusal } from './command-runner.js';
import { printCsvSummary, printFirstMessages, printPlan } from './plan-text.js';
import { localTime, table } from './terminal-text.js';

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

export function registerBroadcastCommand(program: Command, { helpers, withDb, bot }: CommandContext): void {
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
          const plan = await import('./broadcast-plan.js');
          const { readAudienceCsv } = await import('./audience-csv.js');
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
        const plan = await import('./broadcast-plan.js');
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
            cancel: `cancelled: ${progress.skippedBy.cancelled ?? 0} not reached yet will not be sent the message`,
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
