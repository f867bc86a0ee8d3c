/**
 * Campaign bots in the engine, through the simulator and a fixture bot folder
 * (test/fixtures/campaigns): a winter sale open from 13 January 08:00 to
 * 9 February 20:00 2027 (Paris) on SMS, web chat and Messenger, and last
 * year's sale with the same keyword, long over. The clock is the simulator's.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Channel } from '@passerelle/core';
import { type BotDefinition, type BotMessage, ConversationSimulator, loadBot } from '@passerelle/dialog';

const FIXTURE = new URL('./fixtures/campaigns', import.meta.url).pathname;
const BEFORE = new Date('2027-01-10T10:00:00+01:00');
const DURING = new Date('2027-01-20T10:00:00+01:00');
const AFTER = new Date('2027-02-10T10:00:00+01:00');

const texts = (messages: BotMessage[]) => messages.map((message) => message.text);
const titles = (messages: BotMessage[]) => messages.flatMap((message) => message.options.map((o) => o.title));

describe('campaigns in the engine', () => {
  let bot: BotDefinition;
  const chat = (now: Date, channel: Channel = 'sms') => new ConversationSimulator(bot, { now, channel, locale: 'fr' });
  const moments = (sim: ConversationSimulator) =>
    sim.campaignEvents.map((e) => [e.campaignId, e.kind, e.node ?? e.entry ?? ''].join(' '));

  before(async () => {
    bot = await loadBot(FIXTURE);
  });

  describe('the window', () => {
    it('before it opens: says when, runs nothing of the campaign', async () => {
      const sim = chat(BEFORE);
      const reply = texts(await sim.say('SOLDES'));
      assert.equal(reply.length, 1);
      assert.match(reply[0] ?? '', /Soldes d'hiver.*commence le 13 janvier 2027 à 08:00/);
      assert.deepEqual(sim.campaignEvents, []);
      assert.equal((sim.state as { at?: unknown }).at, undefined, 'no question pending');
    });

    it('during: the keyword enters the flow and every step is counted', async () => {
      const sim = chat(DURING);
      const first = await sim.say('Soldes !');
      assert.deepEqual(texts(first), ['Quel rayon ?']);
      assert.deepEqual(titles(first), ['Lampes', 'Parler à quelqu’un']);
      assert.equal(sim.lastAnswer.outbound?.campaignId, 'soldes-hiver', 'replies carry the campaign');
      assert.equal(sim.lastAnswer.outbound?.purpose, undefined, 'an answer to the customer is a reply');
      assert.deepEqual(texts(await sim.press('Lampes')), ['Code SOLDES-lampes', 'Recevoir nos offres ?']);
      assert.deepEqual(texts(await sim.press('Oui')), ['Merci !']);
      assert.equal(sim.optedIn, true, 'the consent node recorded the yes');
      assert.deepEqual(moments(sim), [
        'soldes-hiver entered keyword',
        'soldes-hiver step rayon',
        'soldes-hiver step code',
        'soldes-hiver converted ',
        'soldes-hiver step abonnement',
        'soldes-hiver step oui',
        'soldes-hiver step fin',
        'soldes-hiver completed ',
      ]);
    });

    it('after it ends: the closing message, then the normal bot', async () => {
      const sim = chat(AFTER);
      assert.deepEqual(texts(await sim.say('soldes')), ['Les soldes sont finies.']);
      assert.deepEqual(sim.campaignEvents, []);
      assert.deepEqual(titles(await sim.say('bonjour')), ['Soldes', 'Aide'], 'the menu as usual');
    });

    it('ending while someone is in the flow: told once, and their message goes to the normal bot', async () => {
      const sim = chat(new Date('2027-02-09T19:50:00+01:00'));
      assert.deepEqual(texts(await sim.say('SOLDES')), ['Quel rayon ?']);
      sim.advance(15 * 60_000);
      const reply = await sim.say('bonjour');
      assert.deepEqual(texts(reply), ['Les soldes sont finies.', 'Menu']);
      assert.ok(!moments(sim).some((m) => m.includes('step code')), 'the answer did not go on in the campaign');
    });

    it('a menu item or another flow leading to the campaign obeys the window too', async () => {
      const early = chat(BEFORE);
      await early.say('bonjour');
      assert.match(texts(await early.press('Soldes'))[0] ?? '', /commence le 13 janvier/);

      const sim = chat(DURING);
      await sim.say('bonjour');
      assert.deepEqual(texts(await sim.press('Aide')), ['Votre question ?']);
      assert.deepEqual(texts(await sim.say('une question')), ['Noté.', 'Quel rayon ?']);
      assert.deepEqual(moments(sim).slice(0, 2), ['soldes-hiver entered flow', 'soldes-hiver step rayon']);
    });
  });

  describe('entries', () => {
    it('by link, by the pre-filled WhatsApp text, by keyword with a few words more', async () => {
      const linked = chat(DURING, 'webchat');
      assert.deepEqual(texts(await linked.openLink('soldes-hiver')), ['Quel rayon ?']);
      assert.deepEqual(moments(linked)[0], 'soldes-hiver entered link');

      const prefilled = chat(DURING, 'whatsapp');
      assert.deepEqual(texts(await prefilled.say('Je veux profiter des SOLDES !!')), ['Quel rayon ?']);
      assert.deepEqual(moments(prefilled)[0], 'soldes-hiver entered prefilled');

      const keyword = chat(DURING);
      assert.deepEqual(texts(await keyword.say('soldes svp')), ['Quel rayon ?']);
      const twoWords = chat(DURING);
      assert.deepEqual(texts(await twoWords.say('Winter sales')), ['Quel rayon ?'], 'a keyword of two words');
    });

    it('a link does not take someone away from an operator', async () => {
      const sim = chat(DURING, 'webchat');
      await sim.say('conseiller');
      sim.operatorTakes();
      assert.deepEqual(texts(await sim.openLink('soldes-hiver')), [], 'the bot stays quiet');
      assert.deepEqual(sim.campaignEvents, []);
    });

    it('a keyword inside a sentence is not an entry', async () => {
      const sim = chat(DURING);
      const reply = texts(await sim.say('je cherche des lampes en soldes pour mon salon'));
      assert.notDeepEqual(reply, ['Quel rayon ?']);
      assert.deepEqual(sim.campaignEvents, []);
    });

    it('a channel the campaign does not run on: last year’s campaign with the same word answers that it is over', async () => {
      const sim = chat(DURING, 'telegram');
      const reply = texts(await sim.say('SOLDES'));
      assert.deepEqual(reply, ['L’opération « Soldes 2026 » est terminée. Merci de votre intérêt !']);
      assert.deepEqual(sim.campaignEvents, []);
    });

    it('a keyword while a question of another flow is pending leaves it for the campaign', async () => {
      const sim = chat(DURING);
      await sim.say('bonjour');
      await sim.press('Aide');
      assert.deepEqual(texts(await sim.say('SOLDES')), ['Quel rayon ?']);
    });
  });

  describe('broadcast events', () => {
    it('someone who opted in gets the broadcast start, as a campaign message with the opt-out mention', async () => {
      const sim = chat(DURING);
      sim.optedIn = true;
      const reply = await sim.receiveBroadcast('soldes-hiver', { broadcastId: 'bc_1' });
      assert.deepEqual(texts(reply), ['Les soldes commencent !', 'Quel rayon ?']);
      assert.deepEqual(sim.lastAnswer.outbound, {
        purpose: 'campaign',
        campaignId: 'soldes-hiver',
        optOutNotice: 'STOP au 36180',
      });
      assert.deepEqual(sim.broadcasts, [{ broadcastId: 'bc_1', outcome: { messaged: true } }]);
      assert.deepEqual(moments(sim).slice(0, 3), [
        'soldes-hiver entered broadcast',
        'soldes-hiver step annonce',
        'soldes-hiver step rayon',
      ]);
      // The answer to the broadcast goes on in the campaign.
      assert.deepEqual(texts(await sim.say('1')), ['Code SOLDES-lampes', 'Recevoir nos offres ?']);
    });

    it('tagged (Messenger outside its 24 hours): the campaign’s tag goes on the message', async () => {
      const sim = chat(DURING, 'messenger');
      sim.optedIn = true;
      await sim.receiveBroadcast('soldes-hiver', { tagged: true });
      assert.equal(sim.lastAnswer.outbound?.messageTag, 'ACCOUNT_UPDATE');
    });

    const skips: Array<{ name: string; setup: (sim: ConversationSimulator) => Promise<unknown>; reason: string }> = [
      { name: 'never said yes', setup: async () => {}, reason: 'no_opt_in' },
      {
        name: 'wrote STOP after the dispatcher looked',
        setup: async (sim) => {
          sim.optedIn = true;
          await sim.say('STOP');
        },
        reason: 'opted_out',
      },
      {
        name: 'in the middle of another flow',
        setup: async (sim) => {
          sim.optedIn = true;
          await sim.say('bonjour');
          await sim.press('Aide');
        },
        reason: 'in_a_conversation',
      },
      {
        name: 'waiting for an operator',
        setup: async (sim) => {
          sim.optedIn = true;
          await sim.say('conseiller');
        },
        reason: 'with_an_operator',
      },
    ];
    for (const row of skips) {
      it(`skipped and said nothing: ${row.name}`, async () => {
        const sim = chat(DURING);
        await row.setup(sim);
        const reply = await sim.receiveBroadcast('soldes-hiver', { broadcastId: 'bc_2' });
        assert.deepEqual(texts(reply), []);
        assert.deepEqual(sim.broadcasts, [{ broadcastId: 'bc_2', outcome: { skipped: row.reason } }]);
      });
    }

    it('skipped outside the window and on a channel the campaign does not run on', async () => {
      const late = chat(AFTER);
      late.optedIn = true;
      assert.deepEqual(texts(await late.receiveBroadcast('soldes-hiver')), []);
      assert.deepEqual(late.broadcasts.at(-1)?.outcome, { skipped: 'campaign_ended' });
      const telegram = chat(DURING, 'telegram');
      telegram.optedIn = true;
      await telegram.receiveBroadcast('soldes-hiver');
      assert.deepEqual(telegram.broadcasts.at(-1)?.outcome, { skipped: 'channel_not_in_campaign' });
    });

    it('a conversation idle for longer than the session timeout is not "in the middle" of anything', async () => {
      const sim = chat(DURING);
      sim.optedIn = true;
      await sim.say('bonjour');
      await sim.press('Aide');
      sim.advance(45 * 60_000);
      const reply = texts(await sim.receiveBroadcast('soldes-hiver'));
      assert.deepEqual(reply, ['Les soldes commencent !', 'Quel rayon ?'], 'no "welcome back" for a broadcast');
    });
  });

  describe('opt-outs and handoffs count for the campaign', () => {
    it('STOP within a week of a broadcast counts once; a week later it does not', async () => {
      const sim = chat(DURING);
      sim.optedIn = true;
      await sim.receiveBroadcast('soldes-hiver');
      sim.advance(2 * 24 * 3_600_000);
      await sim.say('STOP');
      await sim.say('STOP');
      assert.equal(moments(sim).filter((m) => m.includes('opted_out')).length, 1);

      const later = chat(DURING);
      later.optedIn = true;
      await later.receiveBroadcast('soldes-hiver');
      later.advance(8 * 24 * 3_600_000);
      await later.say('STOP');
      assert.equal(later.optedOut, true);
      assert.ok(!moments(later).some((m) => m.includes('opted_out')), 'not counted after a week');
    });

    it('asking for a person in the campaign flow counts a handoff', async () => {
      const sim = chat(DURING);
      await sim.say('SOLDES');
      await sim.press('Parler à quelqu’un');
      assert.ok(moments(sim).includes('soldes-hiver handoff '), moments(sim).join(', '));
      assert.equal(sim.handoffs.length, 1);
    });
  });
});
