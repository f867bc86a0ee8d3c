/**
 * One conversation's messages are handled one at a time, in arrival order,
 * whichever of two worker processes takes them; different conversations run
 * in parallel. 200 web chat conversations x 20 messages through a gateway
 * process and two worker processes on one Redis and one PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Cluster, echoed, startCluster } from './support/cluster.js';
import { postgresSkipReason, waitFor } from './support/services.js';
import { WebchatVisitor } from './support/webchat-client.js';

const CONVERSATIONS = 200;
const MESSAGES = 20;
const skip = await postgresSkipReason();

describe('ordering across two worker processes', { skip }, () => {
  let cluster: Cluster;
  const visitors: WebchatVisitor[] = [];
  before(async () => {
    cluster = await startCluster('order', 2);
  });
  after(async () => {
    for (const visitor of visitors) visitor.close();
    await cluster?.stop();
  });

  it(`answers ${CONVERSATIONS} x ${MESSAGES} messages in order, each once, conversations in parallel`, async () => {
    for (let c = 0; c < CONVERSATIONS; c++) visitors.push(await WebchatVisitor.connect(cluster.gateway.url));
    const text = (c: number, m: number) => `c${c} m${String(m).padStart(2, '0')}`;

    // Watch how many conversations are being handled at the same moment while the load runs.
    let maxHeld = 0;
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        maxHeld = Math.max(maxHeld, (await cluster.heldLocks()).length);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();

    // Every visitor types its 20 messages without waiting for answers.
    visitors.forEach((visitor, c) => {
      for (let m = 1; m <= MESSAGES; m++) visitor.say(`c${c}-m${m}-order`, text(c, m));
    });
    await waitFor(
      'every reply',
      () => visitors.every((visitor) => visitor.botMessages().length >= MESSAGES),
      180_000,
      100,
    );
    watching = false;
    await watcher;
    // Late duplicates would arrive now.
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    visitors.forEach((visitor, c) => {
      const expected = Array.from({ length: MESSAGES }, (_, i) => text(c, i + 1));
      assert.deepEqual(visitor.botTexts().map(echoed), expected, `conversation ${c}: replies out of order or repeated`);
    });
    assert.ok(maxHeld > 1, `conversations should be handled in parallel; at most ${maxHeld} at once`);

    // Both worker processes took part.
    for (const worker of cluster.workers) {
      const metrics = await (await fetch(`${worker.url}/metrics`)).text();
      const handled = Number(/passerelle_dialog_step_seconds_count\{channel="webchat"\} (\d+)/.exec(metrics)?.[1] ?? 0);
      assert.ok(handled > 0, `worker pid ${worker.child.pid} handled no message`);
    }
    assert.equal(await cluster.activeJobs(), 0);
  });
});
