/**
 * Dialog benchmark: how long one dialog step takes, connectors excluded.
 *
 *   npm run bench:dialog [-- --conversations 2000]
 *
 * Each conversation is a realistic demo-bot exchange (greeting, a FAQ
 * question with a typo, an English FAQ question, "did you mean", the order
 * flow with a wrong then a right number, a menu choice typed as "2",
 * gibberish twice). Order lookups go to an in-memory connector that answers
 * at once, so the figures are the engine's own cost.
 *
 * 1. Engine: DialogEngine.answer() alone, in this process (text matching,
 *    FAQ search, flow walking, templates).
 * 2. Step with its session: load the session from Redis, answer, save it
 *    back: what the dialog worker does per message besides the database.
 * Also: loading the bot folder (start-up and every hot reload) and the size
 * of a session in Redis. Figures, not pass/fail.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { type Contact, inboundEvent } from '@passerelle/core';
import type { ConnectorSet, Order } from '@passerelle/crm-connectors';
import { type BotState, DialogEngine, type DialogServices, loadBot, SessionStore } from '@passerelle/dialog';
import { deletePrefix, openRedis, uniquePrefix } from '../../test/support/services.js';
import { summarise } from './stats.js';

const BOT_DIR = new URL('../../bots/demo', import.meta.url).pathname;

/** What a customer types, in order; "2" picks the second option shown. */
const SCRIPT = [
  'Bonjour',
  'livraision gratuite a partir de combien ?',
  'what are your opening hours',
  'livraison',
  'où est ma commande',
  '12345',
  'ML-10234',
  '2',
  'blorp zzz',
  'xyzzy plugh',
  'Quels moyens de paiement acceptez-vous ?',
  'menu',
];

const { values } = parseArgs({ options: { conversations: { type: 'string', default: '2000' } } });
const conversations = Number(values.conversations);

const ORDER: Order = {
  number: 'ML-10234',
  status: 'shipped',
  placedAt: '2026-11-20T10:00:00Z',
  total: { amount: 129, currency: 'EUR' },
  trackingUrl: 'https://tracking.example/6A10234',
};
const connectors: ConnectorSet = {
  orders: {
    findOrder: async (number) => (number.toUpperCase() === ORDER.number ? ORDER : undefined),
    recentOrders: async () => [ORDER],
  },
};
const contact: Contact = { id: 'ct_bench', displayName: 'Zoé Martin', phone: null, email: null, locale: null };

function services(): DialogServices {
  return {
    connectors,
    optOut: async () => true,
    optIn: async () => true,
    consent: async () => 'unknown',
    campaignEvent: async () => {},
    broadcastHandled: async () => {},
    requestHandoff: async () => ({ queued: true, id: 'ho_bench', position: 1, minutes: 1 }),
    handoffStatus: async () => 'waiting',
    cancelHandoff: async () => {},
    createTicket: async () => ({ id: 'T-BENCH1' }),
    now: () => new Date(),
  };
}

function eventFor(conversation: number, step: number, text: string) {
  return inboundEvent({
    channel: 'webchat',
    account: 'bench',
    providerMessageId: `c${conversation}-m${step}`,
    thread: `visitor-${conversation}`,
    sender: { id: `visitor-${conversation}` },
    receivedAt: new Date(),
    kind: 'message',
    content: { text },
  });
}

function row(label: string, samples: number[], durationMs: number): string {
  const s = summarise(samples, durationMs);
  const f = (ms: number) => `${ms < 1 ? ms.toFixed(3) : ms.toFixed(2)} ms`;
  return `  ${label.padEnd(34)} ${String(s.count).padStart(7)} steps  ${Math.round(s.throughput).toString().padStart(6)}/s   p50 ${f(s.p50Ms)}  p95 ${f(s.p95Ms)}  p99 ${f(s.p99Ms)}  max ${f(s.maxMs)}`;
}

async function main(): Promise<void> {
  console.log(
    `dialog bench: ${conversations} conversations x ${SCRIPT.length} messages, demo bot, connectors answer at once`,
  );

  const loads: number[] = [];
  let bot = await loadBot(BOT_DIR);
  for (let i = 0; i < 20; i += 1) {
    const started = performance.now();
    bot = await loadBot(BOT_DIR);
    loads.push(performance.now() - started);
  }
  const engine = new DialogEngine(bot);
  const heapBefore = process.memoryUsage().heapUsed;

  // 1. The engine alone. Conversations are interleaved, as a worker sees them.
  const states = new Map<number, BotState>();
  const engineSamples: number[] = [];
  const byMessage = SCRIPT.map(() => [] as number[]);
  const engineStart = performance.now();
  for (const [step, text] of SCRIPT.entries()) {
    for (let c = 0; c < conversations; c += 1) {
      const started = performance.now();
      const answer = await engine.answer({
        event: eventFor(c, step, text),
        contact,
        state: states.get(c) ?? {},
        services: services(),
      });
      const elapsed = performance.now() - started;
      engineSamples.push(elapsed);
      byMessage[step]?.push(elapsed);
      states.set(c, answer.state);
      if (answer.messages.length === 0) throw new Error(`no answer to "${text}" in conversation ${c}`);
    }
    process.stdout.write(`\r  engine: message ${step + 1}/${SCRIPT.length}`);
  }
  const engineDuration = performance.now() - engineStart;
  process.stdout.write('\n');
  const sessionBytes = [...states.values()].map((state) => Buffer.byteLength(JSON.stringify(state)));
  const heapAfter = process.memoryUsage().heapUsed;

  // 2. With the session in Redis, as the worker does it (load, answer, save).
  const redis = openRedis('bench-dialog');
  const prefix = uniquePrefix('bench-dialog');
  const store = new SessionStore(redis, prefix);
  const stepSamples: number[] = [];
  const sessionConversations = Math.min(conversations, 500);
  const stepStart = performance.now();
  try {
    for (const [step, text] of SCRIPT.entries()) {
      for (let c = 0; c < sessionConversations; c += 1) {
        const event = eventFor(c, step, text);
        const started = performance.now();
        const session = await store.load(event.conversationId);
        const answer = await engine.answer({ event, contact, state: session.state, services: services() });
        await store.save(event.conversationId, { state: answer.state, updatedAt: new Date().toISOString() });
        stepSamples.push(performance.now() - started);
      }
      process.stdout.write(`\r  with Redis session: message ${step + 1}/${SCRIPT.length}`);
    }
    process.stdout.write('\n');
  } finally {
    await deletePrefix(redis, prefix);
    await redis.quit();
  }
  const stepDuration = performance.now() - stepStart;

  const sortedBytes = [...sessionBytes].sort((a, b) => a - b);
  console.log('\nresults (one process, sequential steps: latency is per step, throughput is one core)');
  console.log(row('engine step (no I/O)', engineSamples, engineDuration));
  console.log(row('step with Redis session load+save', stepSamples, stepDuration));
  console.log('  engine step by message:');
  for (const [step, text] of SCRIPT.entries()) {
    const s = summarise(byMessage[step] ?? [], 0);
    console.log(`    ${JSON.stringify(text).padEnd(46)} p50 ${s.p50Ms.toFixed(3)} ms  p99 ${s.p99Ms.toFixed(3)} ms`);
  }
  const loadSummary = summarise(loads, 0);
  console.log(
    `  bot folder load (start, hot reload)  p50 ${loadSummary.p50Ms.toFixed(1)} ms  max ${loadSummary.maxMs.toFixed(1)} ms (${bot.flows.size} flows, ${bot.faq?.size ?? 0} FAQ entries)`,
  );
  console.log(
    `  session size in Redis                p50 ${sortedBytes[Math.floor(sortedBytes.length / 2)]} B  max ${sortedBytes.at(-1)} B; heap for ${conversations} sessions held in memory: ${((heapAfter - heapBefore) / 1024 / 1024).toFixed(1)} MiB`,
  );
}

await main();
