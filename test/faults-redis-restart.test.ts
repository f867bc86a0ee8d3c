/**
 * Redis restarted under load, configured as docker-compose.yml configures it
 * (`--appendonly yes --appendfsync everysec`, nothing else changed): a
 * gateway and two workers against a redis-server of this test's own (the
 * shared one on 6379 is left alone), web chat visitors writing, then Redis
 * stopped with SIGTERM, as `docker compose restart redis` does, and started
 * again on the same port and folder. The processes reconnect by themselves;
 * every message is acknowledged and answered once, in order.
 *
 * What a restart keeps: on SIGTERM Redis writes and fsyncs its AOF before it
 * exits, so every acknowledged write survives. A SIGKILL (or a power cut)
 * with appendfsync everysec can lose the last second or so of writes: an
 * acknowledged message may be lost, and one whose "done" mark was lost may be
 * handled, and answered, again. That is everysec's documented bargain, and
 * `appendfsync always` is the setting for those who cannot accept it. This
 * test covers the restart, not that loss.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Cluster, startCluster } from './support/cluster.js';
import { clusterProcesses, loggedProblems } from './support/fault-report.js';
import { type RedisServer, startRedisServer } from './support/redis-server.js';
import { postgresSkipReason, waitFor } from './support/services.js';
import { startWebchatLoad, type WebchatLoad } from './support/webchat-load.js';

const skip = await postgresSkipReason();

// Short locks so that jobs whose Redis went away under them are taken again in seconds.
const FAST_RECOVERY = { CONVERSATION_LOCK_MS: '2000', STALLED_INTERVAL_MS: '1000' };
const CONVERSATIONS = 30;
const MESSAGES = 15;

describe('Redis restarted during load (AOF, as docker-compose configures it)', { skip }, () => {
  let redis: RedisServer | undefined;
  let cluster: Cluster | undefined;
  let traffic: WebchatLoad | undefined;

  before(async () => {
    redis = await startRedisServer('restart');
  });

  after(async () => {
    // Visitors reconnect forever, as the widget does: closed first, or a failed test never ends.
    traffic?.close();
    // Cleaning up needs Redis: a failure while it was down must not leave the clean-up waiting forever.
    if (redis && !redis.running()) await redis.start();
    await cluster?.stop();
    await redis?.dispose();
  });

  it('loses no accepted message and answers none twice when Redis restarts (SIGTERM) under load', async () => {
    assert.ok(redis);
    cluster = await startCluster('redis-restart', 2, { ...FAST_RECOVERY, REDIS_URL: redis.url });
    const { gateway } = cluster;
    const load = await startWebchatLoad({
      conversations: CONVERSATIONS,
      messages: MESSAGES,
      tag: 'rr',
      urls: () => [gateway.url],
      spacingMs: 50,
    });
    traffic = load;
    await waitFor('some replies before the restart', () => load.replies() >= 60, 60_000);
    const before = load.replies();

    await redis.stop('SIGTERM');
    assert.match(redis.output(), /DB saved on disk|Redis is now ready to exit/, 'Redis shut down cleanly');
    // Down for a while, as a restart is: the processes keep retrying meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await redis.start();
    assert.match(redis.output(), /DB loaded from append only file|Done loading/, 'Redis loaded its AOF back');

    await waitFor('every reply', () => load.replies() >= CONVERSATIONS * MESSAGES, 90_000, 100).catch(
      async (error: Error) => {
        // Told apart: replies the sockets missed live (a reconnect brings them) from replies never made.
        const live = load.replies();
        for (const visitor of load.visitors) visitor.dropSocket();
        await new Promise((resolve) => setTimeout(resolve, 5_000));
        throw new Error(
          `${error.message}: ${live} replies live, ${load.replies()} after reconnecting, ${load.acked()} acks\n` +
            `logged:\n${loggedProblems(clusterProcesses(cluster as Cluster))}`,
        );
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 2_500)); // room for a late duplicate
    assert.ok(before < CONVERSATIONS * MESSAGES, 'the load was not finished before the restart');
    load.assertExactlyOnceInOrder();
    assert.equal(await cluster.deadLetterCount(), 0, 'nothing should have been given up on');
    for (const process of [cluster.gateway, ...cluster.workers]) {
      assert.equal(process.child.exitCode, null, 'every process rode out the restart');
      // What the processes said about it went into their JSON logs, not raw onto stderr.
      assert.doesNotMatch(process.output(), /\[ioredis\] Unhandled error event/, 'no Redis error left unlistened');
    }
  });
});
