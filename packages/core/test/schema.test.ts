import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  conversationIdFor,
  EVENT_FORMAT_VERSION,
  eventFormatJsonSchema,
  InboundEventSchema,
  inboundEventId,
  OutboundMessageSchema,
  replyId,
} from '@passerelle/core';

const validEvent = {
  version: EVENT_FORMAT_VERSION,
  id: inboundEventId('sms', '+33700000000', 'SM123'),
  channel: 'sms',
  account: '+33700000000',
  providerMessageId: 'SM123',
  conversationId: conversationIdFor('sms', '+33700000000', '+33612345678'),
  sender: { id: '+33612345678', phone: '+33612345678' },
  receivedAt: '2026-11-23T10:00:00.000Z',
  kind: 'message',
  content: { text: 'Bonjour' },
};

describe('event format', () => {
  it('accepts a well-formed inbound event', () => {
    assert.equal(InboundEventSchema.parse(validEvent).content.text, 'Bonjour');
  });

  const badEvents: Array<[string, Record<string, unknown>, string]> = [
    ['unknown channel', { channel: 'fax' }, 'channel'],
    ['empty sender id', { sender: { id: '' } }, 'sender.id'],
    ['id with a colon (not usable as a job id)', { id: 'in:1' }, 'id'],
    ['receivedAt not a date', { receivedAt: 'yesterday' }, 'receivedAt'],
    ['wrong version', { version: 99 }, 'version'],
    ['unknown kind', { kind: 'typing' }, 'kind'],
    ['media without URL', { content: { media: [{ mimeType: 'image/png' }] } }, 'content.media.0.url'],
    ['latitude out of range', { content: { location: { latitude: 91, longitude: 0 } } }, 'content.location.latitude'],
  ];
  for (const [name, change, path] of badEvents) {
    it(`refuses an inbound event with ${name}, naming ${path}`, () => {
      const result = InboundEventSchema.safeParse({ ...validEvent, ...change });
      assert.equal(result.success, false);
      assert.ok(
        result.error?.issues.some((issue) => issue.path.join('.') === path),
        `expected an issue at ${path}, got ${JSON.stringify(result.error?.issues.map((i) => i.path.join('.')))}`,
      );
    });
  }

  it('refuses an outbound message without parts or with an unknown part type', () => {
    const base = {
      version: EVENT_FORMAT_VERSION,
      id: 'out_1',
      conversationId: 'cv_1',
      to: { channel: 'telegram', account: 'bot', userId: '42' },
      purpose: 'reply',
      idempotencyKey: 'out_1',
      createdAt: '2026-11-23T10:00:00.000Z',
    };
    assert.equal(OutboundMessageSchema.safeParse({ ...base, parts: [] }).success, false);
    assert.equal(OutboundMessageSchema.safeParse({ ...base, parts: [{ type: 'hologram' }] }).success, false);
    assert.equal(
      OutboundMessageSchema.safeParse({
        ...base,
        parts: [{ type: 'buttons', text: 'Choose', buttons: [{ title: 'A', payload: 'a' }] }],
      }).success,
      true,
    );
  });

  it('derives the same ids from the same provider facts, and different ids otherwise', () => {
    assert.equal(inboundEventId('sms', 'a', 'm1'), inboundEventId('sms', 'a', 'm1'));
    assert.notEqual(inboundEventId('sms', 'a', 'm1'), inboundEventId('whatsapp', 'a', 'm1'));
    // Length-prefixing: moving a character between parts changes the id.
    assert.notEqual(conversationIdFor('sms', 'ab', 'c'), conversationIdFor('sms', 'a', 'bc'));
    assert.equal(replyId('in_1', 0), replyId('in_1', 0));
    assert.notEqual(replyId('in_1', 0), replyId('in_1', 1));
    assert.match(inboundEventId('sms', 'a', 'm1'), /^in_[0-9a-f]{32}$/);
  });

  it('exports JSON Schema for integrators', () => {
    const schema = eventFormatJsonSchema() as {
      $defs: Record<string, { properties?: Record<string, unknown>; required?: string[] }>;
    };
    const inbound = schema.$defs.InboundEvent;
    assert.ok(inbound?.properties?.conversationId, 'InboundEvent has conversationId');
    assert.ok(inbound?.required?.includes('providerMessageId'));
    assert.ok(schema.$defs.OutboundMessage?.properties?.idempotencyKey);
    assert.ok(schema.$defs.ChannelCapabilities?.properties?.maxTextLength);
  });
});
