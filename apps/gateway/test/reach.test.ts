/** Where a ticket's answer goes: the ticket's own conversation while its channel allows it, else another. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Db, inboundEvent, migrate, openDb, recordInbound, resolveContact } from '@passerelle/core';
import { reachFor } from '../src/console/reach.js';

const NOW = new Date('2026-11-23T12:00:00Z');
const HOUR = 3_600_000;

describe('reaching a customer later', () => {
  let db: Db;
  let contactId = '';
  const conversation: Record<string, string> = {};

  before(async () => {
    db = await openDb({ inMemory: true });
    await migrate(db);
    const say = async (channel: 'messenger' | 'sms' | 'whatsapp', userId: string, hoursAgo: number) => {
      const event = inboundEvent({
        channel,
        account: 'shop',
        providerMessageId: `${channel}-${hoursAgo}`,
        thread: userId,
        sender: { id: userId },
        receivedAt: new Date(NOW.getTime() - hoursAgo * HOUR),
        kind: 'message',
        content: { text: 'bonjour' },
      });
      const contact = await resolveContact(db, { channel, account: 'shop', userId });
      if (contactId && contact.id !== contactId) {
        // One person on several channels: the second identity belongs to the same contact.
        await db.query('update channel_identities set contact_id = $1 where contact_id = $2', [contactId, contact.id]);
        await db.query('delete from contacts where id = $1', [contact.id]);
      }
      contactId ||= contact.id;
      await recordInbound(db, event, contactId);
      conversation[channel] = event.conversationId;
    };
    await say('messenger', 'psid-1', 30); // 30 hours ago: outside Messenger's 24 hours
    await say('sms', '+33600000001', 50);
    await say('whatsapp', '33600000001@c.us', 2); // 2 hours ago: inside
  });
  after(() => db.close());

  it('keeps the ticket’s conversation while its channel allows it', async () => {
    const reach = await reachFor(db, contactId, conversation.whatsapp ?? null, NOW);
    assert.equal(reach?.recipient.channel, 'whatsapp');
    assert.equal(reach?.otherChannel, false);
  });

  it('goes by another channel of the same person when the ticket’s one is past its 24 hours', async () => {
    const reach = await reachFor(db, contactId, conversation.messenger ?? null, NOW);
    assert.ok(reach, 'no channel found');
    assert.notEqual(reach.recipient.channel, 'messenger');
    assert.equal(reach.otherChannel, true);
  });

  it('finds nothing when every channel is windowed and closed', async () => {
    const later = new Date(NOW.getTime() + 48 * HOUR);
    await db.query("delete from conversations where channel = 'sms'");
    assert.equal(await reachFor(db, contactId, conversation.messenger ?? null, later), undefined);
  });
});
