/**
 * The Redis Cluster hash tags in our key names (docs/redis-cluster.md): every
 * key of one BullMQ queue in one slot, every key of one conversation in one
 * slot, and otherwise keys spread over the slots. The slot computation itself
 * is checked against a real cluster's CLUSTER KEYSLOT in test/redis-cluster.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bullmqQueueName, conversationKey, conversationKeys, QUEUE } from '@passerelle/core';
import { QueueKeys } from 'bullmq';
import { keySlot } from '../../../test/support/key-slot.js';

const PREFIX = 'passerelle';

/** Every key BullMQ makes for a queue, as its scripts name them, plus a few job keys. */
function bullmqKeys(prefix: string, name: string): string[] {
  const keys = new QueueKeys(prefix);
  const queueKeys = Object.values(keys.getKeys(name));
  const jobKeys = ['42', 'in_abc', 'outbound-in_xyz'].flatMap((jobId) => [
    keys.toKey(name, jobId),
    keys.toKey(name, `${jobId}:lock`),
    keys.toKey(name, `${jobId}:logs`),
  ]);
  return [...queueKeys, ...jobKeys];
}

function slotsOf(keys: string[]): Set<number> {
  return new Set(keys.map(keySlot));
}

describe('Redis Cluster hash tags', () => {
  it('computes slots as Redis does (CRC16 of the first non-empty {tag}, mod 16384)', () => {
    // Values from the Redis Cluster specification and CLUSTER KEYSLOT.
    assert.equal(keySlot('123456789'), 0x31c3 % 16384, 'CRC16/XMODEM of the spec test vector');
    assert.equal(keySlot('foo'), 12182);
    assert.equal(keySlot('{user1000}.following'), keySlot('user1000'), 'the tag alone decides');
    assert.notEqual(keySlot('foo{}{bar}'), keySlot('bar'), 'an empty first tag is no tag: the whole key hashes');
    assert.equal(keySlot('foo{{bar}}zap'), keySlot('{bar'), 'the tag ends at the first } after the first {');
  });

  it('puts every key of one BullMQ queue in one slot, for each of our queues', () => {
    for (const stage of [...Object.values(QUEUE), 'whatsapp-send']) {
      const name = bullmqQueueName(stage);
      const slots = slotsOf(bullmqKeys(PREFIX, name));
      assert.equal(slots.size, 1, `queue ${name}: its keys span slots ${[...slots].join(', ')}`);
      assert.deepEqual(slots, slotsOf([`${PREFIX}:${name}:wait`]), `queue ${name}: the slot of its tag`);
      // Whatever the deployment's prefix, the tag is the queue's.
      assert.deepEqual(slotsOf(bullmqKeys('another-deployment', name)), slots, `queue ${name} under another prefix`);
    }
  });

  it('puts different queues in different slots, so they can live on different nodes', () => {
    const stages = [...Object.values(QUEUE), 'whatsapp-send'];
    const slots = slotsOf(stages.map((stage) => `${PREFIX}:${bullmqQueueName(stage)}:wait`));
    assert.equal(slots.size, stages.length, `two queues share a slot: ${[...slots].join(', ')}`);
  });

  it('refuses a queue name that would not make a plain tag', () => {
    for (const bad of ['{inbound}', 'in:bound', 'in}bound', '']) {
      assert.throws(() => bullmqQueueName(bad), /may hold only letters/, `queue name ${JSON.stringify(bad)}`);
    }
  });

  it("puts every key of one conversation in one slot, whatever its stage or item, and not the queue's", () => {
    const conversation = 'conv_webchat_7f3a9c';
    const keys = Object.values(QUEUE).flatMap((stage) => {
      const perItem = ['in_1', 'in_2', 'out_1'].flatMap((itemId) => {
        const { status } = conversationKeys(PREFIX, stage, conversation, itemId);
        // The sender's send markers hang off the status key.
        return [status, `${status}:progress`, `${status}:inflight`];
      });
      return [...Object.values(conversationKeys(PREFIX, stage, conversation)), ...perItem];
    });
    const slots = slotsOf(keys);
    assert.equal(slots.size, 1, `the conversation's keys span slots ${[...slots].join(', ')}`);
    assert.deepEqual(slots, slotsOf([conversation]), 'the slot of the conversation id');
    assert.ok(!slots.has(keySlot(`${PREFIX}:${bullmqQueueName(QUEUE.inbound)}:wait`)), "the inbound queue's slot");
    assert.match(
      conversationKeys(PREFIX, QUEUE.inbound, conversation).mailbox,
      /^passerelle:inbound:\{conv_webchat_7f3a9c\}:box$/,
    );
  });

  it('spreads conversations over the slots, and so over the nodes', () => {
    const slots = slotsOf(
      Array.from({ length: 1000 }, (_, n) => conversationKeys(PREFIX, QUEUE.inbound, `conv_${n}`).mailbox),
    );
    // 1000 ids over 16384 slots: nearly all distinct; a constant tag would give 1.
    assert.ok(slots.size > 900, `1000 conversations landed in only ${slots.size} slots`);
    const thirds = new Set([...slots].map((slot) => Math.floor((slot * 3) / 16384)));
    assert.equal(thirds.size, 3, 'conversations should reach every third of the slot range (each master of three)');
  });

  it('refuses a stage in braces, which would tag every conversation of the stage alike', () => {
    assert.throws(() => conversationKey(PREFIX, bullmqQueueName(QUEUE.inbound), 'conv_1', 'box'), /hash tag/);
  });
});
