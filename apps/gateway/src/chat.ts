/**
 * `gateway chat`: talk to a bot folder in the terminal, the way a bot author
 * tries a flow before publishing it; `gateway chat --test` runs the folder's
 * scripted conversations (tests/*.yaml). Everything runs in this process:
 * no Redis, no channel, and the demo connector on an in-memory database.
 */
import { createInterface } from 'node:readline/promises';
import { type Channel, type Db, migrate, openDb } from '@passerelle/core';
import type { ConnectorSet } from '@passerelle/crm-connectors';
import {
  type BotDefinition,
  BotFolderError,
  type BotMessage,
  ConversationSimulator,
  checkBotConnectors,
  formatBotMessage,
  formatProblems,
  loadBot,
  openBotConnectors,
  runScriptFile,
  scriptFiles,
} from '@passerelle/dialog';

export interface ChatOptions {
  botDir: string;
  locale?: string;
  channel?: Channel;
  name?: string;
  phone?: string;
}

/** Loads the bot folder or prints every problem (file:line: what) and returns undefined. */
export async function loadOrReport(botDir: string): Promise<BotDefinition | undefined> {
  try {
    const bot = await loadBot(botDir);
    if (bot.warnings.length > 0) console.error(`warnings:\n${formatProblems(bot.warnings)}`);
    // Connector settings and their secrets' variables too, so a mistake is said before any conversation.
    await checkBotConnectors(bot);
    return bot;
  } catch (error) {
    if (!(error instanceof BotFolderError)) throw error;
    console.error(error.message);
    return undefined;
  }
}

/** The connectors bot.yaml asks for, on a throw-away in-memory database. */
async function connectorsFor(bot: BotDefinition, clock: () => Date): Promise<{ connectors: ConnectorSet; db?: Db }> {
  if (Object.keys(bot.settings.connectors).length === 0) return { connectors: {} };
  const db = await openDb({ inMemory: true });
  await migrate(db);
  return { connectors: await openBotConnectors(bot, { db, now: clock }), db };
}

export async function chat(options: ChatOptions): Promise<number> {
  let bot = await loadOrReport(options.botDir);
  if (!bot) return 1;
  let simulator: ConversationSimulator | undefined;
  const { connectors, db } = await connectorsFor(bot, () => simulator?.now ?? new Date());
  simulator = new ConversationSimulator(bot, { ...options, connectors });
  const terminal = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY });
  console.log(
    `${bot.settings.name} (${options.botDir}, version ${bot.version}). Type as a customer would; a number presses an option.\n` +
      'Commands: /wait 31m  /reload  /state  /reset  /quit',
  );
  const show = (messages: BotMessage[]) => {
    if (messages.length === 0) console.log('   (no answer)');
    for (const message of messages) console.log(`bot> ${formatBotMessage(message).replace(/\n/g, '\n     ')}`);
  };
  try {
    for await (const line of terminal) {
      const text = line.trim();
      if (text === '/quit' || text === '/exit') break;
      if (text.startsWith('/wait')) {
        const minutes = Number.parseFloat(text.slice(5)) || 0;
        simulator.advance(minutes * 60_000);
        console.log(`   (${minutes} min later)`);
      } else if (text === '/reload') {
        const fresh = await loadOrReport(options.botDir);
        if (fresh) {
          bot = fresh;
          simulator.replaceBot(fresh);
          console.log(`   (reloaded: version ${fresh.version}; the conversation goes on)`);
        }
      } else if (text === '/state') {
        console.log(JSON.stringify(simulator.state, null, 2));
      } else if (text === '/reset') {
        simulator.state = {};
        console.log('   (new conversation)');
      } else if (/^\d{1,2}$/.test(text) && simulator.lastOptions[Number(text) - 1]) {
        show(await simulator.press(Number(text)));
      } else if (text) {
        show(await simulator.say(text));
      }
    }
  } finally {
    terminal.close();
    await db?.close();
  }
  return 0;
}

export async function testScripts(botDir: string, files: string[]): Promise<number> {
  const bot = await loadOrReport(botDir);
  if (!bot) return 1;
  const paths = files.length > 0 ? files : await scriptFiles(botDir);
  if (paths.length === 0) {
    console.error(`no scripted conversations in ${botDir}/tests/*.yaml`);
    return 1;
  }
  let passed = 0;
  let failed = 0;
  // One throw-away shop for the whole run; each conversation gets connectors on its own clock.
  let db: Db | undefined;
  const connectors = async (clock: () => Date): Promise<ConnectorSet> => {
    if (Object.keys(bot.settings.connectors).length === 0) return {};
    if (!db) {
      db = await openDb({ inMemory: true });
      await migrate(db);
    }
    return openBotConnectors(bot, { db, now: clock });
  };
  try {
    for (const file of paths) {
      for (const result of await runScriptFile(bot, file, { connectors })) {
        if (result.passed) {
          passed += 1;
          console.log(`  ✓ ${file}: ${result.name}`);
        } else {
          failed += 1;
          console.log(`  ✗ ${file}: ${result.name}\n${formatProblems(result.failures).replace(/^/gm, '      ')}`);
          console.log(`    conversation so far:\n${result.transcript.map((line) => `      ${line}`).join('\n')}`);
        }
      }
    }
  } finally {
    await db?.close();
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}
