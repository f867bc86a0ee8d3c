/**
 * Pipeline benchmark: how fast, and with what latency, a message goes through
 * the gateway, next to what BullMQ alone can do on the same Redis.
 *
 *   npm run bench [-- --visitors 50 --messages 20 --warmup 50]
 *
 * 1. Gateway, end to end: starts `gateway start` (every role in one process,
 *    PGlite in a fresh temp dir, its own Redis key prefix). V web chat visitors
 *    (WebSockets speaking the widget protocol) each send M messages; the demo
 *    bot echoes each one. Open loop: every visitor sends all of its messages at
 *    once, all visitors in parallel; a message's latency runs from its frame
 *    being sent to the bot's echo of it being read off the socket, so it
 *    includes waiting behind the earlier messages of the same conversation
 *    (one at a time per conversation, by design) and the loopback socket hop
 *    both ways. Throughput is replies per second from the first send to the
 *    last reply. A warm-up goes first and is not counted (--warmup messages,
 *    round robin over the visitors: one each with the defaults). The time
 *    from a frame sent to the gateway's ack of it (message on the inbound
 *    queue) is shown too. The gateway's own histogram
 *    passerelle_receive_to_send_seconds (message received -> reply leaving
 *    the channel sender) is scraped from GET /metrics before and after the
 *    measured batch and shown beside it, its percentiles estimated from the
 *    buckets by linear interpolation.
 * 2. BullMQ ceiling: queue A -> a Worker adding to queue B -> a Worker on B,
 *    the same number of jobs, the gateway's default concurrency on each stage,
 *    also open loop; latency from add(A) to B's processor running.
 *
 * Prints a table, writes bench-results/pipeline-latest.json, exits non-zero
 * when something fails (e.g. a reply overdue by 60 s). Figures, not pass/fail.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runCeilingBench } from './bullmq-scenario.js';
import { type GatewayBenchResult, runGatewayBench, type ServerSideFigures } from './gateway-scenario.js';
import type { LatencySummary } from './stats.js';
import { cleanUpOnSignals } from './teardown.js';
import type { Tracker } from './tracker.js';

const RESULTS_FILE = fileURLToPath(new URL('../../bench-results/pipeline-latest.json', import.meta.url));
/** The gateway's defaults (WORKER_CONCURRENCY, SENDER_CONCURRENCY), passed explicitly to both scenarios. */
const WORKER_CONCURRENCY = 16;
const SENDER_CONCURRENCY = 16;
const REPLY_TIMEOUT_MS = 60_000;
const MODE =
  'open loop: each visitor sends all its messages at once, visitors in parallel; latency = frame sent -> reply frame received';

interface Settings {
  visitors: number;
  messages: number;
  warmup: number;
}

function readSettings(): Settings {
  const { values } = parseArgs({
    options: {
      visitors: { type: 'string', default: '50' },
      messages: { type: 'string', default: '20' },
      warmup: { type: 'string', default: '50' },
    },
  });
  const count = (name: string, text: string, min: number) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number of at least ${min}`);
    return n;
  };
  return {
    visitors: count('visitors', values.visitors, 1),
    messages: count('messages', values.messages, 1),
    warmup: count('warmup', values.warmup, 0),
  };
}

interface Row {
  scenario: string;
  summary: LatencySummary;
  duplicates: number;
  unexpected: number;
  /** False for a part of another scenario: its rate is that scenario's. */
  hasThroughput: boolean;
}

function rowOf(scenario: string, tracker: Tracker, hasThroughput = true): Row {
  const { duplicates, unexpected } = tracker;
  return { scenario, summary: tracker.summary(), duplicates, unexpected, hasThroughput };
}

const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : '-');

function cellsOf(row: Row): string[] {
  const { count, throughput, p50Ms, p95Ms, p99Ms, maxMs } = row.summary;
  const rate = row.hasThroughput ? throughput.toFixed(1) : '-';
  return [row.scenario, String(count), rate, ms(p50Ms), ms(p95Ms), ms(p99Ms), ms(maxMs)];
}

function serverCells(server: ServerSideFigures): string[] {
  const { count, p50Ms, p95Ms, p99Ms } = server;
  return [
    '  server-side receive -> send (histogram)',
    String(count),
    '-',
    `~${ms(p50Ms)}`,
    `~${ms(p95Ms)}`,
    `~${ms(p99Ms)}`,
    '-',
  ];
}

function printTable(lines: string[][]): void {
  const header = ['scenario', 'messages', 'msg/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'];
  const widths = header.map((title, i) => Math.max(title.length, ...lines.map((line) => (line[i] ?? '').length)));
  const format = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');
  console.log(`\n${format(header)}\n${widths.map((width) => '-'.repeat(width)).join('  ')}`);
  for (const line of lines) console.log(format(line));
}

function printNotes(rows: Row[], server: ServerSideFigures | undefined, ratio: number): void {
  console.log(`\ngateway / ceiling throughput: ${ratio.toFixed(3)} (${(ratio * 100).toFixed(1)} %)`);
  console.log(`mode: ${MODE}`);
  if (server) {
    const within = ([lower, upper]: [number, number]) => `(${lower}, ${upper}] ms`;
    console.log(
      `server-side: passerelle_receive_to_send_seconds{channel="webchat"} over the measured batch only, ` +
        `mean ${server.meanMs.toFixed(1)} ms; percentiles interpolated inside their bucket: ` +
        `p50 in ${within(server.buckets.p50)}, p95 in ${within(server.buckets.p95)}, p99 in ${within(server.buckets.p99)}`,
    );
    console.log(
      'server-side starts when the gateway handles the frame (after earlier frames of the same socket were queued) ' +
        'and ends after the reply is published and its delivery recorded; the client adds the loopback hops',
    );
  } else console.log('server-side: histogram passerelle_receive_to_send_seconds{channel="webchat"} not found');
  for (const row of rows) {
    if (row.duplicates > 0 || row.unexpected > 0) {
      console.log(`${row.scenario}: ${row.duplicates} duplicate and ${row.unexpected} unexpected answers (ignored)`);
    }
  }
}

async function writeResults(settings: Settings, rows: Row[], server: ServerSideFigures | undefined, ratio: number) {
  const results = {
    benchmark: 'pipeline',
    finishedAt: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version, platform: process.platform },
    settings: {
      ...settings,
      workerConcurrency: WORKER_CONCURRENCY,
      senderConcurrency: SENDER_CONCURRENCY,
      mode: MODE,
    },
    scenarios: rows,
    serverSide: server ? { metric: 'passerelle_receive_to_send_seconds{channel="webchat"}', ...server } : null,
    gatewayToCeilingThroughputRatio: ratio,
  };
  await mkdir(dirname(RESULTS_FILE), { recursive: true });
  await writeFile(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`results written to ${RESULTS_FILE}`);
}

async function main(): Promise<void> {
  const settings = readSettings();
  const total = settings.visitors * settings.messages;
  console.log(
    `pipeline benchmark: ${settings.visitors} visitors x ${settings.messages} messages = ${total} ` +
      `(+${settings.warmup} warm-up); ${cpus().length} CPUs, Node ${process.version}\nmode: ${MODE}\n`,
  );

  console.log('1/2 gateway end to end (gateway start, PGlite, web chat, demo bot)');
  const gateway: GatewayBenchResult = await runGatewayBench({
    ...settings,
    workerConcurrency: WORKER_CONCURRENCY,
    senderConcurrency: SENDER_CONCURRENCY,
    replyTimeoutMs: REPLY_TIMEOUT_MS,
  });

  console.log('\n2/2 BullMQ two-stage ceiling (queue A -> worker -> queue B -> worker)');
  const ceiling = await runCeilingBench({
    jobs: total,
    warmup: settings.warmup,
    concurrencyA: WORKER_CONCURRENCY,
    concurrencyB: SENDER_CONCURRENCY,
    timeoutMs: REPLY_TIMEOUT_MS,
  });

  const endToEnd = rowOf('gateway end to end (web chat)', gateway.replies);
  const ingress = rowOf('  of which: sent -> ack (queued)', gateway.acks, false);
  const bullmq = rowOf('BullMQ two-stage ceiling', ceiling);
  const rows = [endToEnd, ingress, bullmq];
  const ratio = endToEnd.summary.throughput / bullmq.summary.throughput;
  const server = gateway.server;
  printTable([cellsOf(endToEnd), cellsOf(ingress), ...(server ? [serverCells(server)] : []), cellsOf(bullmq)]);
  printNotes(rows, server, ratio);
  await writeResults(settings, rows, server, ratio);
}

cleanUpOnSignals();
try {
  await main();
  process.exit(0);
} catch (error) {
  console.error(`\nbenchmark failed: ${(error as Error).message}`);
  process.exit(1);
}
