/**
 * The database briefly unreachable under load: a gateway and two workers
 * reach PostgreSQL through a TCP proxy, which the test cuts for a few seconds
 * (open connections dropped, new ones closed at once) while web chat
 * visitors write, then restores. /readyz says "not ready" (503, database
 * unreachable) while it is cut and ready again after; every message is
 * acknowledged and answered once, in order, and nothing is dead-lettered: a
 * database that is away is waited for, it is not a failure of the message.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { type Cluster, startCluster } from './support/cluster.js';
import { clusterProcesses, loggedProblems } from './support/fault-report.js';
import type { GatewayProcess } from './support/gateway-process.js';
import { POSTGRES_URL, postgresSkipReason, waitFor } from './support/services.js';
import { startTcpProxy, type TcpProxy, throughProxy } from './support/tcp-proxy.js';
import { startWebchatLoad, type WebchatLoad } from './support/webchat-load.js';

const skip = await postgresSkipReason();

const CONVERSATIONS = 30;
const MESSAGES = 15;
const CUT_MS = 5_000;

interface Readiness {
  status: number;
  redis: string;
  database: string;
}

async function readiness(process: GatewayProcess): Promise<Readiness> {
  const response = await fetch(`${process.url}/readyz`);
  const body = (await response.json()) as { redis: string; database: string };
  return { status: response.status, redis: body.redis, database: body.database };
}

describe('the database briefly unreachable during load', { skip }, () => {
  let proxy: TcpProxy | undefined;
  let cluster: Cluster | undefined;
  let traffic: WebchatLoad | undefined;

  after(async () => {
    // Visitors reconnect forever, as the widget does: closed first, or a failed test never ends.
    traffic?.close();
    proxy?.restore();
    await cluster?.stop();
    await proxy?.close();
  });

  it('says not ready while PostgreSQL is cut off, then loses nothing and answers nothing twice', async () => {
    const postgres = new URL(POSTGRES_URL);
    proxy = await startTcpProxy({ host: postgres.hostname, port: Number(postgres.port || 5432) });
    const through = proxy;
    cluster = await startCluster(
      'database-cut',
      2,
      {
        CONVERSATION_LOCK_MS: '2000',
        STALLED_INTERVAL_MS: '1000',
        // Two tries only: a message that counted the database's absence against its tries would
        // be dead-lettered within the cut.
        INBOUND_MAX_ATTEMPTS: '2',
        OUTBOUND_MAX_ATTEMPTS: '2',
      },
      { databaseUrl: (url) => throughProxy(url, through) },
    );
    const { gateway } = cluster;
    const [worker] = cluster.workers;
    assert.ok(worker);
    assert.equal((await readiness(gateway)).status, 200, 'ready before the cut');

    const load = await startWebchatLoad({
      conversations: CONVERSATIONS,
      messages: MESSAGES,
      tag: 'db',
      urls: () => [gateway.url],
      spacingMs: 50,
    });
    traffic = load;
    await waitFor('some replies before the cut', () => load.replies() >= 60, 60_000);
    const before = load.replies();

    through.cut();
    const cutAt = Date.now();
    for (const process of [gateway, worker]) {
      const seen = await readiness(process);
      assert.equal(seen.status, 503, `/readyz answers 503 while the database is away: ${JSON.stringify(seen)}`);
      assert.match(seen.database, /^unreachable/, 'it says the database is the problem');
      assert.equal(seen.redis, 'ok', 'and that Redis is fine');
    }
    const duringCut = load.replies();
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, CUT_MS - (Date.now() - cutAt))));
    through.restore();
    await waitFor('ready again', async () => (await readiness(gateway)).status === 200, 30_000, 200);
    assert.equal((await readiness(worker)).status, 200, 'the worker is ready again too');

    await waitFor('every reply', () => load.replies() >= CONVERSATIONS * MESSAGES, 120_000, 100).catch(
      (error: Error) => {
        throw new Error(
          `${error.message}: ${load.replies()} replies, ${load.acked()} acks\n` +
            `logged:\n${loggedProblems(clusterProcesses(cluster as Cluster))}`,
        );
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 2_500)); // room for a late duplicate
    assert.ok(before < CONVERSATIONS * MESSAGES && duringCut < CONVERSATIONS * MESSAGES, 'the cut came under load');
    load.assertExactlyOnceInOrder();
    assert.equal(await cluster.deadLetterCount(), 0, 'nothing should have been given up on');
  });
});
