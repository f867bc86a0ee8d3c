/**
 * GCRA pacing in Redis: several processes' worth of contenders (each its
 * own Pace on its own connection, as separate workers would be) share one
 * rate per key, evenly spaced, with no double window at a second boundary.
 * Grant times are Redis server times, the one clock all contenders share.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { deletePrefix, openRedis, uniquePrefix } from '../../../test/support/services.js';
import { AccountRateLimits, Pace } from '../src/rate-limit.js';

const admin = openRedis('pacing-admin');
const prefix = uniquePrefix('pacing');
const connections = [openRedis('pacing-1'), openRedis('pacing-2'), openRedis('pacing-3')];

after(async () => {
  await deletePrefix(admin, prefix);
  for (const connection of [admin, ...connections]) await connection.quit();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One contender: asks for turns until the deadline, sleeping as long as it is told; returns its grant times. */
async function contend(pace: Pace, key: string, perSecond: number, until: number): Promise<number[]> {
  const grants: number[] = [];
  while (Date.now() < until) {
    const turn = await pace.take(key, perSecond);
    if (turn.waitMs === 0) grants.push(turn.serverTimeMs);
    else await sleep(Math.min(turn.waitMs, until - Date.now()));
  }
  return grants;
}

/** The most grants found in any window of `windowMs` (a window starting at each grant). */
function busiestWindow(times: number[], windowMs: number): number {
  let most = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while ((times[end] ?? 0) - (times[start] ?? 0) >= windowMs) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

describe('pace (GCRA in Redis)', () => {
  it('holds three contenders on one key to the rate in every sliding second', async () => {
    const paces = connections.map((connection) => new Pace(connection, `${prefix}:shared`));
    const rate = 50;
    const durationMs = 3_000;
    const until = Date.now() + durationMs;
    const perContender = await Promise.all(paces.map((pace) => contend(pace, 'sms:+33700000001', rate, until)));
    const grants = perContender.flat().sort((a, b) => a - b);

    assert.ok(
      perContender.every((mine) => mine.length > 0),
      `every contender got turns: ${perContender.map((mine) => mine.length).join(', ')}`,
    );
    const busiest = busiestWindow(grants, 1_000);
    assert.ok(busiest <= rate + 1, `${busiest} grants within one sliding second at ${rate}/s`);
    const spanMs = (grants.at(-1) ?? 0) - (grants[0] ?? 0);
    assert.ok(
      grants.length <= Math.floor((rate * spanMs) / 1_000) + 1,
      `${grants.length} grants over ${spanMs} ms at ${rate}/s`,
    );
    assert.ok(grants.length <= (rate * durationMs) / 1_000 + 1, `${grants.length} grants in a ${durationMs} ms run`);
    for (let i = 1; i < grants.length; i++) {
      const gap = (grants[i] ?? 0) - (grants[i - 1] ?? 0);
      assert.ok(gap >= 1_000 / rate, `grants ${i - 1} and ${i} only ${gap} ms apart: not evenly spaced`);
    }
  });

  it('takes at least two seconds to hand out 101 turns at 50 per second', async () => {
    const paces = connections.map((connection) => new Pace(connection, `${prefix}:lower-bound`));
    const started = Date.now();
    let granted = 0;
    await Promise.all(
      paces.map(async (pace) => {
        while (granted < 101) {
          const waitMs = await pace.waitMs('sms:+33700000002', 50);
          if (waitMs === 0) granted += 1;
          else await sleep(waitMs);
        }
      }),
    );
    const elapsed = Date.now() - started;
    assert.ok(granted >= 101, `only ${granted} turns were granted`);
    assert.ok(elapsed >= 2_000, `101 turns at 50/s took only ${elapsed} ms`);
  });

  it('does not slow one key for another', async () => {
    const [first, second] = connections.map((connection) => new Pace(connection, `${prefix}:keys`));
    assert.ok(first && second, 'two contenders');
    assert.equal(await first.waitMs('busy', 1), 0, 'the first turn on a key goes at once');
    const busyWait = await second.waitMs('busy', 1);
    assert.ok(busyWait > 0, `the same key at 1/s must wait, got ${busyWait} ms`);
    assert.equal(await second.waitMs('quiet', 1), 0, 'another key is not held back by the busy one');
  });

  it('lets a configured burst go at once, then spaces the rest', async () => {
    const pace = new Pace(connections[0] ?? admin, `${prefix}:burst`, { burst: 4 });
    const answers: number[] = [];
    for (let i = 0; i < 6; i++) answers.push(await pace.waitMs('campaign-1', 1));
    assert.deepEqual(
      answers.map((waitMs) => waitMs === 0),
      [true, true, true, true, true, false],
      `one turn plus a burst of 4 at once, then a wait: ${answers.join(', ')}`,
    );
    assert.ok((answers[5] ?? 0) > 500, `the sixth waits about one interval, got ${answers[5]} ms`);
  });

  it('keeps the channel account key scheme and takes nothing while it says wait', async () => {
    const limits = new AccountRateLimits(connections[1] ?? admin, prefix);
    assert.equal(await limits.waitMs('sms', '+33700000003', undefined), 0, 'no rate: no pacing');
    assert.equal(await limits.waitMs('sms', '+33700000003', 1), 0);
    const key = `${prefix}:rate:sms:+33700000003`;
    const tat = await admin.get(key);
    assert.ok(tat !== null, `the account's pace lives at ${key}`);
    const wait = await limits.waitMs('sms', '+33700000003', 1);
    assert.ok(wait > 0 && wait <= 1_000, `the next send waits under one interval, got ${wait} ms`);
    assert.equal(await admin.get(key), tat, 'a refused turn takes no slot');
  });
});
