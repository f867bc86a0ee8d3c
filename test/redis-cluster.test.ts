/**
 * The pipeline on a real Redis Cluster (three masters started by the test):
 * a gateway process and two worker processes configured with
 * REDIS_CLUSTER_NODES only (REDIS_URL points at nothing), web chat visitors
 * and the echo bot. Every conversation is answered exactly once, in order;
 * the keys really are spread over the nodes while each BullMQ queue's keys
 * share one slot (as CLUSTER KEYSLOT says). Then the unit tests of what
 * uses Redis directly (ordered queue, sender, pacing, Telegram and Bot
 * Framework stores) run again against the same cluster.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { bullmqQueueName, isCluster, QUEUE, type Redis } from '@passerelle/core';
import { webchatKeys } from '../packages/channels/src/webchat/send.js';
import { whatsappKeys } from '../packages/channels/src/whatsapp/lease.js';
import { type Cluster, echoed, startCluster } from './support/cluster.js';
import { keySlot } from './support/key-slot.js';
import { type RedisCluster, redisClusterSkipReason, startRedisCluster } from './support/redis-cluster.js';
import { postgresSkipReason, waitFor } from './support/services.js';
import { WebchatVisitor } from './support/webchat-client.js';

const CONVERSATIONS = 60;
const MESSAGES = 10;
const skip = redisClusterSkipReason() ?? (await postgresSkipReason());

/** The unit tests that talk to Redis themselves, without processes of their own: cheap to run twice. */
const UNIT_TESTS_ON_CLUSTER = [
  'packages/core/test/ordered-queue.test.ts',
  'packages/channels/test/sender.test.ts',
  'packages/channels/test/pacing.test.ts',
  'packages/channels/test/telegram.test.ts',
  'packages/channels/test/botframework.test.ts',
];

describe('Redis Cluster keys', () => {
  it('keeps the keys of every multi-key script of the channels in one slot', () => {
    const groups: Record<string, string[]> = {
      'web chat append (history, seq, live, appended)': Object.values(webchatKeys('passerelle', 'v_3kq9')),
      'WhatsApp lease renew/release/state write (lease, state)': [
        whatsappKeys('passerelle').lease,
        whatsappKeys('passerelle').state,
      ],
    };
    for (const [what, keys] of Object.entries(groups)) {
      const slots = new Set(keys.map(keySlot));
      assert.equal(slots.size, 1, `${what}: keys ${keys.join(', ')} span slots ${[...slots].join(', ')}`);
    }
  });
});

describe('the pipeline on a Redis Cluster', { skip }, () => {
  let redisCluster: RedisCluster;
  let cluster: Cluster;
  const visitors: WebchatVisitor[] = [];

  before(async () => {
    redisCluster = await startRedisCluster('pipeline');
    // REDIS_URL points at nothing: whatever the processes do, they do on the cluster.
    cluster = await startCluster('rcluster', 2, { ...redisCluster.env, REDIS_URL: 'redis://127.0.0.1:1' });
  });
  after(async () => {
    for (const visitor of visitors) visitor.close();
    await cluster?.stop();
    await redisCluster?.stop();
  });

  it(`answers ${CONVERSATIONS} x ${MESSAGES} web chat messages through 2 workers, each once, in order`, async () => {
    const ready = cluster.gateway.logs.find((line) => /^gateway ready/.test(String(line.msg)));
    assert.match(String(ready?.redis), /^cluster 127\.0\.0\.1:\d+, /, 'the gateway says it uses the cluster');

    for (let c = 0; c < CONVERSATIONS; c++) visitors.push(await WebchatVisitor.connect(cluster.gateway.url));
    const text = (c: number, m: number) => `c${c} m${String(m).padStart(2, '0')}`;
    visitors.forEach((visitor, c) => {
      for (let m = 1; m <= MESSAGES; m++) visitor.say(`c${c}-m${m}-cluster`, text(c, m));
    });
    await waitFor(
      'every reply',
      () => visitors.every((visitor) => visitor.botMessages().length >= MESSAGES),
      180_000,
      100,
    ).catch((error: Error) => {
      const got = visitors.reduce((sum, visitor) => sum + visitor.botMessages().length, 0);
      const logs = [cluster.gateway, ...cluster.workers].map((p) => p.output().slice(-1500)).join('\n---\n');
      throw new Error(`${error.message}; ${got} of ${CONVERSATIONS * MESSAGES} replies\n${logs}`);
    });
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // room for a late duplicate

    visitors.forEach((visitor, c) => {
      const expected = Array.from({ length: MESSAGES }, (_, i) => text(c, i + 1));
      assert.deepEqual(visitor.botTexts().map(echoed), expected, `conversation ${c}: replies out of order or repeated`);
    });
    assert.equal(await cluster.deadLetterCount(), 0, 'nothing should have been given up on');
    await waitFor('no job left active', async () => (await cluster.activeJobs()) === 0, 30_000);
    for (const worker of cluster.workers) {
      const metrics = await (await fetch(`${worker.url}/metrics`)).text();
      const handled = Number(/passerelle_dialog_step_seconds_count\{channel="webchat"\} (\d+)/.exec(metrics)?.[1] ?? 0);
      assert.ok(handled > 0, `worker pid ${worker.child.pid} handled no message`);
    }
  });

  it("spreads conversations' keys over the nodes, and keeps each BullMQ queue's keys in one slot", async () => {
    const byNode = await keysByNode(cluster.redis, `${cluster.prefix}:*`);
    const all = [...byNode.values()].flat();
    const conversationKeys = all.filter((key) => /:\{cv_/.test(key) || /:webchat:\{/.test(key));
    const nodesWithConversations = [...byNode].filter(([, keys]) => keys.some((key) => conversationKeys.includes(key)));
    assert.ok(
      conversationKeys.length >= CONVERSATIONS,
      `expected the conversations' keys to be there; found ${conversationKeys.length}`,
    );
    assert.equal(
      nodesWithConversations.length,
      redisCluster.nodes.length,
      `conversation keys should be on every master; per node: ${summary(byNode)}`,
    );

    for (const stage of [QUEUE.inbound, QUEUE.outbound]) {
      const name = bullmqQueueName(stage);
      const queueKeys = all.filter((key) => key.startsWith(`${cluster.prefix}:${name}:`));
      assert.ok(queueKeys.length > 3, `queue ${name} should have keys (jobs kept on completion); ${queueKeys.length}`);
      const slots = new Set<number>();
      for (const key of queueKeys) slots.add(Number(await cluster.redis.call('CLUSTER', 'KEYSLOT', key)));
      assert.equal(slots.size, 1, `queue ${name}: its keys span slots ${[...slots].join(', ')}`);
      const [slot] = [...slots] as [number];
      assert.equal(keySlot(queueKeys[0] as string), slot, 'keySlot() agrees with CLUSTER KEYSLOT');
      const home = redisCluster.nodeOfSlot(slot);
      assert.deepEqual(
        [...byNode].filter(([, keys]) => keys.some((key) => queueKeys.includes(key))).map(([node]) => node),
        [home],
        `queue ${name}: every key on the master of slot ${slot}`,
      );
    }
    // Our slot computation against the server's, on keys of every kind.
    for (const key of all.slice(0, 200)) {
      assert.equal(keySlot(key), Number(await cluster.redis.call('CLUSTER', 'KEYSLOT', key)), `slot of ${key}`);
    }
  });

  it('passes the unit tests of what uses Redis directly, run against the cluster', async () => {
    const { code, output } = await runTests(UNIT_TESTS_ON_CLUSTER, redisCluster.env.REDIS_CLUSTER_NODES);
    assert.equal(code, 0, `unit tests failed on the cluster:\n${output.slice(-6000)}`);
    const passed = Number(/^ℹ pass (\d+)/m.exec(output)?.[1] ?? 0);
    const failed = Number(/^ℹ fail (\d+)/m.exec(output)?.[1] ?? -1);
    assert.ok(passed >= 100 && failed === 0, `expected 100+ passing tests and none failing:\n${output.slice(-3000)}`);
  });
});

/** Every key under a pattern, by the master that holds it (SCAN sees one node's keys). */
async function keysByNode(redis: Redis, pattern: string): Promise<Map<string, string[]>> {
  assert.ok(isCluster(redis), 'expected a cluster connection');
  const byNode = new Map<string, string[]>();
  for (const node of redis.nodes('master')) {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      keys.push(...found);
    } while (cursor !== '0');
    byNode.set(`${node.options.host}:${node.options.port}`, keys);
  }
  return byNode;
}

function summary(byNode: Map<string, string[]>): string {
  return [...byNode].map(([node, keys]) => `${node}: ${keys.length}`).join(', ');
}

/** node --test on files, with openRedis() pointed at the cluster (test/support/services.ts). */
function runTests(files: string[], clusterNodes: string): Promise<{ code: number | null; output: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, TEST_REDIS_CLUSTER_NODES: clusterNodes };
  // This process's test-runner variables would make the child report to it instead of running.
  for (const key of Object.keys(env)) if (key.startsWith('NODE_TEST')) delete env[key];
  const child = spawn(
    process.execPath,
    [
      '--conditions=@passerelle/source',
      '--import',
      'tsx',
      '--test',
      '--test-concurrency=1',
      '--test-reporter=spec',
      ...files,
    ],
    { cwd: fileURLToPath(new URL('../', import.meta.url)), env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, output })));
}
