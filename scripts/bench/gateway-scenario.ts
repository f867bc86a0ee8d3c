/**
 * End to end through the real gateway: `gateway start` (all roles in one
 * process, PGlite in a temp dir, a Redis key prefix of its own), V web chat
 * visitors each sending M messages to the demo bot, which echoes them.
 * Latency per message: frame sent -> the bot's reply frame read off the socket.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ECHO_BOT_DIR, echoed } from '../../test/support/cluster.js';
import { type GatewayProcess, startGateway } from '../../test/support/gateway-process.js';
import { deletePrefix, openRedis } from '../../test/support/services.js';
import { type Histogram, histogramDelta, histogramQuantile, parseHistogram, type QuantileEstimate } from './stats.js';
import { Teardown } from './teardown.js';
import { Tracker } from './tracker.js';
import { BenchVisitor } from './visitor.js';

export interface GatewayBenchOptions {
  visitors: number;
  messages: number;
  warmup: number;
  workerConcurrency: number;
  senderConcurrency: number;
  /** How long a reply may be overdue before the run fails. */
  replyTimeoutMs: number;
}

/**
 * The gateway's own view: passerelle_receive_to_send_seconds{channel="webchat"}
 * over the measured batch. Percentiles are estimated from the buckets; each
 * comes with the bucket it lies in (ms), which is all the histogram really knows.
 */
export interface ServerSideFigures {
  count: number;
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  buckets: { p50: [number, number]; p95: [number, number]; p99: [number, number] };
}

export interface GatewayBenchResult {
  /** Frame sent -> the bot's reply frame received: the figure asked for. */
  replies: Tracker;
  /** Frame sent -> the gateway's ack received (the message is on the inbound queue): the ingress part alone. */
  acks: Tracker;
  server: ServerSideFigures | undefined;
}

/** One batch of messages: the replies and the acks are timed separately. */
interface Batch {
  replies: Tracker;
  acks: Tracker;
}

const SERVER_HISTOGRAM = 'passerelle_receive_to_send_seconds';

export async function runGatewayBench(options: GatewayBenchOptions): Promise<GatewayBenchResult> {
  const teardown = new Teardown();
  try {
    const gateway = await startBenchGateway(options, teardown);
    let batch = newBatch('warm-up', options.warmup);
    const visitors = await connectVisitors(gateway.url, options.visitors, teardown, () => batch);
    console.log(`  ${visitors.length} visitors connected; warming up with ${options.warmup} messages`);

    sendWarmup(visitors, batch);
    await waitForBatch(batch, options.replyTimeoutMs);

    const before = await scrapeHistogram(gateway.url);
    batch = newBatch('gateway', options.visitors * options.messages);
    sendMeasured(visitors, options.messages, batch);
    await waitForBatch(batch, options.replyTimeoutMs);
    const after = await scrapeHistogram(gateway.url);

    return { ...batch, server: after ? serverFigures(histogramDelta(after, before)) : undefined };
  } finally {
    await teardown.run();
  }
}

function newBatch(label: string, size: number): Batch {
  return { replies: new Tracker(label, size), acks: new Tracker(`${label} acks`, size) };
}

/** Replies come after acks, so once every reply is in the acks normally are too. */
async function waitForBatch(batch: Batch, timeoutMs: number): Promise<void> {
  await batch.replies.waitForAll(timeoutMs);
  if (batch.acks.done < batch.acks.total) await batch.acks.waitForAll(timeoutMs);
}

async function startBenchGateway(options: GatewayBenchOptions, teardown: Teardown): Promise<GatewayProcess> {
  const dataDir = await mkdtemp(join(tmpdir(), 'passerelle-bench-'));
  teardown.add(`remove ${dataDir}`, () => rm(dataDir, { recursive: true, force: true }));
  const prefix = `bench-gw-${process.pid}-${Date.now().toString(36)}`;
  const redis = openRedis('bench-gateway-admin');
  teardown.add('close the admin Redis connection', () => redis.quit());
  // Registered before the gateway is started, so it runs after the gateway stopped.
  teardown.add(`delete Redis keys under ${prefix}`, () => deletePrefix(redis, prefix));

  const gateway = await startGateway({
    command: ['start'],
    env: {
      PORT: '0',
      DATA_DIR: dataDir,
      // The echo bot: every message gets one reply that names it, which the visitors check.
      BOT_DIR: ECHO_BOT_DIR,
      REDIS_KEY_PREFIX: prefix,
      // info, not warn: startGateway learns the port and readiness from the 'gateway ready' line.
      LOG_LEVEL: 'info',
      WORKER_CONCURRENCY: String(options.workerConcurrency),
      SENDER_CONCURRENCY: String(options.senderConcurrency),
    },
    timeoutMs: 60_000,
  });
  teardown.add('stop the gateway', () => stopGateway(gateway));
  console.log(`  gateway pid ${gateway.child.pid} listening on ${gateway.url} (key prefix ${prefix})`);
  return gateway;
}

/** SIGTERM, as an operator stops it; SIGKILL if it has not exited 30 s later. */
async function stopGateway(gateway: GatewayProcess): Promise<void> {
  const timer = setTimeout(() => gateway.child.kill('SIGKILL'), 30_000);
  const code = await gateway.stop('SIGTERM');
  clearTimeout(timer);
  if (code !== 0) console.error(`  note: the gateway exited with code ${code} (0 expected after SIGTERM)`);
}

async function connectVisitors(
  url: string,
  count: number,
  teardown: Teardown,
  current: () => Batch,
): Promise<BenchVisitor[]> {
  const visitors = await Promise.all(
    Array.from({ length: count }, () =>
      BenchVisitor.connect(url, {
        onBotText: (text, at) => current().replies.received(echoed(text) ?? `(not an echo) ${text}`, at),
        onAck: (id, at) => current().acks.received(id, at),
        onProblem: (problem) => current().replies.fail(new Error(problem)),
      }),
    ),
  );
  teardown.add('close the web chat sockets', () => Promise.all(visitors.map((visitor) => visitor.close())));
  return visitors;
}

/** Round robin over the visitors, so that every conversation exists before the measured run. */
function sendWarmup(visitors: BenchVisitor[], batch: Batch): void {
  for (let n = 0; n < batch.replies.total; n++) {
    const v = n % visitors.length;
    send(visitors[v], batch, `warmup-v${v}-n${n}`, `warmup v${v} n${n}`);
  }
}

/** Open loop: every visitor sends all its messages at once, all visitors in parallel. */
function sendMeasured(visitors: BenchVisitor[], messages: number, batch: Batch): void {
  visitors.forEach((visitor, v) => {
    for (let m = 1; m <= messages; m++) send(visitor, batch, `bench-v${v}-m${m}`, `bench v${v} m${m}`);
  });
}

/** Replies are matched by their text (the echo), acks by the frame id. */
function send(visitor: BenchVisitor | undefined, batch: Batch, id: string, text: string): void {
  batch.replies.sent(text);
  batch.acks.sent(id);
  visitor?.say(id, text);
}

async function scrapeHistogram(url: string): Promise<Histogram | undefined> {
  const response = await fetch(`${url}/metrics`);
  if (!response.ok) throw new Error(`GET /metrics answered ${response.status}`);
  return parseHistogram(await response.text(), SERVER_HISTOGRAM, { channel: 'webchat' });
}

function serverFigures(histogram: Histogram): ServerSideFigures {
  const p50 = histogramQuantile(histogram, 0.5);
  const p95 = histogramQuantile(histogram, 0.95);
  const p99 = histogramQuantile(histogram, 0.99);
  const bucket = (e: QuantileEstimate): [number, number] => [e.lower * 1000, e.upper * 1000];
  return {
    count: histogram.count,
    meanMs: histogram.count > 0 ? (histogram.sum / histogram.count) * 1000 : Number.NaN,
    p50Ms: p50.estimate * 1000,
    p95Ms: p95.estimate * 1000,
    p99Ms: p99.estimate * 1000,
    buckets: { p50: bucket(p50), p95: bucket(p95), p99: bucket(p99) },
  };
}
