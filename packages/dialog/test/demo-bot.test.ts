/**
 * The demo bot's scripted conversations (bots/demo/tests/*.yaml), run the way
 * a bot author runs them (`gateway chat --test`), plus proof that a wrong
 * expectation fails with the file and line of its step.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Db, migrate, openDb } from '@passerelle/core';
import { openConnectors } from '@passerelle/crm-connectors';
import { type BotDefinition, loadBot, runScriptFile, type ScriptRunOptions, scriptFiles } from '@passerelle/dialog';

const DEMO = new URL('../../../bots/demo', import.meta.url).pathname;

describe('the demo bot’s scripted conversations', () => {
  let bot: BotDefinition;
  let db: Db;
  const options: ScriptRunOptions = {
    // One shop for every conversation, each on its own clock, as `gateway chat --test` does.
    connectors: (clock) => openConnectors(bot.settings.connectors, { db, botDir: DEMO, now: clock }),
  };

  before(async () => {
    bot = await loadBot(DEMO);
    db = await openDb({ inMemory: true });
    await migrate(db);
  });
  after(() => db.close());

  it('has scripts for order status, booking, FAQ and commands, and the campaign', async () => {
    const files = (await scriptFiles(DEMO)).map((file) => file.slice(DEMO.length + 1));
    assert.deepEqual(files, [
      'tests/booking.yaml',
      'tests/faq-and-commands.yaml',
      'tests/order-status.yaml',
      'tests/ventes-privees.yaml',
    ]);
  });

  for (const name of ['booking', 'faq-and-commands', 'order-status', 'ventes-privees']) {
    it(`passes tests/${name}.yaml`, async () => {
      const results = await runScriptFile(bot, join(DEMO, 'tests', `${name}.yaml`), options);
      assert.ok(results.length >= 2, 'each file holds several conversations');
      for (const result of results) {
        assert.ok(
          result.passed,
          `${result.name}:\n${result.failures.map((f) => `${f.line}: ${f.message}`).join('\n')}\n${result.transcript.join('\n')}`,
        );
      }
    });
  }

  it('reports a wrong expectation with the file, the step’s line and what the bot said', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'passerelle-script-'));
    try {
      const file = join(dir, 'wrong.yaml');
      await writeFile(
        file,
        [
          'conversations:',
          '  - name: expects the wrong answer',
          '    locale: fr',
          '    steps:',
          '      - user: Bonjour',
          '        bot: Que puis-je faire',
          '      - user: quels sont vos horaires',
          '        bot: ouvert le dimanche',
          '      - user: never reached',
          '',
        ].join('\n'),
      );
      const [result] = await runScriptFile(bot, file, options);
      assert.equal(result?.passed, false);
      assert.equal(result?.failures.length, 1);
      assert.equal(result?.failures[0]?.file, file);
      assert.equal(result?.failures[0]?.line, 7, 'the line of the failing step');
      assert.match(
        result?.failures[0]?.message ?? '',
        /expected the bot to say ouvert le dimanche, but the bot said:\n.*lundi au samedi/s,
      );
      assert.equal(result?.transcript.filter((line) => line.startsWith('you:')).length, 2, 'stops at the failing step');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
