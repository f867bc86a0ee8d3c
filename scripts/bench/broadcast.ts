/**
 * Broadcast benchmark: how long a big campaign broadcast takes to set up, and
 * how close the gateway's sending comes to the rate it is allowed.
 *
 *   npm run bench:broadcast [-- --recipients 100000 --limits 50,200,400 --seconds 15]
 *
 * 1. Enqueue: on a fresh, migrated database (a temporary PostgreSQL database;
 *    PGlite in a temp folder, labelled so, when PostgreSQL does not answer),
 *    R opted-in SMS contacts are imported (importAudience), a draft broadcast
 *    is created (createBroadcast) and the R people are put on its list
 *    (addRecipients, one statement), as a CSV import does. Then the list is
 *    walked as the dispatcher walks it, batch after batch (pendingRecipients,
 *    then markRecipients 'queued'), nothing sent: the per-batch query cost at
 *    the start and near the end of the list, since a slow query there would
 *    cap the send rate.
 * 2. Send rate: for each limit L, a real `gateway start` (every role; its own
 *    temporary PostgreSQL database and Redis key prefix; the campaign bot copy
 *    with broadcast rate L; Twilio pointing at a fake Twilio, with
 *    TWILIO_SENDS_PER_SECOND=L) sends a broadcast to L x S opted-in people in
 *    a time zone where SMS are allowed now. Measured at the fake Twilio, in
 *    this process: sends, first to last, achieved rate (sends - 1) / duration,
 *    the busiest sliding second, and the time from `send` to the first SMS.
 *    Needs PostgreSQL: the gateway and this script share the database. A
 *    broadcast fails when no SMS arrives for 60 s while some are missing, or
 *    after max(10 min, 20 x its planned duration).
 *
 * Prints tables, writes bench-results/broadcast-latest.json. Figures, not
 * pass/fail; exits non-zero when a broadcast does not complete or someone
 * gets the message twice.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  type AudienceMember,
  addRecipients,
  type Broadcast,
  type BroadcastProgress,
  broadcastProgress,
  changeBroadcastStatus,
  createBroadcast,
  type Db,
  importAudience,
  markRecipients,
  migrate,
  openDb,
  pendingRecipients,
} from '@passerelle/core';
import pg from 'pg';
import { CAMPAIGN_ID, openCampaignBot } from '../../test/support/campaign-bot.js';
import { type FakeTwilio, startFakeTwilio } from '../../test/support/fakes/twilio.js';
import { type GatewayProcess, startGateway } from '../../test/support/gateway-process.js';
import { zoneWhere } from '../../test/support/quiet-zones.js';
import { createTempDatabase, deletePrefix, openRedis, POSTGRES_URL } from '../../test/support/services.js';
import { percentile } from './stats.js';
import { cleanUpOnSignals, Teardown } from './teardown.js';

const RESULTS_FILE = fileURLToPath(new URL('../../bench-results/broadcast-latest.json', import.meta.url));
const ACCOUNT = { accountSid: `AC${'c'.repeat(32)}`, authToken: 'broadcast-bench-token' };
const FROM = '+33700000042';
const WHERE = { channel: 'sms' as const, account: FROM };
/** A broadcast fails when no SMS arrives for this long while people are still waiting for theirs... */
const STALL_MS = 60_000;
/** ...or when it takes longer than this, or 20 times its planned duration if that is longer. */
const MIN_TIMEOUT_MS = 600_000;
/** importAudience works in transactions of 1000; slices of a multiple of that only let the progress line move. */
const IMPORT_SLICE = 5000;

interface Settings {
  recipients: number;
  limits: number[];
  seconds: number;
}

function readSettings(): Settings {
  const { values } = parseArgs({
    options: {
      recipients: { type: 'string', default: '100000' },
      limits: { type: 'string', default: '50,200,400' },
      seconds: { type: 'string', default: '15' },
    },
  });
  const count = (name: string, text: string, min: number, max: number) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new Error(`--${name} must be a whole number in ${min}..${max}`);
    return n;
  };
  // TWILIO_SENDS_PER_SECOND accepts at most 1000.
  const limits = values.limits.split(',').map((text) => count('limits', text.trim(), 1, 1000));
  return {
    recipients: count('recipients', values.recipients, 1, 10_000_000),
    limits,
    seconds: count('seconds', values.seconds, 1, 3600),
  };
}

// ---- progress on stderr ----

/** One progress line on stderr: rewritten in place on a terminal, one line every 5 s otherwise (a log file). */
class ProgressLine {
  private readonly tty = Boolean(process.stderr.isTTY);
  private lastLineAt = 0;
  private shown = false;

  update(text: string): void {
    if (this.tty) {
      process.stderr.write(`\r\x1b[K${text}`);
      this.shown = true;
    } else if (Date.now() - this.lastLineAt >= 5000) {
      this.lastLineAt = Date.now();
      process.stderr.write(`${text}\n`);
    }
  }

  clear(): void {
    if (this.shown) process.stderr.write('\r\x1b[K');
    this.shown = false;
    this.lastLineAt = 0;
  }
}

const progress = new ProgressLine();
const seconds = (ms: number) => (ms / 1000).toFixed(1);

/** Runs work with the progress line ticking (what status() says, and the time so far); resolves with its ms. */
async function timed<T>(label: string, work: () => Promise<T>, status = () => ''): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const show = () => {
    const detail = status();
    progress.update(`  ${label}${detail ? ` ${detail}` : ''} (${seconds(performance.now() - start)} s)`);
  };
  show();
  const ticker = setInterval(show, 250);
  try {
    const value = await work();
    return { value, ms: performance.now() - start };
  } finally {
    clearInterval(ticker);
    progress.clear();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- the people ----

/** E.164 French mobile numbers, +336 and 8 digits, one per index. */
const phoneOf = (index: number) => `+336${String(10_000_000 + index).padStart(8, '0')}`;

/** People who said yes, as a marketer's list records them (with the proof). */
function optedInPeople(count: number): AudienceMember[] {
  return Array.from({ length: count }, (_, index) => {
    const phone = phoneOf(index);
    return { userId: phone, phone, locale: 'fr', consent: { kind: 'opt_in', detail: `bench.csv:${index + 2}` } };
  });
}

/** Imported in slices so the progress line can say how far it is. */
async function importPeople(db: Db, people: readonly AudienceMember[], done: { count: number }) {
  const contactIds: string[] = [];
  for (let start = 0; start < people.length; start += IMPORT_SLICE) {
    const imported = await importAudience(db, WHERE, people.slice(start, start + IMPORT_SLICE));
    for (const member of imported) contactIds.push(member.contactId);
    done.count = contactIds.length;
  }
  return contactIds;
}

function recipientsOf(people: readonly AudienceMember[], contactIds: readonly string[], timeZone: string) {
  return people.map((person, index) => ({
    seq: index + 1,
    userId: person.userId,
    contactId: contactIds[index] as string,
    timeZone,
  }));
}

/** The dispatcher's batch: about two seconds of sending, at most 500 (as BroadcastDispatcher.dispatchBatch). */
const dispatcherBatchSize = (ratePerSecond: number) => Math.max(1, Math.min(500, Math.ceil(ratePerSecond * 2)));

// ---- databases ----

async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** A temporary PostgreSQL database, dropped by the teardown. */
async function tempPostgres(teardown: Teardown): Promise<{ url: string; db: Db }> {
  const database = await createTempDatabase();
  teardown.add('drop the temporary database', () => database.drop());
  const db = await openDb({ databaseUrl: database.url });
  teardown.add('close the database connections', () => db.close());
  return { url: database.url, db };
}

async function freshDatabase(teardown: Teardown, postgres: boolean): Promise<{ db: Db; backend: string }> {
  if (postgres) return { db: (await tempPostgres(teardown)).db, backend: 'PostgreSQL (temporary database)' };
  const dir = await mkdtemp(join(tmpdir(), 'passerelle-bench-broadcast-'));
  teardown.add(`remove ${dir}`, () => rm(dir, { recursive: true, force: true }));
  const db = await openDb({ dataDir: dir });
  teardown.add('close PGlite', () => db.close());
  return { db, backend: 'PGlite in a temp folder (PostgreSQL unreachable)' };
}

// ---- 1. enqueue ----

interface EnqueueResult {
  backend: string;
  recipients: number;
  ms: { migrate: number; generate: number; import: number; create: number; add: number; total: number };
  /** Recipients per second over import + create + add. */
  recipientsPerSecond: number;
  dispatcherWalk: DispatcherWalk;
}

interface DispatcherWalk {
  /** The broadcast rate the batch size comes from (the highest --limits). */
  ratePerSecond: number;
  batchSize: number;
  batches: number;
  /** pendingRecipients for the first batch (everyone pending) and the last full one (near the end). */
  queryFirstMs: number;
  queryNearEndMs: number;
  queryP50Ms: number;
  queryMaxMs: number;
  markP50Ms: number;
  /** batchSize / (median query + median mark): what the dispatcher's database work alone would allow. */
  ceilingPerSecond: number;
}

async function runEnqueueBench(settings: Settings, postgres: boolean): Promise<EnqueueResult> {
  const teardown = new Teardown();
  try {
    const { db, backend } = await freshDatabase(teardown, postgres);
    console.log(`  database: ${backend}`);
    const migrated = await timed('migrating', () => migrate(db));
    const generated = await timed('generating contacts', async () => optedInPeople(settings.recipients));
    const people = generated.value;

    const done = { count: 0 };
    const imported = await timed(
      'importAudience',
      () => importPeople(db, people, done),
      () => `${done.count}/${people.length}`,
    );
    const ratePerSecond = Math.max(...settings.limits);
    const created = await timed('createBroadcast', () =>
      createBroadcast(db, {
        id: 'bc_bench_enqueue',
        campaignId: CAMPAIGN_ID,
        channel: 'sms',
        account: FROM,
        ratePerSecond,
        source: 'bench.csv',
      }),
    );
    const broadcast = created.value;
    const added = await timed(`addRecipients (${people.length}, one statement)`, () =>
      addRecipients(db, broadcast.id, recipientsOf(people, imported.value, 'Europe/Paris')),
    );
    if (added.value !== people.length) throw new Error(`addRecipients added ${added.value} of ${people.length}`);

    const total = imported.ms + created.ms + added.ms;
    const dispatcherWalk = await walkAsTheDispatcher(db, broadcast, ratePerSecond);
    return {
      backend,
      recipients: people.length,
      ms: {
        migrate: migrated.ms,
        generate: generated.ms,
        import: imported.ms,
        create: created.ms,
        add: added.ms,
        total,
      },
      recipientsPerSecond: people.length / (total / 1000),
      dispatcherWalk,
    };
  } finally {
    await teardown.run();
  }
}

/**
 * The dispatcher's database work over the whole list, nothing sent: each
 * batch is read (pendingRecipients, always from the first pending one) and
 * marked queued, so the query near the end runs on a list mostly handled,
 * as it does in a real broadcast.
 */
async function walkAsTheDispatcher(db: Db, broadcast: Broadcast, ratePerSecond: number): Promise<DispatcherWalk> {
  const batchSize = dispatcherBatchSize(ratePerSecond);
  const queries: Array<{ ms: number; rows: number }> = [];
  const marks: number[] = [];
  let handled = 0;
  await timed(
    `walking the list as the dispatcher (batches of ${batchSize})`,
    async () => {
      for (;;) {
        const start = performance.now();
        const batch = await pendingRecipients(db, broadcast, batchSize);
        queries.push({ ms: performance.now() - start, rows: batch.length });
        if (batch.length === 0) break;
        const markStart = performance.now();
        await markRecipients(
          db,
          broadcast.id,
          batch.map((recipient) => ({ seq: recipient.seq, status: 'queued' as const })),
        );
        marks.push(performance.now() - markStart);
        handled += batch.length;
      }
    },
    () => `${handled} handled`,
  );
  const withRows = queries.filter((query) => query.rows > 0);
  const full = withRows.filter((query) => query.rows === batchSize);
  const sortedQueries = withRows.map((query) => query.ms).sort((a, b) => a - b);
  const queryP50Ms = percentile(sortedQueries, 0.5);
  const markP50Ms = percentile(
    [...marks].sort((a, b) => a - b),
    0.5,
  );
  return {
    ratePerSecond,
    batchSize,
    batches: withRows.length,
    queryFirstMs: withRows[0]?.ms ?? Number.NaN,
    queryNearEndMs: (full.at(-1) ?? withRows.at(-1))?.ms ?? Number.NaN,
    queryP50Ms,
    queryMaxMs: sortedQueries.at(-1) ?? Number.NaN,
    markP50Ms,
    ceilingPerSecond: batchSize / ((queryP50Ms + markP50Ms) / 1000),
  };
}

// ---- 2. send rate ----

interface RateResult {
  limit: number;
  people: number;
  timeZone: string | undefined;
  /** Messages.json calls the fake Twilio received. */
  sends: number;
  uniqueRecipients: number;
  /** People who got the message more than once. */
  duplicates: number;
  firstToLastS: number;
  achievedPerSecond: number;
  achievedPercent: number;
  busiestSecond: number;
  sendToFirstSmsMs: number;
  completed: boolean;
  problem: string | undefined;
}

/** A zone where SMS stay allowed for the next `minutes`. */
function openZone(minutes: number): string | undefined {
  return zoneWhere(true, minutes);
}

function failedRate(limit: number, people: number, timeZone: string | undefined, problem: string): RateResult {
  return {
    limit,
    people,
    timeZone,
    sends: 0,
    uniqueRecipients: 0,
    duplicates: 0,
    firstToLastS: Number.NaN,
    achievedPerSecond: Number.NaN,
    achievedPercent: Number.NaN,
    busiestSecond: Number.NaN,
    sendToFirstSmsMs: Number.NaN,
    completed: false,
    problem,
  };
}

async function runRateBench(limit: number, settings: Settings): Promise<RateResult> {
  const people = limit * settings.seconds;
  // Generous: a gateway far below its limit still finishes, so its figures are measured; a stall fails sooner.
  const timeoutMs = Math.max(MIN_TIMEOUT_MS, settings.seconds * 20_000);
  const timeZone = openZone(Math.ceil((timeoutMs + 120_000) / 60_000));
  if (!timeZone) return failedRate(limit, people, timeZone, 'no candidate time zone allows SMS for the whole run now');
  const teardown = new Teardown();
  try {
    const twilio = await startFakeTwilio(ACCOUNT);
    teardown.add('close the fake Twilio', () => twilio.close());
    const bot = await openCampaignBot({ rate: limit });
    teardown.add('remove the campaign bot copy', () => bot.remove());
    const { url: databaseUrl, db } = await tempPostgres(teardown);
    const gateway = await startBenchGateway(limit, databaseUrl, bot.dir, twilio, teardown);
    console.log(`  ${limit}/s: gateway pid ${gateway.child.pid}; ${people} people in ${timeZone}`);

    const everyone = optedInPeople(people);
    const done = { count: 0 };
    const imported = await timed(
      `${limit}/s: importing`,
      () => importPeople(db, everyone, done),
      () => `${done.count}/${people}`,
    );
    const broadcast = await createBroadcast(db, {
      id: `bc_bench_rate_${limit}`,
      campaignId: CAMPAIGN_ID,
      channel: 'sms',
      account: FROM,
      ratePerSecond: limit,
      source: 'bench.csv',
    });
    await addRecipients(db, broadcast.id, recipientsOf(everyone, imported.value, timeZone));

    const sendAt = Date.now();
    await changeBroadcastStatus(db, broadcast.id, 'send');
    const problem = await waitForEveryone(db, broadcast.id, twilio, people, limit, timeoutMs);
    return rateFigures(limit, people, timeZone, twilio, sendAt, problem);
  } catch (error) {
    return failedRate(limit, people, timeZone, (error as Error).message);
  } finally {
    await teardown.run();
  }
}

async function startBenchGateway(
  limit: number,
  databaseUrl: string,
  botDir: string,
  twilio: FakeTwilio,
  teardown: Teardown,
): Promise<GatewayProcess> {
  const prefix = `bench-bc-${process.pid}-${limit}-${Date.now().toString(36)}`;
  const redis = openRedis('bench-broadcast-admin');
  teardown.add('close the admin Redis connection', () => redis.quit());
  // Registered before the gateway starts, so it runs after the gateway stopped.
  teardown.add(`delete Redis keys under ${prefix}`, () => deletePrefix(redis, prefix));
  const gateway = await startGateway({
    command: ['start'],
    env: {
      DATABASE_URL: databaseUrl,
      REDIS_KEY_PREFIX: prefix,
      BOT_DIR: botDir,
      // info: startGateway learns the port and readiness from the 'gateway ready' line.
      LOG_LEVEL: 'info',
      TWILIO_ACCOUNT_SID: ACCOUNT.accountSid,
      TWILIO_AUTH_TOKEN: ACCOUNT.authToken,
      TWILIO_FROM: FROM,
      TWILIO_API_URL: twilio.url,
      TWILIO_SENDS_PER_SECOND: String(limit),
    },
    timeoutMs: 60_000,
  });
  teardown.add('stop the gateway', () => stopGateway(gateway));
  return gateway;
}

/** SIGTERM, as an operator stops it; SIGKILL if it has not exited 30 s later. */
async function stopGateway(gateway: GatewayProcess): Promise<void> {
  const timer = setTimeout(() => gateway.child.kill('SIGKILL'), 30_000);
  const code = await gateway.stop('SIGTERM');
  clearTimeout(timer);
  if (code !== 0) console.error(`  note: the gateway exited with code ${code} (0 expected after SIGTERM)`);
}

/**
 * Nobody left to dispatch or to hand to the dialog worker, and no message
 * still waiting for the channel sender: a delivery row is written 'queued'
 * with the message; the progress also counts a message without a row as 'sending'.
 */
function isSettled(progress: BroadcastProgress): boolean {
  const { pending, queued, delivery } = progress;
  return pending === 0 && queued === 0 && !delivery.queued && !delivery.sending;
}

function describe(progress: BroadcastProgress): string {
  return (
    `${progress.pending} pending, ${progress.queued} queued, ${progress.messaged} messaged ` +
    `(delivery ${JSON.stringify(progress.delivery)}), ${progress.skipped} skipped ${JSON.stringify(progress.skippedBy)}`
  );
}

/**
 * Until everyone got an SMS and the broadcast is settled (nobody pending or
 * queued, every message's delivery recorded). Returns why not, if not.
 */
async function waitForEveryone(
  db: Db,
  broadcastId: string,
  twilio: FakeTwilio,
  people: number,
  limit: number,
  timeoutMs: number,
): Promise<string | undefined> {
  const start = Date.now();
  const reached = new Set<string>();
  let seen = 0;
  let lastCheckAt = 0;
  let lastArrivalAt = start;
  let last = await broadcastProgress(db, broadcastId);
  while (Date.now() - start < timeoutMs) {
    if (seen < twilio.attempts.length) lastArrivalAt = Date.now();
    for (; seen < twilio.attempts.length; seen++) reached.add(twilio.attempts[seen]?.To ?? '');
    const elapsedMs = Date.now() - start;
    progress.update(
      `  ${limit}/s: ${reached.size}/${people} reached at the fake Twilio in ${seconds(elapsedMs)} s ` +
        `(${fixed(reached.size / (elapsedMs / 1000))}/s so far)`,
    );
    if (Date.now() - lastArrivalAt >= STALL_MS) {
      progress.clear();
      last = await broadcastProgress(db, broadcastId);
      return `stalled: no SMS for ${seconds(STALL_MS)} s with ${reached.size} of ${people} reached; ${describe(last)}`;
    }
    const allThere = reached.size >= people;
    if (allThere || Date.now() - lastCheckAt >= 2000) {
      lastCheckAt = Date.now();
      last = await broadcastProgress(db, broadcastId);
      const settled = isSettled(last);
      if (settled && allThere) {
        progress.clear();
        // A late second send of someone would show up here.
        await sleep(1000);
        return undefined;
      }
      if (settled) {
        progress.clear();
        return `the broadcast ended with ${reached.size} of ${people} reached; ${describe(last)}`;
      }
    }
    await sleep(200);
  }
  progress.clear();
  return `timed out after ${seconds(timeoutMs)} s: ${reached.size} of ${people} reached; ${describe(last)}`;
}

function rateFigures(
  limit: number,
  people: number,
  timeZone: string,
  twilio: FakeTwilio,
  sendAt: number,
  problem: string | undefined,
): RateResult {
  const times = twilio.attempts.map((attempt) => attempt.at).sort((a, b) => a - b);
  const sendsTo = new Map<string, number>();
  for (const attempt of twilio.attempts) sendsTo.set(attempt.To ?? '', (sendsTo.get(attempt.To ?? '') ?? 0) + 1);
  const duplicates = [...sendsTo.values()].filter((count) => count > 1).length;
  const durationS = times.length > 1 ? ((times.at(-1) as number) - (times[0] as number)) / 1000 : Number.NaN;
  const achieved = (times.length - 1) / durationS;
  let busiest = 0;
  for (let start = 0, end = 0; end < times.length; end++) {
    while ((times[end] as number) - (times[start] as number) >= 1000) start++;
    busiest = Math.max(busiest, end - start + 1);
  }
  const twice = duplicates > 0 ? `${duplicates} people got the message more than once` : undefined;
  return {
    limit,
    people,
    timeZone,
    sends: times.length,
    uniqueRecipients: sendsTo.size,
    duplicates,
    firstToLastS: durationS,
    achievedPerSecond: achieved,
    achievedPercent: (achieved / limit) * 100,
    busiestSecond: busiest,
    sendToFirstSmsMs: times.length > 0 ? (times[0] as number) - sendAt : Number.NaN,
    completed: problem === undefined,
    problem: [problem, twice].filter(Boolean).join('; ') || undefined,
  };
}

// ---- output ----

const fixed = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '-');

function printTable(header: string[], lines: string[][]): void {
  const widths = header.map((title, i) => Math.max(title.length, ...lines.map((line) => (line[i] ?? '').length)));
  const format = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');
  console.log(`\n${format(header)}\n${widths.map((width) => '-'.repeat(width)).join('  ')}`);
  for (const line of lines) console.log(format(line));
}

function printEnqueue(result: EnqueueResult): void {
  const { ms, recipients } = result;
  const perSecond = (part: number) => fixed(recipients / (part / 1000), 0);
  console.log(`\nenqueue: ${recipients} recipients on ${result.backend}`);
  printTable(
    ['step', 'ms', 'recipients/s'],
    [
      ['migrate (not counted)', fixed(ms.migrate), '-'],
      ['generate the list in memory (not counted)', fixed(ms.generate), '-'],
      ['importAudience (contacts, identities, consent)', fixed(ms.import), perSecond(ms.import)],
      ['createBroadcast', fixed(ms.create), '-'],
      ['addRecipients', fixed(ms.add), perSecond(ms.add)],
      ['total (import + create + add)', fixed(ms.total), fixed(result.recipientsPerSecond, 0)],
    ],
  );
  const walk = result.dispatcherWalk;
  console.log(`\ndispatcher database work, batches of ${walk.batchSize} (rate ${walk.ratePerSecond}/s), nothing sent`);
  printTable(
    ['per batch', 'ms'],
    [
      ['pendingRecipients, first batch (all pending)', fixed(walk.queryFirstMs, 2)],
      ['pendingRecipients, near the end (last full batch)', fixed(walk.queryNearEndMs, 2)],
      [`pendingRecipients, median over ${walk.batches} batches`, fixed(walk.queryP50Ms, 2)],
      ['pendingRecipients, slowest', fixed(walk.queryMaxMs, 2)],
      ['markRecipients queued, median', fixed(walk.markP50Ms, 2)],
    ],
  );
  console.log(
    `the dispatcher's database work alone would allow ~${fixed(walk.ceilingPerSecond, 0)} recipients/s ` +
      '(batch / (median query + median mark))',
  );
}

function printRates(results: RateResult[]): void {
  printTable(
    ['limit/s', 'people', 'sends', 'first-last s', 'achieved/s', 'of limit', 'busiest 1 s', 'send-1st SMS ms', 'twice'],
    results.map((r) => [
      String(r.limit),
      String(r.people),
      String(r.sends),
      fixed(r.firstToLastS, 2),
      fixed(r.achievedPerSecond),
      `${fixed(r.achievedPercent)} %`,
      String(Number.isFinite(r.busiestSecond) ? r.busiestSecond : '-'),
      fixed(r.sendToFirstSmsMs, 0),
      String(r.duplicates),
    ]),
  );
  console.log(
    'achieved = (sends - 1) / (last - first send at the fake Twilio); busiest = most sends in a sliding second',
  );
  for (const r of results) if (r.problem) console.log(`FAILED at ${r.limit}/s: ${r.problem}`);
}

async function writeResults(
  settings: Settings,
  enqueue: EnqueueResult,
  rates: RateResult[],
  ratesSkipped: string | undefined,
) {
  const results = {
    benchmark: 'broadcast',
    finishedAt: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version, platform: process.platform },
    settings,
    enqueue,
    sendRates: rates,
    sendRatesSkipped: ratesSkipped ?? null,
  };
  await mkdir(dirname(RESULTS_FILE), { recursive: true });
  await writeFile(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nresults written to ${RESULTS_FILE}`);
}

async function main(): Promise<number> {
  const settings = readSettings();
  console.log(
    `broadcast benchmark: ${settings.recipients} recipients enqueued; send rate at ${settings.limits.join(', ')}/s ` +
      `for ${settings.seconds} s each; ${cpus().length} CPUs, Node ${process.version}\n`,
  );
  const postgres = await postgresReachable();
  if (!postgres) {
    console.log(`PostgreSQL at ${POSTGRES_URL} does not answer: enqueue runs on PGlite, the send rates are skipped.`);
  }

  console.log(`1/2 enqueue ${settings.recipients} recipients`);
  const enqueue = await runEnqueueBench(settings, postgres);

  const rates: RateResult[] = [];
  const ratesSkipped = postgres ? undefined : `PostgreSQL at ${POSTGRES_URL} did not answer`;
  if (postgres) {
    console.log(`\n2/2 send rate (gateway start, temporary PostgreSQL, fake Twilio)`);
    for (const limit of settings.limits) {
      const result = await runRateBench(limit, settings);
      rates.push(result);
      if (result.problem) console.log(`  ${limit}/s: ${result.problem}`);
    }
  }

  printEnqueue(enqueue);
  if (postgres) printRates(rates);
  else console.log(`\nsend rates skipped: ${ratesSkipped} (the gateway and this script must share a database)`);
  await writeResults(settings, enqueue, rates, ratesSkipped);
  return rates.some((r) => r.problem !== undefined) ? 1 : 0;
}

cleanUpOnSignals();
try {
  process.exit(await main());
} catch (error) {
  progress.clear();
  console.error(`\nbenchmark failed: ${(error as Error).message}`);
  process.exit(1);
}
