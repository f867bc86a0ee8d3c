import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { conversationIdFor, EVENT_FORMAT_VERSION, type InboundEvent, inboundEventId } from '@passerelle/core';
import { type Bot, loadKeywordBot } from '@passerelle/dialog';

const demo = await loadKeywordBot(new URL('../../../bots/demo', import.meta.url).pathname);

function say(text: string, locale?: string, postback?: string): InboundEvent {
  return {
    version: EVENT_FORMAT_VERSION,
    id: inboundEventId('webchat', 'default', text),
    channel: 'webchat',
    account: 'default',
    providerMessageId: text,
    conversationId: conversationIdFor('webchat', 'default', 'v1'),
    sender: { id: 'v1', ...(locale ? { locale } : {}) },
    receivedAt: new Date().toISOString(),
    kind: postback ? 'postback' : 'message',
    content: postback ? { postback: { payload: postback } } : { text },
  };
}

async function answer(bot: Bot, event: InboundEvent): Promise<string> {
  const result = await bot.answer({
    event,
    contact: { id: 'ct_1', displayName: null, phone: null, email: null, locale: null },
    state: {},
  });
  assert.equal(result.messages.length, 1);
  const part = result.messages[0]?.[0];
  assert.ok(part && 'text' in part);
  return part.text;
}

describe('demo keyword bot', () => {
  const cases: Array<[string, string | undefined, RegExp]> = [
    ['Bonjour', undefined, /^Bonjour ! Je suis l'assistant/],
    ['hello', undefined, /^Hello! I'm the Maison Lumière assistant/],
    ['Quels sont vos HORAIRES ?', undefined, /lundi au samedi/],
    ['quand etes-vous ouverts', undefined, /lundi au samedi/],
    ['What are your opening hours?', undefined, /Monday to Saturday/],
    ['livraison à Lyon ?', undefined, /2 à 4 jours ouvrés/],
    ['délai de LIVRAISON', undefined, /2 à 4 jours ouvrés/],
    ['How long is shipping?', undefined, /2 to 4 working days/],
    ['je veux un remboursement', undefined, /30 jours/],
    ['Can I return a lamp?', undefined, /30 days/],
  ];
  for (const [text, locale, expected] of cases) {
    it(`answers "${text}"`, async () => {
      assert.match(await answer(demo, say(text, locale)), expected);
    });
  }

  it('answers a menu button press by its payload, in the customer locale', async () => {
    assert.match(await answer(demo, say('x', 'fr-FR', 'faq:delivery')), /Les commandes partent sous 48 h/);
    assert.match(await answer(demo, say('x', 'en-GB', 'faq:delivery')), /Orders ship within 48 hours/);
  });

  it('offers the FAQ as buttons with the greeting', async () => {
    const result = await demo.answer({
      event: say('salut'),
      contact: { id: 'ct_1', displayName: null, phone: null, email: null, locale: null },
      state: {},
    });
    const part = result.messages[0]?.[0];
    assert.equal(part?.type, 'quickReplies');
    assert.deepEqual(part?.type === 'quickReplies' ? part.replies.map((r) => r.payload) : [], [
      'faq:hours',
      'faq:delivery',
      'faq:returns',
    ]);
  });

  it('answers a menu choice in the language the conversation last used, when the channel gives none', async () => {
    const contact = { id: 'ct_1', displayName: null, phone: null, email: null, locale: null };
    const greeting = await demo.answer({ event: say('bonjour'), contact, state: {} });
    const choice = await demo.answer({ event: say('2', undefined, 'faq:delivery'), contact, state: greeting.state });
    const part = choice.messages[0]?.[0];
    assert.match(part && 'text' in part ? part.text : '', /Les commandes partent sous 48 h/);
    const english = await demo.answer({ event: say('hello'), contact, state: choice.state });
    const next = await demo.answer({ event: say('2', undefined, 'faq:delivery'), contact, state: english.state });
    const nextPart = next.messages[0]?.[0];
    assert.match(nextPart && 'text' in nextPart ? nextPart.text : '', /Orders ship within 48 hours/);
  });

  it('echoes what it does not understand, in the customer locale', async () => {
    assert.match(await answer(demo, say('m-07', 'en')), /^You said: "m-07"/);
    assert.match(await answer(demo, say('zzz', 'fr-CA')), /^Vous avez écrit : « zzz »/);
  });

  it('refuses a broken bot file, naming the file and the field', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bot-'));
    await writeFile(join(dir, 'bot.yaml'), 'name: Broken\ngreeting:\n  keywords: { en: [hi], fr: [salut] }\nfaq: []\n');
    await assert.rejects(loadKeywordBot(dir), (error: Error) => {
      assert.match(error.message, new RegExp(`${join(dir, 'bot.yaml')}`));
      assert.match(error.message, /greeting\.answer/);
      assert.match(error.message, /faq/);
      assert.match(error.message, /fallback/);
      return true;
    });
  });

  it('says where it looked when the bot folder has no bot file', async () => {
    await assert.rejects(
      loadKeywordBot('/nonexistent/bot'),
      /\/nonexistent\/bot\/bot\.yaml: cannot read the bot file.*BOT_DIR/,
    );
  });
});
