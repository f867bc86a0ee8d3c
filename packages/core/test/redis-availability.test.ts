/**
 * The gateway's edge tells "Redis cannot take this now" from other failures
 * by what ioredis says (availability.ts). These check, against real
 * connections, that what this ioredis version says is recognised: a
 * fail-fast connection to a Redis that is not there refuses at once, and
 * a deadline turns a command Redis has not answered into RedisUnavailable.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, describe, it } from 'node:test';
import {
  connectRedis,
  isRedisUnavailable,
  type Redis,
  RedisUnavailable,
  redisReady,
  withinDeadline,
} from '@passerelle/core';
import { openRedis, uniquePrefix } from '../../../test/support/services.js';

/** A port nothing listens on: taken from the system, then freed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('Redis availability at the edge', () => {
  const connections: Redis[] = [];
  after(async () => {
    for (const connection of connections) connection.disconnect();
  });

  it('a fail-fast connection to a Redis that is not there refuses a command at once, as unavailable', async () => {
    const redis = connectRedis(`redis://127.0.0.1:${await closedPort()}`, 'availability-absent', { failFast: true });
    redis.on('error', () => {});
    connections.push(redis);
    assert.equal(redisReady(redis), false);
    const started = Date.now();
    const error = await redis.get('anything').then(
      () => assert.fail('a command on a connection that is not up must fail'),
      (caught: unknown) => caught,
    );
    assert.ok(isRedisUnavailable(error), `recognised as unavailable: ${String(error)}`);
    assert.ok(Date.now() - started < 1_000, 'refused at once, not held in an offline queue');
    await assert.rejects(withinDeadline(1_500, redis.get('anything')), RedisUnavailable);
  });

  it('turns work Redis has not finished by the deadline into RedisUnavailable, and passes the rest through', async () => {
    const redis = openRedis('availability-slow');
    connections.push(redis);
    // A blocking pop on an empty list is Redis not answering for that long.
    const key = `${uniquePrefix('availability')}:empty`;
    await assert.rejects(withinDeadline(200, redis.blpop(key, 1)), (error: Error) => {
      assert.ok(error instanceof RedisUnavailable);
      assert.match(error.message, /no answer within 200 ms/);
      return true;
    });
    assert.equal(await withinDeadline(1_500, redis.ping()), 'PONG');
    // A failure that is not about availability is not dressed up as one.
    await assert.rejects(withinDeadline(1_500, redis.call('NO-SUCH-COMMAND')), (error: Error) => {
      assert.ok(!(error instanceof RedisUnavailable), String(error));
      assert.ok(!isRedisUnavailable(error));
      return true;
    });
  });
});
