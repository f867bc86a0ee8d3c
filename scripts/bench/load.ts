/**
 * Load benchmark: the gateway scaled out on one Redis, driven by customers of
 * every channel, beside what BullMQ alone does on the same Redis.
 *
 *   npm run bench:load [-- --workers 1,2,4 --gateways 2 --steady-rate 100 --steady-seconds 20 --burst 4000]
 *   npm run bench:load -- --redraw     (the chart again from the last results file, nothing run)
 *
 * For each worker count: G gateway processes and W worker processes
 * (`gateway gateway`, `gateway worker`) on one Redis and a PostgreSQL
 * database made for the run, the echo bot answering, fake providers on
 * 127.0.0.1 (see load/providers.ts). Customers write as each provider
 * delivers (load/customers.ts); phases in load/scenario.ts. Measured:
 * webhook / socket acknowledgement p50 and p99, end-to-end (webhook call ->
 * the provider API called with the reply) p50 and p99 and throughput, and
 * what an idle conversation keeps in Redis. Then the raw BullMQ two-stage
 * ceiling with as many jobs as the burst.
 *
 * Prints tables, writes bench-results/load-latest.json and draws
 * docs/bench/load.png (Chart.js in headless Chromium). Needs Redis, PostgreSQL
 * (TEST_DATABASE_URL) and, for the chart only, Chromium. Figures, not pass/fail:
 * it exits non-zero only when something is lost or overdue.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runCeilingBench } from './bullmq-scenario.js';
import { type ChartInput, drawLoadChart } from './load/chart.js';
import { CHANNELS } from './load/customers.js';
import { startProviders } from './load/providers.js';
import { runScaleStep, type ScaleStepResult, type ScenarioSettings } from './load/scenario.js';
import type { LatencySummary } from './stats.js';
import { cleanUpOnSignals, Teardown } from './teardown.js';

const RESULTS_FILE = fileURLToPath(new URL('../../bench-results/load-latest.json', import.meta.url));
const CHART_FILE = fileURLToPath(new URL('../../docs/bench/load.png', import.meta.url));

interface Settings extends ScenarioSettings {
  workers: number[];
  redraw: boolean;
}

function readSettings(): Settings {
  const { values } = parseArgs({
    options: {
      workers: { type: 'string', default: '1,2,4' },
      gateways: { type: 'string', default: '2' },
      'steady-rate': { type: 'string', default: '100' },
      'steady-seconds': { type: 'string', default: '20' },
      burst: { type: 'string', default: '4000' },
      redraw: { type: 'boolean', default: false },
    },
  });
  const count = (name: string, text: string, min: number) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number of at least ${min}`);
    return n;
  };
  return {
    workers: values.workers.split(',').map((text) => count('workers', text.trim(), 1)),
    gateways: count('gateways', values.gateways, 1),
    steadyRate: count('steady-rate', values['steady-rate'], 10),
    steadySeconds: count('steady-seconds', values['steady-seconds'], 5),
    burst: count('burst', values.burst, 100),
    // The gateway's defaults (WORKER_CONCURRENCY, SENDER_CONCURRENCY).
    workerConcurrency: 16,
    senderConcurrency: 16,
    overdueMs: 120_000,
    redraw: values.redraw,
  };
}

const ms = (value: number | undefined) => (value !== undefined && Number.isFinite(value) ? value.toFixed(1) : '-');
const pair = (summary: LatencySummary | undefined) => `${ms(summary?.p50Ms)} / ${ms(summary?.p99Ms)}`;

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)));
  const format = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');
  console.log(`${format(header)}\n${widths.map((width) => '-'.repeat(width)).join('  ')}`);
  for (const row of rows) console.log(format(row));
}

function printStep(step: ScaleStepResult, settings: Settings): void {
  console.log(
    `\n${step.gateways} gateways + ${step.workers} worker(s), steady ${settings.steadyRate}/s for ` +
      `${settings.steadySeconds} s, by channel (ms):`,
  );
  printTable(
    ['channel', 'messages', 'ack p50 / p99', 'end-to-end p50 / p99'],
    CHANNELS.map((channel) => {
      const figures = step.steady.byChannel[channel];
      return [channel, String(figures?.messages ?? 0), pair(figures?.ack), pair(figures?.endToEnd)];
    }),
  );
}

function printSummary(steps: ScaleStepResult[], ceiling: LatencySummary): void {
  console.log('\nScaling (burst: SMS and web chat at once; steady: every channel):');
  printTable(
    [
      'workers',
      'burst msg/s',
      'of ceiling',
      'burst e2e p50 / p99 ms',
      'steady ack p50 / p99 ms',
      'steady e2e p50 / p99 ms',
      'Redis cmds / msg',
      'PG commits / msg',
      'dup',
    ],
    steps.map((step) => [
      String(step.workers),
      step.burst.throughput.toFixed(0),
      `${((step.burst.throughput / ceiling.throughput) * 100).toFixed(1)} %`,
      pair(step.burst.endToEnd),
      pair(step.steady.ack),
      pair(step.steady.endToEnd),
      step.burstCost.redisCommands.toFixed(0),
      step.burstCost.pgCommits.toFixed(1),
      String(step.burst.duplicates + step.steady.duplicates),
    ]),
  );
  console.log(
    `\nraw BullMQ two-stage ceiling, same Redis, ${ceiling.count} jobs: ${ceiling.throughput.toFixed(0)} jobs/s, ` +
      `p50 ${ms(ceiling.p50Ms)} ms, p99 ${ms(ceiling.p99Ms)} ms`,
  );
  const memory = steps.at(-1)?.memory;
  if (memory) {
    console.log(
      `\nRedis, once idle (${memory.conversations} conversations, ${memory.messages} messages): ` +
        `${Math.round(memory.bytesPerIdleConversation)} bytes per idle conversation; ` +
        `${Math.round(memory.bytesPerMessageMarker)} bytes per message for its dedup marker ` +
        `(kept DEDUP_TTL_SECONDS, 48 h by default); ${Math.round(memory.queueHistoryBytes / 1024)} KiB of job history (capped)`,
    );
    printTable(
      ['key family', 'kind', 'keys', 'bytes'],
      memory.families.slice(0, 12).map((f) => [f.family, f.kind, String(f.keys), String(f.bytes)]),
    );
  }
}

async function main(): Promise<void> {
  cleanUpOnSignals();
  const settings = readSettings();
  if (settings.redraw) {
    const results = JSON.parse(await readFile(RESULTS_FILE, 'utf8')) as ChartInput;
    await drawLoadChart(results, CHART_FILE);
    console.log(`chart of ${RESULTS_FILE} (${results.finishedAt}) drawn in ${CHART_FILE}`);
    return;
  }
  console.log(
    `load benchmark: ${settings.gateways} gateways, workers ${settings.workers.join(' -> ')}, ` +
      `steady ${settings.steadyRate}/s for ${settings.steadySeconds} s, burst ${settings.burst}; ` +
      `${cpus().length} CPUs (${cpus()[0]?.model ?? '?'})`,
  );
  const teardown = new Teardown();
  const steps: ScaleStepResult[] = [];
  try {
    const providers = await startProviders(teardown);
    for (const workers of settings.workers) {
      const step = await runScaleStep(workers, providers, settings);
      steps.push(step);
      printStep(step, settings);
    }
  } finally {
    await teardown.run();
  }
  console.log('\n  raw BullMQ ceiling: queue A -> worker -> queue B -> worker, on the same Redis');
  const tracker = await runCeilingBench({
    jobs: settings.burst,
    warmup: 200,
    concurrencyA: settings.workerConcurrency,
    concurrencyB: settings.senderConcurrency,
    timeoutMs: settings.overdueMs,
  });
  const ceiling = tracker.summary();
  printSummary(steps, ceiling);

  const results = {
    benchmark: 'load',
    finishedAt: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
    },
    settings,
    ceiling,
    steps,
  };
  await mkdir(dirname(RESULTS_FILE), { recursive: true });
  await writeFile(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nresults written to ${RESULTS_FILE}`);
  try {
    await mkdir(dirname(CHART_FILE), { recursive: true });
    await drawLoadChart(results, CHART_FILE);
    console.log(`chart drawn in ${CHART_FILE}`);
  } catch (error) {
    console.log(`chart not drawn (${(error as Error).message}); the figures above stand`);
  }
  const duplicates = steps.reduce((sum, step) => sum + step.burst.duplicates + step.steady.duplicates, 0);
  if (duplicates > 0) {
    console.error(`${duplicates} replies were sent twice`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
