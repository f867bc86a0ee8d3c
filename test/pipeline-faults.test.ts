/**
 * Workers that die or are stopped in the middle of their work: a SIGKILL
 * loses nothing and sends nothing twice; a SIGTERM finishes what is in hand,
 * leaves no job half done, and another worker carries on.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { type Cluster, echoed, startCluster } from './support/cluster.js';
import { postgresSkipReason, waitFor } from './support/services.js';
import { WebchatVisitor } from './support/webchat-client.js';

const skip = await postgresSkipReason();

// Short locks so that a dead worker's conversations are taken over in seconds, not the default 15.
const FAST_RECOVERY = { CONVERSATION_LOCK_MS: '2000', STALLED_INTERVAL_MS: '1000' };

async function load(cluster: Cluster, conversations: number, messages: number, tag: string) {
  const visitors: WebchatVisitor[] = [];
  for (let c = 0; c < conversations; c++) visitors.push(await WebchatVisitor.connect(cluster.gateway.url));
  const text = (c: number, m: number) => `${tag} c${c} m${String(m).padStart(2, '0')}`;
  visitors.forEach((visitor, c) => {
    for (let m = 1; m <= messages; m++) visitor.say(`${tag}-c${c}-m${m}-x`, text(c, m));
  });
  return {
    visitors,
    replies: () => visitors.reduce((sum, visitor) => sum + visitor.botMessages().length, 0),
    /** Every conversation got each answer once, in order. */
    assertExactlyOnceInOrder() {
      visitors.forEach((visitor, c) => {
        const expected = Array.from({ length: messages }, (_, i) => text(c, i + 1));
        assert.deepEqual(visitor.botTexts().map(echoed), expected, `conversation ${c}`);
      });
    },
    close: () => {
      for (const visitor of visitors) visitor.close();
    },
  };
}

/** Waits until the given worker process is in the middle of handling a conversation. */
async function waitUntilBusy(cluster: Cluster, pid: number | undefined): Promise<void> {
  await waitFor(
    `worker ${pid} to hold a conversation`,
    async () => (await cluster.heldLocks()).some((owner) => owner.split(':')[1] === String(pid)),
    30_000,
    5,
  );
}

describe('worker faults', { skip }, () => {
  let cluster: Cluster | undefined;
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });

  it('a worker killed (SIGKILL) in the middle of a job loses nothing and answers nothing twice', async () => {
    cluster = await startCluster('sigkill', 2, FAST_RECOVERY);
    const [victim, survivor] = cluster.workers;
    assert.ok(victim && survivor);
    const traffic = await load(cluster, 60, 20, 'kill');
    await waitFor('some replies', () => traffic.replies() >= 100, 60_000);
    await waitUntilBusy(cluster, victim.child.pid);
    await victim.stop('SIGKILL');

    await waitFor('every reply', () => traffic.replies() >= 60 * 20, 90_000, 100);
    await new Promise((resolve) => setTimeout(resolve, 2_500)); // room for a late duplicate
    traffic.assertExactlyOnceInOrder();
    assert.equal(await cluster.deadLetterCount(), 0, 'nothing should have been given up on');
    traffic.close();
  });

  it('a worker stopped with SIGTERM finishes what it holds, leaves no job half done, and another carries on', async () => {
    cluster = await startCluster('sigterm', 1, { ...FAST_RECOVERY, SHUTDOWN_TIMEOUT_MS: '20000' });
    const [worker] = cluster.workers;
    assert.ok(worker);
    const traffic = await load(cluster, 40, 20, 'term');
    await waitFor('some replies', () => traffic.replies() >= 100, 60_000);
    await waitUntilBusy(cluster, worker.child.pid);

    assert.equal(await worker.stop('SIGTERM'), 0, `worker did not exit cleanly:\n${worker.output().slice(-2000)}`);
    assert.ok(worker.logs.some((line) => line.msg === 'stopped cleanly'));
    // Nothing left in the middle: no job active, no conversation held by the stopped worker.
    assert.equal(await cluster.activeJobs(), 0, 'a job was left active');
    const held = (await cluster.heldLocks()).filter((owner) => owner.split(':')[1] === String(worker.child.pid));
    assert.deepEqual(held, [], 'the stopped worker still holds conversations');
    const before = traffic.replies();
    assert.ok(before < 40 * 20, 'the load should not be finished yet, or the test proves nothing');

    await cluster.startWorker();
    await waitFor('every reply', () => traffic.replies() >= 40 * 20, 90_000, 100);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    traffic.assertExactlyOnceInOrder();
    assert.equal(await cluster.deadLetterCount(), 0);
    traffic.close();
  });
});
