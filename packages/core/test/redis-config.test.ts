/**
 * REDIS_CLUSTER_NODES: how a Redis Cluster is configured, and how a mistake in
 * it is reported (naming the variable, never echoing a password).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig, safeRedisAddress } from '@passerelle/core';

function problemOf(env: Record<string, string>, variable: string): string {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    const problem = error.problems.find((p) => p.variable === variable)?.problem;
    assert.ok(problem, `${variable} should be reported; got ${error.message}`);
    assert.match(error.message, new RegExp(`- ${variable} `), 'the message names the variable');
    return problem;
  }
  assert.fail(`expected ${JSON.stringify(env)} to be refused`);
}

describe('Redis Cluster configuration', () => {
  it('uses REDIS_URL alone when REDIS_CLUSTER_NODES is unset or blank', () => {
    for (const env of [{}, { REDIS_CLUSTER_NODES: '' }, { REDIS_CLUSTER_NODES: '  ' }]) {
      const config = loadConfig({ REDIS_URL: 'redis://cache.internal:6380', ...env });
      assert.deepEqual(config.redis, { url: 'redis://cache.internal:6380', clusterNodes: undefined });
      assert.equal(safeRedisAddress(config.redis), 'cache.internal:6380');
    }
  });

  it('takes the seed nodes as host:port, [IPv6]:port or redis(s):// URLs, blanks around commas ignored', () => {
    const config = loadConfig({
      REDIS_CLUSTER_NODES:
        'redis-0.redis:6379, 10.0.0.12:7001 ,[fd00::3]:7002,rediss://default:s3cret@cache.example.com:6380',
    });
    assert.deepEqual(config.redis.clusterNodes, [
      'redis-0.redis:6379',
      '10.0.0.12:7001',
      '[fd00::3]:7002',
      'rediss://default:s3cret@cache.example.com:6380',
    ]);
    const shown = safeRedisAddress(config.redis);
    assert.equal(shown, 'cluster redis-0.redis:6379, 10.0.0.12:7001, [fd00::3]:7002, cache.example.com:6380');
    assert.doesNotMatch(shown, /s3cret/, 'the log line never shows the password');
  });

  it('refuses a node without a port, a bad port or a stray character, naming the variable and the entry', () => {
    for (const [value, entry] of [
      ['redis-0.redis', 'the value'],
      ['10.0.0.1:7000,10.0.0.2', 'entry 2 of 2'],
      ['10.0.0.1:7000,,10.0.0.3:7000', 'entry 2 of 3'],
      ['10.0.0.1:99999', 'the value'],
      ['http://10.0.0.1:7000', 'the value'],
    ] as const) {
      const problem = problemOf({ REDIS_CLUSTER_NODES: value }, 'REDIS_CLUSTER_NODES');
      assert.match(problem, /host:port,host:port/, `${value}: says what is expected`);
      assert.ok(problem.includes(entry), `${value}: says which entry is wrong (${problem})`);
    }
  });

  it('never echoes a password given in a bad node', () => {
    for (const value of ['admin:hunter2@10.0.0.1:7000', 'redis://:hunter2@10.0.0.1:notaport']) {
      const problem = problemOf({ REDIS_CLUSTER_NODES: value }, 'REDIS_CLUSTER_NODES');
      assert.doesNotMatch(problem, /hunter2/, `${value}: the password leaked into "${problem}"`);
    }
  });
});
