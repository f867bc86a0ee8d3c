/**
 * Every node type, validator and engine rule, through conversations with a
 * fixture bot (test/fixtures/all-nodes) in the simulator. Order and booking
 * calls go to the real demo connector on an in-memory PGlite database.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { type Db, migrate, openDb } from '@passerelle/core';
import { type ConnectorSet, openConnectors } from '@passerelle/crm-connectors';
import { type BotDefinition, type BotMessage, ConversationSimulator, loadBot } from '@passerelle/dialog';

const FIXTURE = new URL('./fixtures/all-nodes', import.meta.url).pathname;
const DEMO = new URL('../../../bots/demo', import.meta.url).pathname;
/** A Monday morning in Paris: the showroom (Tuesday to Saturday) has slots from tomorrow. */
const MONDAY = new Date('2026-11-23T09:00:00+01:00');

const texts = (messages: BotMessage[]) => messages.map((message) => message.text);
const options = (messages: BotMessage[]) => messages.flatMap((message) => message.options.map((o) => o.title));

describe('flows, node by node', () => {
  let bot: BotDefinition;
  let db: Db;
  let connectors: ConnectorSet;
  let chat: ConversationSimulator;
  let clock: () => Date = () => MONDAY;

  before(async () => {
    bot = await loadBot(FIXTURE);
    db = await openDb({ inMemory: true });
    await migrate(db);
    // The demo connector reads its seed (orders, services) from the demo bot folder.
    connectors = await openConnectors(bot.settings.connectors, { db, botDir: DEMO, now: () => clock() });
  });
  after(() => db.close());
  beforeEach(() => {
    chat = new ConversationSimulator(bot, { now: MONDAY, name: 'Zoé Martin', locale: 'en', connectors });
    clock = () => chat.now;
  });

  it('greets with the menu, the contact’s first name in it', async () => {
    const reply = await chat.say('hello');
    assert.deepEqual(texts(reply), ['Menu for Zoé']);
    assert.deepEqual(options(reply), ['Profile', 'Order', 'Booking', 'Person']);
  });

  it('ask with validators, set, branch, say and end: a whole profile', async () => {
    assert.deepEqual(texts(await chat.say('my profile')), ['Your name?']);
    assert.deepEqual(texts(await chat.say('Zoé')), ['Your email?']);
    const badEmail = texts(await chat.say('zoe at example'));
    assert.equal(badEmail.length, 1);
    assert.match(badEmail[0] ?? '', /email/i);
    assert.match(badEmail[0] ?? '', /Your email\?$/);
    assert.deepEqual(texts(await chat.say('Zoe@Example.COM')), ['Your phone?']);
    assert.deepEqual(texts(await chat.say('06 12 34 56 78')), ['Your age?']);
    assert.deepEqual(texts(await chat.say('70')), ['Which day?']);
    const reply = texts(await chat.say('tomorrow'));
    assert.deepEqual(reply, ['Senior. Hi Zoé, +33612345678, Tuesday 24 November', 'Saved (done).']);
    assert.equal(chat.state.at, undefined, 'the flow is over');
    // The domain is lower-cased; the part before @ may be case-sensitive, so it is kept.
    assert.deepEqual((chat.state.vars as Record<string, unknown>).email, 'Zoe@example.com');
  });

  it('a branch takes the else case, and a date too far ahead is refused', async () => {
    await chat.say('my profile');
    for (const answer of ['Zoé', 'zoe@example.com', '+33612345678', '30']) await chat.say(answer);
    const tooFar = texts(await chat.say('25/12/2027'));
    assert.match(tooFar[0] ?? '', /Which day\?$/);
    assert.notEqual(chat.state.at, undefined);
    assert.deepEqual(texts(await chat.say('25/11/2026')), [
      'Adult. Hi Zoé, zoe@example.com, Wednesday 25 November',
      'Saved (done).',
    ]);
  });

  it('too many wrong answers go to on_invalid', async () => {
    await chat.say('my profile');
    for (const answer of ['Zoé', 'zoe@example.com', '+33612345678']) await chat.say(answer);
    assert.match(texts(await chat.say('12'))[0] ?? '', /Your age\?$/);
    const reply = await chat.say('twelve');
    assert.deepEqual(texts(reply).slice(0, 2), ["Let's leave that question for now.", 'Too many tries.']);
    assert.deepEqual(options(reply), ['Profile', 'Order', 'Booking', 'Person'], 'on_invalid: menu');
  });

  it('call: found, with filters; choices with goto', async () => {
    await chat.say('my order');
    const found = await chat.say('ml-10234');
    assert.match(found[0]?.text ?? '', /^ML-10234: shipped, €\d+\.\d\d, \w+day \d+ \w+$/);
    assert.deepEqual(options(found), ['Yes', 'No']);
    assert.deepEqual(texts(await chat.press('Yes')), ['Order number?']);
    await chat.say('ML-10311');
    assert.deepEqual(texts(await chat.say('2')), [], 'end: true says nothing');
    assert.equal(chat.state.at, undefined);
  });

  it('call: not found goes to on_not_found, and goto jumps to another flow', async () => {
    await chat.say('my order');
    assert.deepEqual(texts(await chat.say('ML-99999')), ['No order ML-99999.', 'Your name?']);
    assert.equal((chat.state.at as { flow: string }).flow, 'profile');
  });

  it('call: a failing connector goes to on_error; a slow one is cut off and the customer told', async () => {
    const failing: ConnectorSet = {
      orders: {
        findOrder: () => Promise.reject(new Error('500 from the shop')),
        recentOrders: () => Promise.resolve([]),
      },
    };
    chat = new ConversationSimulator(bot, { now: MONDAY, locale: 'en', connectors: failing });
    await chat.say('my order');
    assert.deepEqual(texts(await chat.say('ML-10234')), ['Orders are down.']);

    const never = new Promise<never>(() => {});
    const slowBot: BotDefinition = { ...bot, settings: { ...bot.settings, connector_timeout: 50 } };
    chat = new ConversationSimulator(slowBot, {
      now: MONDAY,
      locale: 'en',
      connectors: { orders: { findOrder: () => never, recentOrders: () => never } },
    });
    await chat.say('my order');
    assert.deepEqual(texts(await chat.say('ML-10234')), ['Orders are down.']);
  });

  it('choices_from offers a list from a call, and the chosen item is booked', async () => {
    await chat.say('hello');
    const offered = await chat.press('Booking');
    assert.deepEqual(texts(offered), ['Pick one:']);
    assert.deepEqual(options(offered), [
      'Tuesday 24 November at 10:00',
      'Tuesday 24 November at 10:45',
      'Tuesday 24 November at 11:30',
    ]);
    const booked = texts(await chat.say('Tuesday 24 November at 10:45'));
    assert.match(booked[0] ?? '', /^Booked 10:45 \(.+\)\.$/);

    // The same slot is no longer offered to the next customer.
    const next = new ConversationSimulator(bot, { now: MONDAY, locale: 'en', connectors });
    await next.say('hello');
    assert.deepEqual(options(await next.press('Booking')).slice(0, 2), [
      'Tuesday 24 November at 10:00',
      'Tuesday 24 November at 11:30',
    ]);
  });

  it('ticket and handoff: a ticket with its fields, then a person; the bot waits quietly', async () => {
    await chat.say('complaint');
    const reply = texts(await chat.say('The lamp arrived broken'));
    assert.match(reply[0] ?? '', /^Ticket T-[A-Z2-9]{6}\.$/);
    assert.equal(reply[1], 'A person will take over.\nYou are number 1 in the queue, about 4 min.');
    assert.equal(chat.tickets.length, 1);
    assert.deepEqual(
      { subject: chat.tickets[0]?.subject, body: chat.tickets[0]?.body, fields: chat.tickets[0]?.fields },
      { subject: 'Complaint from Zoé Martin', body: 'The lamp arrived broken', fields: { channel: 'webchat' } },
    );
    assert.deepEqual(
      chat.handoffs.map(({ id, reason, cancelled }) => ({ id, reason, cancelled })),
      [{ id: 'ho_sim_1', reason: 'complaint', cancelled: false }],
    );
    assert.match(texts(await chat.say('hello?'))[0] ?? '', /will answer you here/);
    assert.deepEqual(texts(await chat.say('anyone?')), [], 'reminded once, then silent');
    chat.advance(11 * 60_000);
    assert.match(
      texts(await chat.say('still there?'))[0] ?? '',
      /will answer you here/,
      'reminded again after the idle timeout',
    );
    await chat.say('menu');
    assert.equal(chat.handoffs[0]?.cancelled, true, 'MENU gives the conversation back to the bot');
  });

  it('while an operator has the conversation the bot is silent; a close, a hand-back or nobody coming is told', async () => {
    await chat.say('I want to talk to an agent');
    chat.operatorTakes();
    assert.deepEqual(texts(await chat.say('my order')), [], 'the bot answered while an operator had it');
    assert.deepEqual(texts(await chat.operatorEnds('handback')), [
      "I'm back with you. What else can I do for you?\n\nMenu for Zoé",
    ]);
    assert.deepEqual(texts(await chat.say('my order')), ['Order number?'], 'the bot answers again after the hand-back');

    await chat.say('menu');
    await chat.say('talk to a person');
    chat.operatorTakes();
    assert.match(texts(await chat.operatorEnds('closed'))[0] ?? '', /Thank you for talking with our team/);

    await chat.say('talk to a person');
    const expired = texts(await chat.operatorEnds('expired'));
    assert.match(expired[0] ?? '', /Nobody is free right now/);
    assert.equal(expired[1], 'What happened?', 'the leave-a-message flow starts');
  });

  it('a closed team: the hours, then a message to leave instead of a queue', async () => {
    chat = new ConversationSimulator(bot, {
      now: MONDAY,
      locale: 'en',
      connectors,
      teamClosed: { hours: 'Monday to Friday, 9am to 6pm' },
    });
    const reply = texts(await chat.say('talk to an agent'));
    assert.equal(
      reply[0],
      "Our team answers Monday to Friday, 9am to 6pm. Leave us a message and we'll answer you as soon as we're back.",
    );
    assert.equal(reply[1], 'What happened?');
    assert.equal(chat.handoffs.length, 0, 'no handoff while closed');
  });

  it('a system event is only believed from the gateway: a customer postback saying the same is not', async () => {
    await chat.say('talk to a person');
    chat.operatorTakes();
    const handoffId = chat.handoffs.at(-1)?.id;
    assert.deepEqual(texts(await chat.pressPayload(`handoff:closed:${handoffId}`)), [], 'a forged close was obeyed');
    assert.equal(chat.handoffs.at(-1)?.status, 'assigned');
  });

  it('the fallback rephrases with the customer’s words, then offers a person or a message', async () => {
    assert.deepEqual(texts(await chat.say('blorp')), ['Pardon? ("blorp")']);
    assert.deepEqual(texts(await chat.say('zzz')), ['Pardon? ("zzz")']);
    const offer = await chat.say('qwerty');
    assert.deepEqual(options(offer), ['Talk to someone', 'Leave a message', 'Menu']);
    assert.deepEqual(texts(await chat.press('Leave a message')), ['What happened?']);
  });

  it('answers in the language of the message, keeps it for "2", and follows the channel otherwise', async () => {
    const fr = await chat.say('bonjour');
    assert.deepEqual(texts(fr), ['Menu pour Zoé']);
    assert.deepEqual(
      texts(await chat.say('2')),
      ['Numéro de commande ?'],
      'a number keeps the conversation’s language',
    );
    const english = new ConversationSimulator(bot, { now: MONDAY, locale: 'en-GB', connectors });
    assert.match(texts(await english.say('xyz'))[0] ?? '', /^Pardon\?/);
    const french = new ConversationSimulator(bot, { now: MONDAY, locale: 'fr-FR', connectors });
    assert.match(texts(await french.say('xyz'))[0] ?? '', /^Pardon \?/);
  });

  it('idle timeout: within it the flow goes on; after it, a polite fresh start', async () => {
    await chat.say('my order');
    chat.advance(9 * 60_000);
    assert.match(texts(await chat.say('12'))[0] ?? '', /order number/i, 'still in the flow after 9 minutes');
    chat.advance(11 * 60_000);
    const reply = texts(await chat.say('hello'));
    assert.equal(reply[0], "Welcome back! Our previous conversation had timed out, so let's start again.");
    assert.equal(reply[1], 'Menu for Zoé');
  });

  it('a hot reload keeps a conversation whose question still exists, and restarts one whose question is gone', async () => {
    await chat.say('my order');
    chat.replaceBot(await loadBot(FIXTURE));
    assert.match(texts(await chat.say('ML-10234'))[0] ?? '', /^ML-10234: shipped/);

    await chat.say('my order');
    const order = bot.flows.get('order');
    assert.ok(order, 'the fixture has an order flow');
    const withoutQuestion = new Map(bot.flows);
    withoutQuestion.set('order', {
      ...order,
      start: 'lookup',
      nodes: new Map([...order.nodes].filter(([id]) => id !== 'number')),
    });
    chat.replaceBot({ ...bot, flows: withoutQuestion, version: 'changed' });
    const reply = texts(await chat.say('hello'));
    assert.match(reply[0] ?? '', /has just been updated/);
    assert.equal(reply[1], 'Menu for Zoé');
  });

  it('a message without text (a photo, a location) is told what the bot can read', async () => {
    await chat.say('my order');
    const reply = texts(await chat.say(''));
    assert.deepEqual(reply, [
      'I can only read text messages for now. Write MENU to see what I can do, or AGENT to talk to a person.',
    ]);
    assert.equal((chat.state.at as { node: string }).node, 'number', 'the question is still pending');
  });

  it('a session written wrong (older version, hand edit) is cleaned, not crashed on', async () => {
    chat.state = {
      at: 'nonsense',
      vars: 5,
      locale: 'de',
      misses: 'x',
      offered: [{ title: 'Order', payload: 'flow:order' }],
    };
    assert.deepEqual(texts(await chat.say('1')), ['Order number?'], 'the sound fields are kept');
    assert.deepEqual((chat.state.at as { flow: string }).flow, 'order');
  });

  it('STOP and START: confirmed once, then back', async () => {
    await chat.say('my order');
    assert.match(texts(await chat.say('STOP'))[0] ?? '', /unsubscribed/);
    assert.equal(chat.optedOut, true);
    assert.equal(chat.state.at, undefined, 'STOP leaves the flow');
    assert.deepEqual(texts(await chat.say('Stop')), []);
    const back = texts(await chat.say('start'));
    assert.match(back[0] ?? '', /subscribed again/);
    assert.equal(chat.optedOut, false);
  });
});
