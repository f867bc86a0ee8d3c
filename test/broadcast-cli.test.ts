/**
 * A marketer's broadcast from the command line, as they run it: the real
 * `gateway` CLI against a real PostgreSQL and the demo bot folder. A list of
 * twenty people (some agreed, some refused, one who wrote STOP before, one
 * bad number) becomes a draft; the dry runs say who would get the message
 * and why not; send, pause, resume and cancel move it (and refuse what
 * cannot be); the report and the consent export give the proof. No worker
 * runs here: nothing is sent (another test covers sending).
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  type Db,
  getBroadcast,
  inboundEvent,
  localToInstant,
  migrate,
  openDb,
  recordCampaignEvent,
  recordInbound,
  recordOptOut,
  resolveContact,
} from '@passerelle/core';
import { type Campaign, loadBot, quietHoursFor } from '@passerelle/dialog';
import { runCliToEnd as cli, runCli } from './support/gateway-process.js';
import { zoneWhere } from './support/quiet-zones.js';
import { createTempDatabase, postgresSkipReason } from './support/services.js';

const ACCOUNT = '+33700000000';
const CAMPAIGN = 'ventes-privees';
/** A zone must keep its answer this long: the CLI decides a little after the test chose. */
const STABLE_MS = 30 * 60_000;

/** A zone where SMS may go out (or may not), now and for the next half hour, by the campaign's own rules. */
function zoneWhereFor(campaign: Campaign, allowed: boolean): string | undefined {
  return zoneWhere(allowed, STABLE_MS / 60_000, quietHoursFor(campaign.broadcast.quiet_hours, 'sms'));
}

/** The count printed in front of an outcome by a dry run ("  quiet_hours   4  skipped: ..."). */
function countOf(output: string, label: string): number {
  const match = new RegExp(`^ {2}${label} +(\\d+) `, 'm').exec(output);
  return match ? Number(match[1]) : 0;
}

describe('gateway broadcast and consent, from a CSV list', async () => {
  const skip = await postgresSkipReason();
  let database: { url: string; drop(): Promise<void> } | undefined;
  let db: Db;
  let dir = '';
  let env: Record<string, string>;
  let csvPath = '';
  let openZone: string | undefined;
  let closedZone = '';
  let broadcastId = '';
  /** Line numbers of the CSV, by who is on them. */
  const lines = { open: [] as number[], closed: [] as number[], refused: [] as number[], silent: [] as number[] };
  let stoppedLine = 0;
  let badPhoneLine = 0;
  let duplicateLine = 0;

  before(async () => {
    if (skip) return;
    database = await createTempDatabase();
    db = await openDb({ databaseUrl: database.url });
    await migrate(db);
    dir = await mkdtemp(join(tmpdir(), 'passerelle-broadcast-cli-'));
    env = { DATABASE_URL: database.url, BOT_DIR: 'bots/demo' };

    const bot = await loadBot('bots/demo');
    const campaign = bot.campaigns.get(CAMPAIGN) as Campaign;
    openZone = zoneWhereFor(campaign, true);
    const closed = zoneWhereFor(campaign, false);
    assert.ok(closed, 'some zone of the list is outside the allowed hours at any moment');
    closedZone = closed;

    // Someone who wrote STOP to the brand's number last week: no list may make them a recipient again.
    const stopped = { channel: 'sms' as const, account: ACCOUNT, userId: '+33612345650' };
    const contact = await resolveContact(db, stopped);
    const event = inboundEvent({
      channel: 'sms',
      account: ACCOUNT,
      providerMessageId: 'SM-stop',
      thread: stopped.userId,
      sender: { id: stopped.userId },
      receivedAt: new Date(Date.now() - 7 * 86_400_000),
      kind: 'message',
      content: { text: 'STOP' },
    });
    await recordInbound(db, event, contact.id);
    await recordOptOut(db, stopped, 'keyword', { detail: 'STOP' });
    for (const kind of ['entered', 'opted_out'] as const) {
      await recordCampaignEvent(db, {
        campaignId: CAMPAIGN,
        conversationId: event.conversationId,
        contactId: contact.id,
        channel: 'sms',
        kind,
        entry: 'keyword',
      });
    }

    // The list as French Excel saves it: BOM, semicolons, French column names.
    const rows: string[] = [];
    const add = (row: string) => {
      rows.push(row);
      return rows.length + 1; // the header is line 1
    };
    for (let i = 0; i < 6; i++) {
      // Without an open zone now (a Sunday everywhere, say), they wait like the others: counted as such below.
      const zone = openZone ?? closedZone;
      lines.open.push(add(`06 12 34 56 1${i};Client ${i};${i < 2 ? 'en' : 'fr'};${zone};oui;01/11/2026;formulaire`));
    }
    for (let i = 0; i < 4; i++) lines.closed.push(add(`06 12 34 56 2${i};Nuit ${i};fr;${closedZone};oui;;boutique`));
    for (let i = 0; i < 3; i++) lines.refused.push(add(`06 12 34 56 3${i};Refus ${i};fr;;non;;`));
    for (let i = 0; i < 4; i++) lines.silent.push(add(`06 12 34 56 4${i};Muet ${i};${i ? 'fr' : 'en'};;;;`));
    stoppedLine = add(`06 12 34 56 50;Ancien;fr;${closedZone};oui;;formulaire`);
    badPhoneLine = add('06 12 34;Mauvais;fr;;oui;;');
    duplicateLine = add('+33612345610;Doublon;fr;;oui;;');
    assert.equal(rows.length, 20, 'a list of twenty people');
    csvPath = join(dir, 'clients-vip.csv');
    await writeFile(
      csvPath,
      `\uFEFFTéléphone;Nom;Langue;Fuseau;Consentement;Date consentement;Source\r\n${rows.join('\r\n')}\r\n`,
    );
  });

  after(async () => {
    if (skip) return;
    await db?.close();
    await database?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  const expected = () => ({
    send: openZone ? lines.open.length : 0,
    quiet_hours: lines.closed.length + (openZone ? 0 : lines.open.length),
    opted_out: lines.refused.length + 1,
    no_opt_in: lines.silent.length,
  });

  const count = async (sql: string) => Number((await db.query<{ n: number }>(sql)).rows[0]?.n);

  /** `gateway broadcast create` from the test's list, with the options given. */
  const createFromList = (options: string[], extraEnv: Record<string, string> = {}) =>
    cli(['broadcast', 'create', '--contacts', csvPath, ...options], { ...env, ...extraEnv });
  /** The demo campaign by SMS from the brand's number. */
  const BY_SMS = ['--campaign', CAMPAIGN, '--channel', 'sms', '--account', ACCOUNT];

  /** The people of each outcome a dry run counts, by the names it prints. */
  const outcomes = (output: string) => ({
    send: countOf(output, 'would send'),
    quiet_hours: countOf(output, 'quiet_hours'),
    opted_out: countOf(output, 'opted_out'),
    no_opt_in: countOf(output, 'no_opt_in'),
  });

  it('create --dry-run: reads the list, says who would get the message and why not, writes nothing', {
    skip,
  }, async () => {
    const { code, stdout, stderr } = await createFromList([...BY_SMS, '--dry-run']);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /clients-vip\.csv: 20 rows read \(columns separated by semicolons\)/);
    assert.match(stdout, new RegExp(`line ${badPhoneLine}: "06 12 34" is not a valid phone number`));
    assert.match(stdout, new RegExp(`line ${duplicateLine}: same person as line ${lines.open[0]}`));
    assert.match(stdout, /18 people, as the workers would decide now/);
    // opted_out: the list says no, or they wrote STOP before.
    assert.deepEqual(outcomes(stdout), expected(), stdout);
    assert.match(stdout, /what they would get \(fr\):\n {2}\| Les ventes privées Maison Lumière sont ouvertes/);
    assert.match(stdout, /on SMS, the opt-out mention: "STOP pour ne plus recevoir nos offres"/);
    assert.match(stdout, /what they would get \(en\):\n {2}\| Maison Lumière's private sales are open/);
    assert.doesNotMatch(stdout, /\+336\d{8}/, 'numbers are masked in what a terminal shows');
    assert.match(stdout, /nothing was written/);
    assert.equal(await count('select count(*)::int as n from broadcasts'), 0, 'no broadcast');
    assert.equal(await count('select count(*)::int as n from contacts'), 1, 'only the person seeded before');
    assert.equal(await count('select count(*)::int as n from consent_events'), 1, 'only the STOP seeded before');
  });

  it('create: imports the people and their consent, makes a draft with them in list order', { skip }, async () => {
    const { code, stdout, stderr } = await createFromList([...BY_SMS, '--rate', '50']);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /rate: 10\/s, the campaign's ceiling/);
    assert.match(stdout, /people on the list +18\nnew contacts +17\nalready known +1\n/);
    assert.match(stdout, /consent recorded +10 yes, 3 no/);
    assert.match(stdout, /yes ignored +1 \(opted out earlier: a list never overrides a STOP\)/);
    broadcastId = stdout.trim().split('\n').at(-1) ?? '';
    assert.match(broadcastId, /^bc_[0-9a-f]{10}$/, 'the last line is the id, for scripts');
    const made = await getBroadcast(db, broadcastId);
    assert.equal(made?.status, 'draft');
    assert.equal(made?.ratePerSecond, 10);
    assert.equal(made?.source, 'clients-vip.csv');
    const { rows } = await db.query<{ seq: number; user_id: string; time_zone: string | null }>(
      'select seq, user_id, time_zone from broadcast_recipients where broadcast_id = $1 order by seq',
      [broadcastId],
    );
    assert.equal(rows.length, 18);
    assert.deepEqual(
      rows.slice(0, 2).map((row) => [row.seq, row.user_id, row.time_zone]),
      [
        [lines.open[0], '+33612345610', openZone ?? closedZone],
        [lines.open[1], '+33612345611', openZone ?? closedZone],
      ],
      'each person keeps their CSV line, phone numbers in E.164',
    );
  });

  it('dry-run <id>: the same counts and reasons from the draft, full numbers only in --csv', { skip }, async () => {
    const [human, csv] = await Promise.all([
      cli(['broadcast', 'dry-run', broadcastId], env),
      cli(['broadcast', 'dry-run', broadcastId, '--csv'], env),
    ]);
    assert.equal(human.code, 0, human.stderr);
    assert.deepEqual(outcomes(human.stdout), expected(), human.stdout);
    assert.match(
      human.stdout,
      /quiet_hours +\d+ +skipped: quiet hours where they live \(night, Sunday or public holiday\)/,
    );
    assert.match(human.stdout, new RegExp(`\\+33•+21 \\(line ${lines.closed[1]}\\): \\w+ in ${closedZone}`));
    if (openZone) assert.match(human.stdout, /would send +6 +\(en 2, fr 4\)/);
    assert.doesNotMatch(human.stdout, /\+336\d{8}/, 'numbers are masked');

    assert.equal(csv.code, 0, csv.stderr);
    const table = csv.stdout.trim().split('\n');
    assert.equal(table[0], 'line,user_id,locale,time_zone,outcome,reason,explanation,detail');
    assert.equal(table.length, 19, 'a header and one row per person');
    const row = (line: number) => table.find((text) => text.startsWith(`${line},`)) ?? '';
    assert.match(row(stoppedLine), /^\d+,\+33612345650,fr,[^,]+,skip,opted_out,/);
    assert.match(row(lines.silent[0] as number), /^\d+,\+33612345640,en,,skip,no_opt_in,never agreed/);
    assert.match(
      row(lines.open[2] as number),
      openZone ? /^\d+,\+33612345612,fr,[^,]+,send,,,$/ : /,skip,quiet_hours,/,
    );
  });

  it('send --detach starts it; a second send, and pause/resume/cancel out of turn, are refused', { skip }, async () => {
    const sent = await cli(['broadcast', 'send', broadcastId, '--detach'], env);
    assert.equal(sent.code, 0, sent.stderr);
    assert.match(sent.stdout, new RegExp(`${broadcastId} is running: the workers send it at 10 messages/s`));
    assert.equal((await getBroadcast(db, broadcastId))?.status, 'running');

    const [again, resumed] = await Promise.all([
      cli(['broadcast', 'send', broadcastId, '--detach'], env),
      cli(['broadcast', 'resume', broadcastId], env),
    ]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /refused: cannot send broadcast bc_\w+: it is running \(send works when it is draft\)/);

    assert.equal(resumed.code, 2);
    assert.match(resumed.stderr, /cannot resume broadcast bc_\w+: it is running \(resume works when it is paused\)/);
  });

  it('status --watch without a worker: says nothing moves and what to start; Ctrl-C only stops watching', {
    skip,
  }, async () => {
    const child = runCli(['broadcast', 'status', broadcastId, '--watch'], env);
    let stdout = '';
    const warned = new Promise<void>((resolve) => {
      child.stdout?.on('data', (chunk) => {
        stdout += chunk;
        if (/nothing has moved/.test(stdout)) resolve();
      });
    });
    const exited = once(child, 'exit');
    const startedAt = Date.now();
    await Promise.race([warned, exited.then(() => assert.fail(`exited before warning:\n${stdout}`))]);
    assert.ok(Date.now() - startedAt >= 10_000, 'warned only after ten seconds without progress');
    child.kill('SIGINT');
    const [code] = await exited;
    assert.equal(code, 0);
    assert.match(
      stdout,
      /running: 0\/18 handled, sent 0, skipped 0, failed 0/,
      'a progress line (stdout is no terminal)',
    );
    assert.match(stdout, /a worker|`gateway start` or `gateway worker`/);
    assert.match(
      stdout,
      new RegExp(
        `broadcast ${broadcastId} goes on in the workers\\. Watch again: gateway broadcast status ${broadcastId} --watch`,
      ),
    );
    assert.equal((await getBroadcast(db, broadcastId))?.status, 'running', 'watching changed nothing');
  });

  it('pause, resume, cancel; a cancelled broadcast stays cancelled', { skip }, async () => {
    for (const [action, status] of [
      ['pause', 'paused'],
      ['resume', 'running'],
      ['pause', 'paused'],
      ['cancel', 'cancelled'],
    ] as const) {
      const result = await cli(['broadcast', action, broadcastId], env);
      assert.equal(result.code, 0, result.stderr);
      assert.equal((await getBroadcast(db, broadcastId))?.status, status, `after ${action}`);
      if (action === 'cancel')
        assert.match(result.stdout, /cancelled: 18 not reached yet will not be sent the message/);
    }
    const [pause, status, list] = await Promise.all([
      cli(['broadcast', 'pause', broadcastId], env),
      cli(['broadcast', 'status', broadcastId], env),
      cli(['broadcast', 'list', '--campaign', CAMPAIGN], env),
    ]);
    assert.equal(pause.code, 2);
    assert.match(pause.stderr, /cannot pause broadcast bc_\w+: it is cancelled \(pause works when it is running\)/);

    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /cancelled, campaign ventes-privees on sms from \+33•+00, 10 messages\/s/);
    // Cancelled with nobody reached: everyone waiting is skipped as cancelled.
    assert.match(status.stdout, /18 people: 0 not reached yet, 0 on their way, 0 messaged, 18 skipped/);
    assert.match(status.stdout, /skipped 18: cancelled \(the broadcast was cancelled before their turn\)/);

    assert.match(
      list.stdout,
      new RegExp(`${broadcastId} +ventes-privees +sms +\\+33•+00 +cancelled +18/18 +10/s .*clients-vip\\.csv`),
    );
  });

  it('report: every person in list order, as CSV', { skip }, async () => {
    const { code, stdout, stderr } = await cli(['broadcast', 'report', broadcastId], env);
    assert.equal(code, 0, stderr);
    const table = stdout.trim().split('\n');
    assert.equal(table[0], 'line,user_id,status,skip_reason,explanation,delivery,updated_at');
    assert.equal(table.length, 19);
    assert.match(
      table[1] ?? '',
      new RegExp(
        `^${lines.open[0]},\\+33612345610,skipped,cancelled,the broadcast was cancelled before their turn,,\\d{4}-`,
      ),
    );
    const order = table.slice(1).map((row) => Number(row.split(',')[0]));
    assert.deepEqual(
      order,
      [...order].sort((a, b) => a - b),
      'in the order of the list',
    );
  });

  it('consent export: the imported consents with their proof (file and line), and the STOP', { skip }, async () => {
    const [all, later] = await Promise.all([
      cli(['consent', 'export'], env),
      cli(['consent', 'export', '--since', '01/01/2099'], env),
    ]);
    const { code, stdout, stderr } = all;
    assert.equal(code, 0, stderr);
    const table = stdout.trim().split('\n');
    assert.equal(table[0], 'contact_id,channel,account,user_id,kind,source,detail,given_at,recorded_at');
    assert.equal(table.length, 1 + 1 + 10 + 3, 'the STOP, 10 yes and 3 no from the list');
    assert.match(table[1] ?? '', /^ct_\w+,sms,\+33700000000,\+33612345650,opt_out,keyword,STOP,,\d{4}-/);
    // The form's date is that day's midnight where the person lives (the row's time zone).
    const formDate = localToInstant('2026-11-01', 0, openZone ?? closedZone)
      .toISOString()
      .replaceAll('.', '\\.');
    assert.match(
      stdout,
      new RegExp(
        `,sms,\\+33700000000,\\+33612345612,opt_in,import,clients-vip\\.csv:${lines.open[2]} \\(formulaire\\),${formDate},`,
      ),
      'the date of the form is kept, read as midnight in the person’s time zone',
    );
    assert.match(stdout, new RegExp(`,\\+33612345630,opt_out,import,clients-vip\\.csv:${lines.refused[0]},,`));
    assert.doesNotMatch(stdout, /\+33612345650,opt_in/, 'the list did not undo the STOP');

    assert.equal(later.code, 0, later.stderr);
    assert.equal(later.stdout.trim(), 'contact_id,channel,account,user_id,kind,source,detail,given_at,recorded_at');
  });

  it('campaigns list and results: the window, and the figures as tables or CSV', { skip }, async () => {
    const [list, text, csv] = await Promise.all([
      cli(['campaigns', 'list'], env),
      cli(['campaigns', 'results', CAMPAIGN], env),
      cli(['campaigns', 'results', CAMPAIGN, '--csv'], env),
    ]);
    assert.equal(list.code, 0, list.stderr);
    assert.match(
      list.stdout,
      /ventes-privees +Ventes privées +2026-11-20 09:00 → 2027-12-31 20:00 Europe\/Paris +(before|open|after)/,
    );

    assert.equal(text.code, 0, text.stderr);
    assert.match(
      text.stdout,
      /TOTAL\nENTERED +COMPLETED +COMPLETION +CONVERTED +CONVERSION +HANDOFFS +OPT-OUTS\n +1 +0 +0\.0% +0 +0\.0% +0 +1\n/,
    );
    assert.match(text.stdout, /BY CHANNEL\nCHANNEL .*\nsms +1 +0 +0 +0 +1/);
    assert.match(text.stdout, /BY ENTRY\nENTRY +ENTERED\nkeyword +1/);

    assert.equal(csv.code, 0, csv.stderr);
    const table = csv.stdout.trim().split('\n');
    assert.equal(
      table[0],
      'section,key,entered,completed,converted,handoff,opted_out,completion_rate,conversion_rate,reached,dropped',
    );
    assert.equal(table[1], 'total,ventes-privees,1,0,0,0,1,0,0,,');
  });

  it('refuses, exit code 2: unknown campaign, a channel it does not run on, a campaign over, no account', {
    skip,
  }, async () => {
    const over = join(dir, 'bot-over');
    await cp('bots/demo', over, { recursive: true });
    const file = join(over, 'campaigns', 'ventes-privees.yaml');
    const yaml = await readFile(file, 'utf8');
    await writeFile(
      file,
      yaml
        .replace("start: '2026-11-20 09:00'", "start: '2025-11-20 09:00'")
        .replace("end: '2027-12-31 20:00'", "end: '2025-12-31 20:00'"),
    );

    const [unknown, teams, ended, whatsapp, missing] = await Promise.all([
      createFromList(['--campaign', 'soldes-ete', '--channel', 'sms', '--account', ACCOUNT]),
      createFromList(['--campaign', CAMPAIGN, '--channel', 'teams', '--account', 'bot-id']),
      createFromList(BY_SMS, { BOT_DIR: over }),
      createFromList(['--campaign', CAMPAIGN, '--channel', 'whatsapp']),
      cli(['broadcast', 'dry-run', 'bc_nothere'], env),
    ]);
    for (const result of [unknown, teams, ended, whatsapp, missing]) assert.equal(result.code, 2, result.stderr);
    assert.match(
      unknown.stderr,
      /refused: no campaign "soldes-ete" in bots\/demo\/campaigns \(campaigns: ventes-privees\)/,
    );
    assert.match(
      teams.stderr,
      /campaign ventes-privees does not run on teams \(its channels: sms, whatsapp, telegram, messenger, webchat\)/,
    );
    assert.match(ended.stderr, /campaign ventes-privees is over \(it ended 2025-12-31 20:00 Europe\/Paris\)/);
    assert.match(whatsapp.stderr, /give --account: the WhatsApp number logged in to the gateway/);
    assert.match(missing.stderr, /no broadcast bc_nothere/);
    assert.equal(await count('select count(*)::int as n from broadcasts'), 1, 'no broadcast made by a refused command');
  });

  it('telegram: people by chat id, the account taken from the bot token', { skip }, async () => {
    const list = join(dir, 'telegram.csv');
    await writeFile(list, 'user_id,name,consent\n111111111,Ana,yes\n222222222,Ben,no\n333333333,Cy,\n');
    const { code, stdout, stderr } = await cli(
      ['broadcast', 'create', '--campaign', CAMPAIGN, '--channel', 'telegram', '--contacts', list, '--dry-run'],
      { ...env, TELEGRAM_BOT_TOKEN: '7654321:AAE-test-token', TELEGRAM_MODE: 'polling' },
    );
    assert.equal(code, 0, stderr);
    assert.match(stdout, /on telegram from 7654321,/);
    // Telegram has no quiet hours and lets the bot write first: whoever agreed gets it, whatever the hour.
    assert.equal(countOf(stdout, 'would send'), 1, stdout);
    assert.equal(countOf(stdout, 'opted_out'), 1, stdout);
    assert.equal(countOf(stdout, 'no_opt_in'), 1, stdout);
    assert.doesNotMatch(stdout, /opt-out mention/, 'no SMS mention on Telegram');
  });
});
