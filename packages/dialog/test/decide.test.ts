/**
 * Who of a broadcast gets the campaign's message now, and why not: one row
 * per rule (consent, quiet hours in the person's zone, the 24-hour windows of
 * WhatsApp and Messenger and Messenger's tag, channels that cannot write
 * first, each as its channel folder declares it), and the event that carries
 * it into the conversation.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { CHANNEL_CAPABILITIES } from '@passerelle/channels';
import { type Channel, conversationIdFor, type PendingRecipient } from '@passerelle/core';
import { broadcastEvent, type Campaign, decideRecipient, loadBot, type RecipientDecision } from '@passerelle/dialog';

const FIXTURE = new URL('./fixtures/campaigns', import.meta.url).pathname;
/** A Wednesday, 10:00 in Paris, within the fixture's winter sale. */
const NOW = new Date('2027-01-20T10:00:00+01:00');
const HOUR = 3_600_000;

function recipient(overrides: Partial<PendingRecipient> = {}): PendingRecipient {
  return {
    seq: 1,
    userId: '+33612345678',
    contactId: 'ct_1',
    timeZone: null,
    locale: 'fr',
    optedInAt: new Date('2026-12-01T00:00:00Z'),
    optedOutAt: null,
    conversationId: null,
    lastInboundAt: null,
    ...overrides,
  };
}

interface Row {
  name: string;
  channel: Channel;
  recipient: Partial<PendingRecipient>;
  /** Give the campaign no Messenger tag. */
  untagged?: boolean;
  expect: { send: true; tagged: boolean } | { send: false; reason: string };
}

const ROWS: Row[] = [
  { name: 'said yes, daytime', channel: 'sms', recipient: {}, expect: { send: true, tagged: false } },
  {
    name: 'said yes, then STOP',
    channel: 'sms',
    recipient: { optedOutAt: new Date('2027-01-02T00:00:00Z') },
    expect: { send: false, reason: 'opted_out' },
  },
  {
    name: 'never said yes',
    channel: 'sms',
    recipient: { optedInAt: null },
    expect: { send: false, reason: 'no_opt_in' },
  },
  {
    name: '04:00 where they live (Montreal)',
    channel: 'sms',
    recipient: { timeZone: 'America/Montreal' },
    expect: { send: false, reason: 'quiet_hours' },
  },
  {
    name: 'Telegram has no quiet hours by default',
    channel: 'telegram',
    recipient: { timeZone: 'America/Montreal', userId: '4242' },
    expect: { send: true, tagged: false },
  },
  {
    name: 'WhatsApp within 24 hours of their last message',
    channel: 'whatsapp',
    recipient: { lastInboundAt: new Date(NOW.getTime() - 3 * HOUR) },
    expect: { send: true, tagged: false },
  },
  {
    name: 'WhatsApp two days later: no template through whatsapp-web.js',
    channel: 'whatsapp',
    recipient: { lastInboundAt: new Date(NOW.getTime() - 48 * HOUR) },
    expect: { send: false, reason: 'outside_24h_window' },
  },
  {
    name: 'Messenger two days later, with the campaign’s tag',
    channel: 'messenger',
    recipient: { conversationId: 'cv_m', lastInboundAt: new Date(NOW.getTime() - 48 * HOUR) },
    expect: { send: true, tagged: true },
  },
  {
    name: 'Messenger two days later, no tag',
    channel: 'messenger',
    recipient: { conversationId: 'cv_m', lastInboundAt: new Date(NOW.getTime() - 48 * HOUR) },
    untagged: true,
    expect: { send: false, reason: 'outside_24h_window' },
  },
  {
    name: 'Messenger, never wrote: nothing to answer',
    channel: 'messenger',
    recipient: {},
    expect: { send: false, reason: 'never_wrote' },
  },
  {
    name: 'web chat, never wrote',
    channel: 'webchat',
    recipient: { userId: 'v_abc' },
    expect: { send: false, reason: 'never_wrote' },
  },
];

describe('who of a broadcast gets the message now', () => {
  let campaign: Campaign;
  before(async () => {
    const bot = await loadBot(FIXTURE);
    campaign = bot.campaigns.get('soldes-hiver') as Campaign;
  });

  for (const row of ROWS) {
    it(row.name, () => {
      const decision: RecipientDecision = decideRecipient(recipient(row.recipient), {
        campaign: row.untagged
          ? { ...campaign, broadcast: { ...campaign.broadcast, messenger_tag: undefined } }
          : campaign,
        broadcast: { channel: row.channel, account: 'acct' },
        now: NOW,
        capabilities: CHANNEL_CAPABILITIES[row.channel],
      });
      if (row.expect.send) {
        assert.equal(decision.send, true, JSON.stringify(decision));
        assert.equal(decision.send && decision.tagged, row.expect.tagged);
      } else {
        assert.deepEqual(decision.send ? decision : decision.reason, row.expect.reason);
      }
    });
  }

  it('writes first on SMS in the thread the person’s own messages would use', () => {
    const decision = decideRecipient(recipient(), {
      campaign,
      broadcast: { channel: 'sms', account: '+33700000000' },
      now: NOW,
      capabilities: CHANNEL_CAPABILITIES.sms,
    });
    assert.ok(decision.send, 'sent');
    assert.equal(decision.conversationId, conversationIdFor('sms', '+33700000000', '+33612345678'));
  });

  it('carries the campaign into the conversation as a system event, the same id every time', () => {
    const broadcast = { id: 'bc_1', campaignId: 'soldes-hiver', channel: 'messenger' as const, account: 'page' };
    const first = broadcastEvent(broadcast, { userId: 'psid-1' }, { conversationId: 'cv_m', tagged: true }, NOW);
    const again = broadcastEvent(broadcast, { userId: 'psid-1' }, { conversationId: 'cv_m', tagged: true }, new Date());
    assert.equal(first.kind, 'system');
    assert.equal(first.content.postback?.payload, 'campaign:soldes-hiver:broadcast:bc_1:tagged');
    assert.equal(first.id, again.id, 'a second dispatch is a duplicate the queue drops');
    assert.notEqual(
      first.id,
      broadcastEvent({ ...broadcast, id: 'bc_2' }, { userId: 'psid-1' }, { conversationId: 'cv_m', tagged: true }, NOW)
        .id,
      'another broadcast is another event',
    );
  });
});
