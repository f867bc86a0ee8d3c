/**
 * "A flow file with a mistake gets an error that names file and line."
 *
 * Each row copies bots/demo to a fresh folder, makes one mistake a bot author
 * could make, loads it and checks the bot author is told exactly what is
 * wrong, in which file, on which line. Expected lines are found by searching
 * the mutated file for a marker, never hard-coded.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type BotDefinition, BotFolderError, formatProblems, loadBot, type Problem } from '@passerelle/dialog';
import { type BotCopy, demoCopy, lineOf, type Mutation } from './support/bot-folder-fixture.js';

const ORDER = 'flows/order-status.yaml';
const BOOKING = 'flows/booking.yaml';
const LEAVE = 'flows/leave-message.yaml';
const BOT = 'bot.yaml';
const FAQ = 'faq.yaml';
const CAMPAIGN = 'campaigns/ventes-privees.yaml';

/** What one problem must be: its file (relative to the bot folder), the line holding `marker`, and its message. */
interface ExpectedProblem {
  file: string;
  /** Text on the line the problem must point at (after the mutation). */
  marker: string;
  /** Which appearance of the marker, when it is not unique. */
  nth?: number;
  message: RegExp;
}

interface Row {
  name: string;
  mutations: Mutation[];
  problems: ExpectedProblem[];
  /** A known defect of the loader: the row runs but does not fail the suite. */
  todo?: string;
}

const replace = (file: string, find: string, replacement: string): Mutation => ({ file, find, replace: replacement });

const ROWS: Row[] = [
  // ---- YAML syntax ----
  {
    name: 'YAML: a key indented one space too far',
    mutations: [replace(ORDER, '    next: anything-else\n\n  shipped:', '     next: anything-else\n\n  shipped:')],
    problems: [{ file: ORDER, marker: '     next: anything-else', message: /same column|indent/i }],
  },
  {
    name: 'YAML: an unclosed quote followed by another quoted line',
    mutations: [
      replace(ORDER, 'fr: "Merci et à bientôt chez Maison Lumière !"', 'fr: "Merci et à bientôt chez Maison Lumière !'),
    ],
    problems: [{ file: ORDER, marker: 'fr: "Merci et à bientôt', message: /closing "?quote/i }],
  },
  {
    name: 'YAML: an unclosed quote at the end of a node',
    mutations: [replace(ORDER, 'or write AGENT."\n\n  anything-else:', 'or write AGENT.\n\n  anything-else:')],
    problems: [{ file: ORDER, marker: 'en: "Order tracking is not answering', message: /closing "?quote/i }],
  },
  {
    name: 'YAML: a key written twice in one node',
    mutations: [replace(ORDER, '    save: order\n', '    save: order\n    save: the_order\n')],
    problems: [{ file: ORDER, marker: 'save: the_order', message: /unique|duplicate/i }],
  },

  // ---- targets ----
  {
    name: 'next: an unknown node (the message lists the nodes)',
    mutations: [replace(ORDER, 'next: by-status', 'next: by-statuss')],
    problems: [
      {
        file: ORDER,
        marker: 'next: by-statuss',
        message: /node "lookup": unknown node "by-statuss" \(nodes of order-status: ask-number, lookup, by-status,/,
      },
    ],
  },
  {
    name: 'goto: an unknown node in a branch',
    mutations: [replace(ORDER, 'goto: shipped', 'goto: shiped')],
    problems: [{ file: ORDER, marker: 'goto: shiped', message: /node "by-status": unknown node "shiped" \(nodes of/ }],
  },
  {
    name: 'on_error: an unknown node',
    mutations: [replace(ORDER, 'on_error: unavailable', 'on_error: unavailabel')],
    problems: [{ file: ORDER, marker: 'on_error: unavailabel', message: /node "lookup": unknown node "unavailabel"/ }],
  },
  {
    name: 'goto: flow:nope in a choice',
    mutations: [replace(ORDER, 'en: "No, thanks" }, goto: bye }', 'en: "No, thanks" }, goto: flow:nope }')],
    problems: [
      {
        file: ORDER,
        marker: 'goto: flow:nope',
        message:
          /node "anything-else": unknown flow "nope" \(flows: booking, leave-message, order-status, ventes-privees\)/,
      },
    ],
  },
  {
    name: 'start: a node that does not exist',
    mutations: [replace(ORDER, 'start: ask-number', 'start: ask-numbr')],
    problems: [
      {
        file: ORDER,
        marker: 'start: ask-numbr',
        message: /start node "ask-numbr" does not exist \(nodes: ask-number,/,
      },
    ],
  },

  // ---- node shape ----
  {
    name: 'a node with only "sya:" (unknown kind)',
    mutations: [replace(ORDER, 'handoff: order number not recognised', 'sya: order number not recognised')],
    problems: [
      { file: ORDER, marker: 'sya: order number', message: /node "offer-help" has sya, but needs one of: say, ask,/ },
    ],
  },
  {
    name: 'an unknown field "nxt" in a node',
    mutations: [replace(ORDER, '    next: anything-else\n\n  shipped:', '    nxt: anything-else\n\n  shipped:')],
    problems: [{ file: ORDER, marker: 'nxt: anything-else', message: /node "processing": unknown field "nxt"/ }],
  },
  {
    name: 'a node name with capitals',
    mutations: [replace(ORDER, '  offer-help:\n', '  Offer-Help:\n')],
    problems: [{ file: ORDER, marker: 'Offer-Help:', message: /node name "Offer-Help": use lower-case letters/ }],
  },
  {
    name: 'retries out of range',
    mutations: [replace(ORDER, 'retries: 2', 'retries: 9')],
    problems: [{ file: ORDER, marker: 'retries: 9', message: /node "ask-number": retries: .*(<=|at most) ?5/ }],
  },

  // ---- variables and templates ----
  {
    name: '{{ordr.status}}: an unknown variable',
    mutations: [
      replace(ORDER, 'est annulée ou remboursée ({{order.status}})', 'est annulée ou remboursée ({{ordr.status}})'),
    ],
    problems: [{ file: ORDER, marker: '{{ordr.status}}', message: /unknown variable "ordr".*known here: .*\border\b/ }],
  },
  {
    name: '{{order.statuss}}: an unknown field of a connector result (the message lists the fields)',
    mutations: [
      replace(ORDER, 'cancelled or refunded ({{order.status}})', 'cancelled or refunded ({{order.statuss}})'),
    ],
    problems: [
      {
        file: ORDER,
        marker: '{{order.statuss}}',
        message: /"order" has no field "statuss" \(it has: number, status, placedAt, total,/,
      },
    ],
  },
  {
    name: '{{slot.strat}}: an unknown field of a choices_from item',
    mutations: [replace(BOOKING, 'fr: "Je réserve {{slot.start', 'fr: "Je réserve {{slot.strat')],
    problems: [
      {
        file: BOOKING,
        marker: '{{slot.strat',
        message: /"slot" has no field "strat" \(it has: id, start, end, service\)/,
      },
    ],
  },
  {
    name: '{{numbr}} in a call argument',
    mutations: [replace(ORDER, 'with: { number: "{{number}}" }', 'with: { number: "{{numbr}}" }')],
    problems: [{ file: ORDER, marker: '{{numbr}}', message: /unknown variable "numbr"/ }],
  },
  {
    name: '{{order.placedAt | dat}}: an unknown filter',
    mutations: [replace(ORDER, 'du {{order.placedAt | date}}', 'du {{order.placedAt | dat}}')],
    problems: [
      { file: ORDER, marker: '{{order.placedAt | dat}}', message: /unknown filter "dat" \(filters: date, datetime,/ },
    ],
  },

  // ---- languages ----
  {
    name: 'a per-locale text without its "en" version',
    mutations: [
      replace(
        ORDER,
        '      en: "Order tracking is not answering right now. Please try again in a few minutes, or write AGENT."\n',
        '',
      ),
    ],
    // Nothing to point at on a missing line: the text's first line is where to add it.
    problems: [
      {
        file: ORDER,
        marker: 'fr: "Le suivi des commandes ne répond pas',
        message: /missing the "en" text \(the bot speaks fr, en\)/,
      },
    ],
  },
  {
    name: 'a per-locale text with an extra "de:" version',
    mutations: [replace(ORDER, 'or write AGENT."\n\n', 'or write AGENT."\n      de: "Bitte später."\n\n')],
    problems: [
      { file: ORDER, marker: 'de: "Bitte später."', message: /"de" is not one of the bot's locales \(fr, en\)/ },
    ],
  },
  {
    name: 'triggers in a locale the bot does not speak',
    mutations: [replace(BOOKING, 'triggers:\n', 'triggers:\n  de: [termin]\n')],
    problems: [{ file: BOOKING, marker: 'de: [termin]', message: /"de" is not one of the bot's locales/ }],
  },

  // ---- branch conditions ----
  {
    name: 'a branch condition that is not valid (===)',
    mutations: [replace(ORDER, 'if: order.status == "shipped"', 'if: order.status === "shipped"')],
    problems: [
      {
        file: ORDER,
        marker: 'order.status === "shipped"',
        message: /node "by-status": condition order\.status === "shipped" is not valid \(.*\); compare with ==/,
      },
    ],
  },
  {
    name: 'a branch condition reading an unknown variable',
    mutations: [replace(ORDER, 'if: order.status == "delivered"', 'if: ordr.status == "delivered"')],
    problems: [
      { file: ORDER, marker: 'ordr.status == "delivered"', message: /node "by-status": unknown variable "ordr"/ },
    ],
  },

  // ---- calls ----
  {
    name: 'call: orders.fnd, an unknown operation',
    mutations: [replace(ORDER, 'call: orders.find', 'call: orders.fnd')],
    problems: [
      {
        file: ORDER,
        marker: 'call: orders.fnd',
        message: /node "lookup": unknown operation "orders.fnd" \(known: orders.find,/,
      },
    ],
  },
  {
    name: 'a call missing a required argument',
    mutations: [
      replace(BOOKING, 'with: { service: "{{service}}", slot: "{{slot.id}}" }', 'with: { service: "{{service}}" }'),
    ],
    problems: [
      { file: BOOKING, marker: 'with: { service: "{{service}}" }', message: /node "book": bookings.book needs "slot"/ },
    ],
  },
  {
    name: 'a call with an unknown argument (on its own line)',
    mutations: [
      replace(ORDER, '    with: { number: "{{number}}" }\n', '    with:\n      number: "{{number}}"\n      limit: 3\n'),
    ],
    problems: [
      { file: ORDER, marker: 'limit: 3', message: /node "lookup": orders.find takes no "limit" \(it takes: number\)/ },
    ],
  },
  {
    name: 'a call whose connector bot.yaml does not configure (reported on the call)',
    mutations: [replace(BOT, '  orders: demo\n', '')],
    problems: [
      {
        file: ORDER,
        marker: 'call: orders.find',
        message: /node "lookup": orders.find needs an? orders connector.*connectors: \{ orders: demo \}.*bot.yaml/,
      },
    ],
  },

  // ---- ask details ----
  {
    name: 'a validator with an unknown option',
    mutations: [replace(LEAVE, 'validate: { type: email }', 'validate: { type: email, strict: true }')],
    problems: [{ file: LEAVE, marker: 'strict: true', message: /node "email": .*unknown field "strict"/ }],
  },
  {
    name: 'a pattern validator with a bad regular expression',
    mutations: [replace(ORDER, "pattern: '^ML-?\\d{5}$'", "pattern: '^ML-(\\d{5}$'")],
    problems: [
      {
        file: ORDER,
        marker: "'^ML-(\\d{5}$'",
        message: /node "ask-number": validate.pattern: invalid regular expression .*Unterminated group/,
      },
    ],
  },
  {
    name: 'choices_from.list that is not a list',
    mutations: [replace(BOOKING, 'list: slots.items', 'list: slots.count')],
    problems: [
      { file: BOOKING, marker: 'list: slots.count', message: /node "pick-slot": "slots.count" is not a list/ },
    ],
  },

  // ---- flow headers ----
  {
    name: 'two flows with the same id (the second file is named)',
    mutations: [
      {
        file: 'flows/tracking.yaml',
        write:
          '# a copy someone forgot to rename\nid: order-status\ntitle: { fr: Suivi, en: Tracking }\nstart: hello\nnodes:\n  hello:\n    say: Hello\n',
      },
    ],
    problems: [
      {
        file: 'flows/tracking.yaml',
        marker: 'id: order-status',
        message: /flow id "order-status" is already used by .*flows\/order-status\.yaml/,
      },
    ],
  },
  {
    name: 'a flow id with capitals',
    mutations: [replace(BOOKING, 'id: booking\n', 'id: Booking\n')],
    problems: [{ file: BOOKING, marker: 'id: Booking', message: /id: use lower-case letters/ }],
  },

  // ---- bot.yaml ----
  {
    name: 'bot.yaml: a menu target faq:nope',
    mutations: [replace(BOT, 'target: faq:returns', 'target: faq:nope')],
    problems: [{ file: BOT, marker: 'target: faq:nope', message: /unknown FAQ entry "nope"/ }],
  },
  {
    name: 'bot.yaml: an unknown message name',
    mutations: [replace(BOT, '  handoff:\n', '  handof:\n')],
    problems: [{ file: BOT, marker: 'handof:', message: /unknown message "handof" \(messages: .*\bhandoff\b/ }],
  },
  {
    name: 'bot.yaml: idle_timeout: 30 minutes',
    mutations: [replace(BOT, 'idle_timeout: 30m', 'idle_timeout: 30 minutes')],
    problems: [
      {
        file: BOT,
        marker: 'idle_timeout: 30 minutes',
        message: /session.idle_timeout: a duration is a number and a unit: .*90s, 30m/,
      },
    ],
  },
  {
    name: 'bot.yaml: leave_message_flow naming an unknown flow',
    mutations: [replace(BOT, 'leave_message_flow: leave-message', 'leave_message_flow: leave-a-message')],
    problems: [
      {
        file: BOT,
        marker: 'leave_message_flow: leave-a-message',
        message: /unknown flow "leave-a-message" \(flows: booking, leave-message, order-status, ventes-privees\)/,
      },
    ],
  },

  {
    name: 'bot.yaml: delivery.uncertain.reply: twice',
    mutations: [replace(BOT, '    reply: at_least_once\n', '    reply: twice\n')],
    problems: [
      {
        file: BOT,
        marker: 'reply: twice',
        message: /delivery.uncertain.reply: at_most_once \(kept as a dead letter for a person\) or at_least_once/,
      },
    ],
  },
  {
    name: 'bot.yaml: delivery.uncertain for a purpose that does not exist',
    mutations: [
      replace(BOT, '    campaign: at_most_once\n', '    campaign: at_most_once\n    broadcast: at_most_once\n'),
    ],
    problems: [
      { file: BOT, marker: 'broadcast: at_most_once', message: /delivery.uncertain: unknown field "broadcast"/ },
    ],
  },

  // ---- faq.yaml ----
  {
    name: 'faq.yaml: a duplicate id',
    mutations: [replace(FAQ, '- id: showroom\n', '- id: opening-hours\n')],
    problems: [{ file: FAQ, marker: '- id: opening-hours', nth: 2, message: /duplicate id "opening-hours"/ }],
  },

  // ---- several problems at once ----
  {
    name: 'one edit, mistakes in two files: every problem is reported with its own file and line',
    mutations: [replace(BOT, '  orders: demo\n  bookings: demo\n', '')],
    problems: [
      { file: ORDER, marker: 'call: orders.find', message: /node "lookup": orders.find needs an? orders connector/ },
      {
        file: BOOKING,
        marker: 'call: bookings.slots',
        message: /node "find-slots": bookings.slots needs an? bookings connector/,
      },
      {
        file: BOOKING,
        marker: 'call: bookings.book',
        message: /node "book": bookings.book needs an? bookings connector/,
      },
    ],
  },
  {
    name: 'two schema mistakes in two files are both reported',
    mutations: [
      replace(ORDER, '    next: anything-else\n\n  shipped:', '    nxt: anything-else\n\n  shipped:'),
      replace(FAQ, '- id: showroom\n', '- id: opening-hours\n'),
    ],
    problems: [
      { file: ORDER, marker: 'nxt: anything-else', message: /unknown field "nxt"/ },
      { file: FAQ, marker: '- id: opening-hours', nth: 2, message: /duplicate id "opening-hours"/ },
    ],
  },
  // ---- campaigns ----
  {
    name: 'campaign: its flow does not exist',
    mutations: [replace(CAMPAIGN, 'flow: ventes-privees', 'flow: ventes-privee')],
    problems: [{ file: CAMPAIGN, marker: 'flow: ventes-privee', message: /no flow "ventes-privee" in flows\//i }],
  },
  {
    name: 'campaign: the goal is not a node of its flow',
    mutations: [replace(CAMPAIGN, 'goal: code', 'goal: codes')],
    problems: [{ file: CAMPAIGN, marker: 'goal: codes', message: /flow "ventes-privees" has no node "codes"/ }],
  },
  {
    name: 'campaign: the window ends before it starts',
    mutations: [replace(CAMPAIGN, "end: '2027-12-31 20:00'", "end: '2026-11-01 20:00'")],
    problems: [{ file: CAMPAIGN, marker: "end: '2026-11-01 20:00'", message: /ends before it starts/ }],
  },
  {
    name: 'campaign: a day that is not in the calendar',
    mutations: [replace(CAMPAIGN, "start: '2026-11-20 09:00'", "start: '2026-11-31 09:00'")],
    problems: [{ file: CAMPAIGN, marker: "start: '2026-11-31", message: /2026-11-31 is not a day of the calendar/ }],
  },
  {
    name: 'campaign: a keyword that is a command word',
    mutations: [replace(CAMPAIGN, 'keywords: [VIP, VENTES PRIVEES', 'keywords: [VIP, STOP')],
    problems: [{ file: CAMPAIGN, marker: 'keywords: [VIP, STOP', message: /"STOP" is a command word/ }],
  },
  {
    name: 'campaign: an unknown channel',
    mutations: [replace(CAMPAIGN, 'channels: [sms, whatsapp,', 'channels: [sms, signal,')],
    problems: [{ file: CAMPAIGN, marker: 'channels: [sms, signal,', message: /a channel is one of sms, whatsapp/ }],
  },
  {
    name: 'campaign: a quiet-hours day misspelt',
    mutations: [replace(CAMPAIGN, 'days: [mon, tue, wed, thu, fri, sat]', 'days: [mon, tue, wed, thu, fri, sam]')],
    problems: [{ file: CAMPAIGN, marker: 'days: [mon, tue, wed, thu, fri, sam]', message: /"sam" is not a day/ }],
  },
  {
    name: 'campaign: a Messenger tag Meta does not allow',
    mutations: [replace(CAMPAIGN, '# messenger_tag: ACCOUNT_UPDATE', 'messenger_tag: PROMOTION')],
    problems: [{ file: CAMPAIGN, marker: 'messenger_tag: PROMOTION', message: /ACCOUNT_UPDATE/ }],
  },
  {
    name: 'campaign: the closing text misses the English version',
    mutations: [
      replace(
        CAMPAIGN,
        '\n  en: "The private sales are over, thank you for your interest! Write MENU to see what I can do for you."',
        '',
      ),
    ],
    problems: [{ file: CAMPAIGN, marker: 'fr: "Les ventes privées sont terminées', message: /missing the "en" text/ }],
  },
  {
    name: 'campaign: two campaigns at the same time with the same keyword',
    mutations: [
      {
        file: 'campaigns/noel.yaml',
        write: [
          'id: noel',
          'title: Noël',
          "window: { start: '2026-12-01 09:00', end: '2026-12-24 18:00' }",
          'flow: booking',
          'entry:',
          '  keywords: [NOEL, VIP]',
          '',
        ].join('\n'),
      },
    ],
    problems: [
      // Reported on the later file of the two (campaigns are read in name order).
      { file: CAMPAIGN, marker: 'keywords: [VIP, VENTES PRIVEES', message: /"VIP" also enters campaign noel/ },
    ],
  },
];

/** A problem as a bot author reads it: file relative to the bot folder. */
interface Seen {
  file: string;
  line: number;
  message: string;
}

async function expectedOf(
  copy: BotCopy,
  problems: readonly ExpectedProblem[],
): Promise<Array<{ file: string; line: number; message: RegExp }>> {
  const rows = await Promise.all(
    problems.map(async (p) => ({
      file: p.file,
      line: lineOf(await copy.read(p.file), p.marker, p.nth),
      message: p.message,
    })),
  );
  return rows.sort(byPlace);
}

function byPlace(a: { file: string; line: number }, b: { file: string; line: number }): number {
  return a.file.localeCompare(b.file) || a.line - b.line;
}

async function loadError(dir: string): Promise<BotFolderError> {
  let bot: BotDefinition;
  try {
    bot = await loadBot(dir);
  } catch (error) {
    assert.ok(error instanceof BotFolderError, `expected a BotFolderError, got ${String(error)}`);
    return error;
  }
  assert.fail(`the bot loaded, with ${bot.warnings.length} warning(s); a BotFolderError was expected`);
}

/** The problems, sorted, with each file made relative to `dir` (after checking it is `dir` joined with it). */
function relativeTo(dir: string, problems: readonly Problem[]): Seen[] {
  return problems
    .map((p) => {
      const file = relative(dir, p.file);
      assert.equal(p.file, join(dir, file), `problem file ${p.file} is not joined from the bot folder ${dir}`);
      assert.ok(!file.startsWith('..'), `problem file ${p.file} is outside the bot folder ${dir}`);
      assert.ok(Number.isInteger(p.column) && p.column >= 1, `column ${p.column} of ${p.file}:${p.line}`);
      return { file, line: p.line, message: p.message };
    })
    .sort(byPlace);
}

describe('a bot folder with a mistake: the error names the file and the line', () => {
  assert.ok(ROWS.length >= 20);
  for (const row of ROWS) {
    it(row.name, { todo: row.todo }, async () => {
      const copy = await demoCopy(...row.mutations);
      try {
        const error = await loadError(copy.dir);
        const expected = await expectedOf(copy, row.problems);
        const seen = relativeTo(copy.dir, error.problems);
        const report = `\ngot:\n${formatProblems(error.problems)}`;
        assert.deepEqual(
          seen.map((s) => `${s.file}:${s.line}`),
          expected.map((e) => `${e.file}:${e.line}`),
          `problems and their places${report}`,
        );
        expected.forEach((e, index) => {
          assert.match(seen[index]?.message ?? '', e.message, `message of ${e.file}:${e.line}${report}`);
        });
      } finally {
        await copy.remove();
      }
    });
  }
});

describe('a bot folder without mistakes', () => {
  it('the demo bot loads with no problem and no warning', async () => {
    const copy = await demoCopy();
    try {
      const bot = await loadBot(copy.dir);
      assert.deepEqual(bot.warnings, []);
      assert.deepEqual([...bot.flows.keys()].sort(), ['booking', 'leave-message', 'order-status', 'ventes-privees']);
      assert.ok(bot.faq && bot.faq.size > 0);
      assert.deepEqual([...bot.campaigns.keys()], ['ventes-privees']);
    } finally {
      await copy.remove();
    }
  });

  it('delivery.uncertain: replies and operators at least once, campaigns at most once unless bot.yaml says otherwise', async () => {
    const defaults = {
      reply: 'at_least_once',
      operator: 'at_least_once',
      campaign: 'at_most_once',
      notification: 'at_least_once',
    };
    const section =
      'delivery:\n  uncertain:\n    reply: at_least_once\n    operator: at_least_once\n' +
      '    campaign: at_most_once\n    notification: at_least_once\n';
    const without = await demoCopy(replace(BOT, section, ''));
    const partial = await demoCopy(
      replace(BOT, '    reply: at_least_once\n    operator: at_least_once\n', '    reply: at_most_once\n'),
    );
    try {
      assert.doesNotMatch(await without.read(BOT), /^delivery:/m);
      assert.deepEqual((await loadBot(without.dir)).settings.delivery.uncertain, defaults);
      assert.deepEqual((await loadBot(partial.dir)).settings.delivery.uncertain, {
        ...defaults,
        reply: 'at_most_once',
      });
    } finally {
      await without.remove();
      await partial.remove();
    }
  });

  it('a node nothing leads to is a warning, with its line, and the bot still loads', async () => {
    const copy = await demoCopy(
      replace(
        ORDER,
        '    handoff: order number not recognised\n',
        '    handoff: order number not recognised\n\n  orphan:\n    say: Nobody comes here.\n',
      ),
    );
    try {
      const bot = await loadBot(copy.dir);
      const line = lineOf(await copy.read(ORDER), '  orphan:');
      assert.equal(bot.warnings.length, 1, formatProblems(bot.warnings));
      const [warning] = relativeTo(copy.dir, bot.warnings);
      assert.deepEqual({ file: warning?.file, line: warning?.line }, { file: ORDER, line });
      assert.match(warning?.message ?? '', /node "orphan" cannot be reached from "ask-number"/);
    } finally {
      await copy.remove();
    }
  });
});

describe('the error message a bot author reads', () => {
  it('has one "<path>:<line>:<column>: <message>" line per problem', async () => {
    const copy = await demoCopy(replace(BOT, '  orders: demo\n  bookings: demo\n', ''));
    try {
      const error = await loadError(copy.dir);
      const [header, ...lines] = error.message.split('\n');
      assert.equal(header, `the bot folder has ${error.problems.length} problems:`);
      assert.equal(lines.length, error.problems.length);
      lines.forEach((text, index) => {
        const match = /^(.+):(\d+):(\d+): (.+)$/.exec(text);
        assert.ok(match, `not <path>:<line>:<column>: <message>: ${text}`);
        const problem = error.problems[index];
        assert.deepEqual(match.slice(1), [
          problem?.file,
          String(problem?.line),
          String(problem?.column),
          problem?.message,
        ]);
        assert.ok(match[1]?.startsWith(`${copy.dir}/`), text);
      });
    } finally {
      await copy.remove();
    }
  });
});

describe('gateway check-bot, as a bot author runs it', () => {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const run = promisify(execFile);

  function childEnv(): NodeJS.ProcessEnv {
    const env = { ...process.env };
    for (const key of Object.keys(env)) {
      if (key.startsWith('NODE_TEST') || key === 'NODE_OPTIONS') delete env[key];
    }
    return env;
  }

  async function checkBot(dir: string): Promise<{ code: number; stdout: string; stderr: string }> {
    const args = ['--conditions=@passerelle/source', '--import', 'tsx', 'apps/gateway/src/cli.ts', 'check-bot', dir];
    try {
      const { stdout, stderr } = await run(process.execPath, args, { cwd: root, env: childEnv(), timeout: 120_000 });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code?: unknown; stdout?: string; stderr?: string };
      if (typeof failed.code !== 'number') throw error;
      return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
    }
  }

  it('exits 1 and prints file:line: message for a broken folder, 0 and "no problem found" for a good one', async () => {
    const broken = await demoCopy(replace(ORDER, 'next: by-status', 'next: by-statuss'));
    const good = await demoCopy();
    try {
      const line = lineOf(await broken.read(ORDER), 'next: by-statuss');
      const [bad, fine] = await Promise.all([checkBot(broken.dir), checkBot(good.dir)]);

      assert.equal(bad.code, 1, `stdout:\n${bad.stdout}\nstderr:\n${bad.stderr}`);
      assert.match(
        bad.stderr,
        new RegExp(`flows/order-status\\.yaml:${line}:\\d+: node "lookup": unknown node "by-statuss"`),
      );
      assert.doesNotMatch(bad.stdout, /no problem found/);

      assert.equal(fine.code, 0, `stdout:\n${fine.stdout}\nstderr:\n${fine.stderr}`);
      assert.match(fine.stdout, /no problem found/);
      assert.equal(fine.stderr, '');
    } finally {
      await Promise.all([broken.remove(), good.remove()]);
    }
  });
});
