/**
 * One scale step of the load benchmark: G gateways and W workers started
 * fresh, then three phases on them.
 *
 * 1. Warm-up: one message from every conversation (they exist afterwards,
 *    with a session each). Not counted.
 * 2. Steady: every channel at once, at a fixed total rate, paced evenly (an
 *    open loop: a message leaves on time whether or not the earlier ones were
 *    answered), for a set time. The latencies a customer sees at a normal
 *    load, per channel. Telegram, Bot Framework and WhatsApp get shares below
 *    their accounts' send rates (25/s, 30/s, 1/s), which the gateway honours:
 *    above them, latency would be the provider's limit, not the gateway.
 * 3. Burst: N messages at once over SMS and web chat (the channels whose
 *    rate is the brand's to raise), webhooks 64 at a time: the most the
 *    system delivers per second, and the latency when it is saturated.
 *
 * Around the burst, what each message cost Redis and PostgreSQL (counted by
 * the servers); then, once idle, what the conversations keep in Redis.
 */
import { performance } from 'node:perf_hooks';
import { loggedProblems } from '../../../test/support/fault-report.js';
import type { GatewayProcess } from '../../../test/support/gateway-process.js';
import { openRedis, waitFor } from '../../../test/support/services.js';
import { Teardown } from '../teardown.js';
import { CHANNELS, type CustomerSide, customers, type LoadChannel } from './customers.js';
import { Phase, type PhaseFigures } from './measure.js';
import type { Providers } from './providers.js';
import { measureRedisMemory, type RedisMemory } from './redis-memory.js';
import { costPerMessage, readServerCounts, type ServerCostPerMessage } from './server-cost.js';
import { startTopology } from './topology.js';

export interface ScenarioSettings {
  gateways: number;
  steadyRate: number;
  steadySeconds: number;
  burst: number;
  workerConcurrency: number;
  senderConcurrency: number;
  overdueMs: number;
}

export interface ScaleStepResult {
  workers: number;
  gateways: number;
  steady: PhaseFigures;
  burst: PhaseFigures;
  /** What one burst message cost Redis and PostgreSQL. */
  burstCost: ServerCostPerMessage;
  memory: RedisMemory;
}

/** Conversations per channel, and each channel's share of the steady rate (capped at its account's pace). */
const MIX: Record<LoadChannel, { conversations: number; share: number; maxPerSecond: number }> = {
  webchat: { conversations: 120, share: 0.36, maxPerSecond: Number.POSITIVE_INFINITY },
  sms: { conversations: 120, share: 0.36, maxPerSecond: Number.POSITIVE_INFINITY },
  telegram: { conversations: 40, share: 0.12, maxPerSecond: 20 },
  teams: { conversations: 20, share: 0.08, maxPerSecond: 20 },
  messenger: { conversations: 20, share: 0.08, maxPerSecond: 20 },
  whatsapp: { conversations: 4, share: 0, maxPerSecond: 0.5 },
};
const WHATSAPP_STEADY_RATE = 0.5;
const BURST_CHANNELS: LoadChannel[] = ['webchat', 'sms'];
const WEBHOOKS_IN_FLIGHT = 64;

export async function runScaleStep(
  workers: number,
  providers: Providers,
  settings: ScenarioSettings,
): Promise<ScaleStepResult> {
  const teardown = new Teardown();
  const started: GatewayProcess[] = [];
  try {
    console.log(`\n  ${settings.gateways} gateway and ${workers} worker processes: starting`);
    const topology = await startTopology(
      {
        gateways: settings.gateways,
        workers,
        env: providers.env,
        workerConcurrency: settings.workerConcurrency,
        senderConcurrency: settings.senderConcurrency,
      },
      teardown,
    );
    started.push(...topology.gateways, ...topology.workers);
    const whatsapp = await providers.linkWhatsapp();
    await waitFor(
      'the WhatsApp session to be ready',
      () => topology.gateways.some((g) => g.logs.some((line) => line.msg === 'WhatsApp session ready')),
      60_000,
    );

    let phase = new Phase('warm-up');
    const stopListening = providers.onDelivery((token, at) => phase.replied(token, at));
    teardown.add('stop listening to the providers', async () => stopListening());
    const side = customers({
      gatewayUrls: topology.gateways.map((gateway) => gateway.url),
      whatsapp,
      serviceUrl: providers.connector.url,
      onWebchatReply: (token, at) => phase.replied(token, at),
      onProblem: (problem) => phase.fail(new Error(problem)),
    });
    teardown.add('close the customers', () => side.close());
    let sequence = 0;
    const send = async (target: Phase, channel: LoadChannel, c: number) => {
      const token = `k${channel}${c}n${++sequence}`;
      target.sending(token, channel, performance.now());
      const { ackMs } = await side.send(channel, c, `Bonjour ${token}`);
      if (ackMs !== undefined) target.acknowledged(channel, ackMs);
    };

    await phase.settle(warmUp(side, phase, send), settings.overdueMs);
    console.log(`    warm-up: ${phase.done} conversations opened`);

    phase = new Phase(`steady ${settings.steadyRate}/s`);
    await phase.settle(steady(phase, settings, send), settings.overdueMs);
    const steadyFigures = phase.figures();

    const counter = openRedis('bench-load-counts');
    teardown.add('close the counting Redis connection', () => counter.quit());
    const before = await readServerCounts(counter, topology.databaseUrl);
    phase = new Phase(`burst of ${settings.burst}`);
    await phase.settle(burst(phase, settings.burst, send), settings.overdueMs);
    const burstFigures = phase.figures();
    const burstCost = costPerMessage(before, await readServerCounts(counter, topology.databaseUrl), settings.burst);
    console.log(
      `    each burst message: ${burstCost.redisCommands.toFixed(0)} Redis commands ` +
        `(${burstCost.redisScripts.toFixed(1)} Lua scripts), ${burstCost.pgCommits.toFixed(1)} PostgreSQL commits`,
    );

    // Retries are part of normal life (a conversation busy elsewhere, a paced send); shown, not hidden.
    printProblems(started);
    const memory = await idleMemory(topology.prefix, sequence);
    console.log(
      `    ${memory.conversations} idle conversations keep ${Math.round(memory.bytesPerIdleConversation)} bytes each in Redis`,
    );
    return { workers, gateways: settings.gateways, steady: steadyFigures, burst: burstFigures, burstCost, memory };
  } catch (error) {
    printProblems(started);
    throw error;
  } finally {
    await teardown.run();
  }
}

/** What the processes logged as warnings or errors, counted: retries under load, or why a run failed. */
function printProblems(processes: GatewayProcess[]): void {
  const named = Object.fromEntries(processes.map((process) => [`pid ${process.child.pid}`, process]));
  console.log(`    warnings and errors logged:\n${loggedProblems(named).replaceAll(/^/gm, '    ')}`);
}

type Send = (phase: Phase, channel: LoadChannel, c: number) => Promise<void>;

async function warmUp(_side: CustomerSide, phase: Phase, send: Send): Promise<void> {
  const sends: Array<Promise<void>> = [];
  for (const channel of CHANNELS) {
    for (let c = 0; c < MIX[channel].conversations; c++) sends.push(send(phase, channel, c));
  }
  await Promise.all(sends);
}

/** Each channel on its own even schedule; conversations taken in turn. */
async function steady(phase: Phase, settings: ScenarioSettings, send: Send): Promise<void> {
  const rates = CHANNELS.map((channel) => ({
    channel,
    perSecond:
      channel === 'whatsapp'
        ? WHATSAPP_STEADY_RATE
        : Math.min(MIX[channel].maxPerSecond, settings.steadyRate * MIX[channel].share),
    sent: 0,
  }));
  const started = performance.now();
  const endAt = started + settings.steadySeconds * 1000;
  const sends: Array<Promise<void>> = [];
  while (performance.now() < endAt) {
    const elapsed = (performance.now() - started) / 1000;
    for (const rate of rates) {
      while (rate.sent < Math.floor(elapsed * rate.perSecond)) {
        sends.push(send(phase, rate.channel, rate.sent % MIX[rate.channel].conversations));
        rate.sent += 1;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await Promise.all(sends);
}

/** Everything at once, webhooks a bounded number at a time as a provider's delivery pool would. */
async function burst(phase: Phase, total: number, send: Send): Promise<void> {
  const jobs: Array<{ channel: LoadChannel; c: number }> = [];
  for (let n = 0; n < total; n++) {
    const channel = BURST_CHANNELS[n % BURST_CHANNELS.length] as LoadChannel;
    jobs.push({ channel, c: Math.floor(n / BURST_CHANNELS.length) % MIX[channel].conversations });
  }
  let next = 0;
  const lane = async () => {
    while (next < jobs.length) {
      const job = jobs[next++] as (typeof jobs)[number];
      await send(phase, job.channel, job.c);
    }
  };
  await Promise.all(Array.from({ length: WEBHOOKS_IN_FLIGHT }, lane));
}

async function idleMemory(prefix: string, messages: number): Promise<RedisMemory> {
  const redis = openRedis('bench-load-memory');
  try {
    const conversations = CHANNELS.reduce((sum, channel) => sum + MIX[channel].conversations, 0);
    return await measureRedisMemory(redis, prefix, { conversations, messages });
  } finally {
    await redis.quit();
  }
}
