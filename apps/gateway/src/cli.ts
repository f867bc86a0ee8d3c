#!/usr/bin/env node
import {
  type Config,
  ConfigError,
  connectRedis,
  createLogger,
  type DeadLetters,
  eventFormatJsonSchema,
  loadConfig,
  migrate,
  openDb,
  openPipelineQueues,
  retryDeadLetter,
  waitForRedis,
} from '@passerelle/core';
/**
 * `gateway`: one program for every role and chore. Run `gateway --help`.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { failClearly } from './campaigns/command-runner.js';
import { registerCampaignCommands } from './campaigns-cli.js';
import { registerOperatorCommands } from './operators-cli.js';
import { ROLES, type Role, startRuntime } from './runtime.js';

const program = new Command()
  .name('gateway')
  .description(
    'Passerelle: a multi-channel messaging bot gateway.\nConfiguration comes from environment variables; see .env.example.',
  )
  .showHelpAfterError();

program
  .command('start', { isDefault: true })
  .description('run the gateway and/or the worker (all roles in one process by default)')
  .addOption(new Option('-r, --role <role>', 'which part to run').choices(ROLES).default('all'))
  .action(async (options: { role: Role }) => run(options.role));

program
  .command('gateway')
  .description(
    'run only the HTTP side: webhooks, web chat socket, pages (on the embedded database, beside a `gateway start`)',
  )
  .action(async () => run('gateway'));

program
  .command('worker')
  .description('run only the dialog worker and channel sender (on the embedded database, beside a `gateway start`)')
  .action(async () => run('worker'));

program
  .command('migrate')
  .description('apply pending database migrations and exit')
  .action(
    failClearly(async () => {
      const config = configOrExit();
      const db = await openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
      try {
        const { applied, current } = await migrate(db);
        console.log(
          applied.length > 0
            ? `applied ${applied.map((m) => `${m.version} (${m.name})`).join(', ')}; schema at version ${current}`
            : `nothing to do; schema at version ${current}`,
        );
      } finally {
        await db.close();
      }
    }),
  );

const deadLetters = program.command('dead-letters').description('inspect and retry messages that failed for good');
deadLetters
  .command('list', { isDefault: true })
  .description(
    'list dead letters, newest first (an outbound one says unknown: the provider may have it, or failed), then the messages sent again after an unknown outcome',
  )
  .option('-n, --limit <n>', 'how many', positiveInt, 50)
  .option('--json', 'print the dead letters as JSON (the resent ones: `gateway dead-letters resent --json`)')
  .action(async (options: { limit: number; json?: boolean }) =>
    withQueues(async (queues) => {
      const items = await queues.deadLetters.list(options.limit);
      if (options.json) return console.log(JSON.stringify(items, null, 2));
      console.log(`${await queues.deadLetters.count()} dead letter(s)`);
      for (const item of items) {
        const outcome = item.outcome ? `  ${item.outcome}` : '';
        console.log(`${item.id}  ${item.failedAt}  ${item.stage}${outcome}  attempts=${item.attempts}  ${item.error}`);
      }
      const resent = await queues.deadLetters.listResent(options.limit);
      const total = await queues.deadLetters.countResent();
      if (total === 0) return;
      console.log(`${total} message(s) sent again after an unknown outcome (at least once; the customer may have two)`);
      for (const item of resent) console.log(resentLine(item));
    }),
  );
deadLetters
  .command('resent')
  .description('list the messages sent again after an unknown outcome (bot.yaml delivery.uncertain), newest first')
  .option('-n, --limit <n>', 'how many', positiveInt, 50)
  .option('--json', 'print JSON')
  .action(async (options: { limit: number; json?: boolean }) =>
    withQueues(async (queues) => {
      const items = await queues.deadLetters.listResent(options.limit);
      if (options.json) return console.log(JSON.stringify(items, null, 2));
      console.log(`${await queues.deadLetters.countResent()} message(s) sent again after an unknown outcome`);
      for (const item of items) console.log(resentLine(item));
    }),
  );
deadLetters
  .command('retry <id>')
  .description('put a dead letter back on its queue (an outbound one may then be sent again)')
  .action(async (id: string) =>
    withQueues(async (queues) => {
      const result = await retryDeadLetter(queues, id);
      console.log(result === 'retried' ? `${id} is queued again` : `no dead letter ${id}`);
      if (result !== 'retried') process.exitCode = 1;
    }),
  );
deadLetters
  .command('remove <id>')
  .description('delete a dead letter')
  .action(async (id: string) =>
    withQueues(async (queues) => {
      const removed = await queues.deadLetters.remove(id);
      console.log(removed ? `${id} removed` : `no dead letter ${id}`);
      if (!removed) process.exitCode = 1;
    }),
  );

program
  .command('schema')
  .description('print the common event format as JSON Schema')
  .action(() => {
    console.log(JSON.stringify(eventFormatJsonSchema(), null, 2));
  });

program
  .command('check-config')
  .description('validate the environment variables and say which channels are on')
  .action(async () => {
    const config = configOrExit();
    const { channelStatuses } = await import('@passerelle/channels');
    console.log(
      `configuration is valid; database: ${config.databaseUrl ? 'PostgreSQL' : `PGlite in ${config.dataDir}`}`,
    );
    for (const status of channelStatuses(config)) console.log(`  ${status.channel.padEnd(10)} ${status.reason}`);
  });

const CHANNELS = ['webchat', 'sms', 'whatsapp', 'telegram', 'teams', 'messenger'] as const;

program
  .command('chat')
  .description(
    "talk to a bot folder's flows and FAQ in this terminal (no Redis, no channel); --test runs its scripted conversations",
  )
  .option('-b, --bot-dir <dir>', 'the bot folder (default: BOT_DIR or bots/demo)')
  .option('-l, --locale <locale>', "the customer's language as a channel would tell it (fr, en)")
  .addOption(
    new Option('-c, --channel <channel>', 'which channel to pretend to be').choices(CHANNELS).default('webchat'),
  )
  .option('-n, --name <name>', "the customer's name ({{contact.firstName}})")
  .option('-t, --test [files...]', "run scripted conversations (default: the bot folder's tests/*.yaml) and exit")
  .action(
    async (options: {
      botDir?: string;
      locale?: string;
      channel: (typeof CHANNELS)[number];
      name?: string;
      test?: true | string[];
    }) => {
      const { chat, testScripts } = await import('./chat.js');
      const botDir = options.botDir ?? process.env.BOT_DIR ?? 'bots/demo';
      if (options.test) {
        process.exitCode = await testScripts(botDir, options.test === true ? [] : options.test);
        return;
      }
      process.exitCode = await chat({
        botDir,
        channel: options.channel,
        ...(options.locale ? { locale: options.locale } : {}),
        ...(options.name ? { name: options.name } : {}),
      });
    },
  );

program
  .command('check-bot')
  .description('check a bot folder (flows, FAQ, settings) and print every problem with its file and line')
  .argument('[dir]', 'the bot folder (default: BOT_DIR or bots/demo)')
  .action(async (dir: string | undefined) => {
    const { loadOrReport } = await import('./chat.js');
    const botDir = dir ?? process.env.BOT_DIR ?? 'bots/demo';
    const bot = await loadOrReport(botDir);
    if (!bot) {
      process.exitCode = 1;
      return;
    }
    const faq = bot.faq ? `, ${bot.faq.size} FAQ entries` : '';
    const campaigns =
      bot.campaigns.size > 0 ? `, ${bot.campaigns.size} campaign${bot.campaigns.size > 1 ? 's' : ''}` : '';
    console.log(
      `${botDir}: ${bot.settings.name}, ${bot.flows.size} flows${faq}${campaigns}, version ${bot.version}: no problem found`,
    );
  });

program
  .command('reload-bot')
  .description('ask every running worker to reload the bot folder (they also reload when its files change)')
  .action(async () => {
    const config = configOrExit();
    const { reloadChannel } = await import('@passerelle/dialog');
    const redis = connectRedis(config.redis, 'passerelle-cli');
    try {
      await waitForRedis(redis, config.redis);
      const listeners = await redis.publish(reloadChannel(config.redisKeyPrefix), 'reload');
      console.log(`reload asked; ${listeners} worker process(es) listening`);
    } finally {
      await redis.quit();
    }
  });

registerOperatorCommands(program, {
  openDb: () => {
    const config = configOrExit();
    return openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  },
});

registerCampaignCommands(program, {
  config: configOrExit,
  openDb: () => {
    const config = configOrExit();
    return openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  },
});

function resentLine(item: Awaited<ReturnType<DeadLetters['listResent']>>[number]): string {
  return `resent  ${item.resentAt}  ${item.messageId}  ${item.channel}  ${item.purpose}  call ${item.call}/${item.calls}  ${item.reason}`;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number above 0');
  return n;
}

function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
}

async function withQueues(work: (queues: ReturnType<typeof openPipelineQueues>) => Promise<void>): Promise<void> {
  const config = configOrExit();
  const redis = connectRedis(config.redis, 'passerelle-cli');
  try {
    await waitForRedis(redis, config.redis);
    const queues = openPipelineQueues(redis, config);
    try {
      await work(queues);
    } finally {
      await queues.close();
    }
  } finally {
    await redis.quit();
  }
}

async function run(role: Role): Promise<void> {
  const config = configOrExit();
  const logger = createLogger({ level: config.logLevel, base: { role } });
  let runtime: Awaited<ReturnType<typeof startRuntime>>;
  try {
    runtime = await startRuntime(config, role, logger);
  } catch (error) {
    logger.fatal({ err: error }, `could not start: ${(error as Error).message}`);
    process.exit(1);
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing jobs in hand, taking no new ones');
    const timer = setTimeout(() => {
      logger.error(
        { timeoutMs: config.pipeline.shutdownTimeoutMs },
        'shutdown timed out; unfinished jobs will be retried',
      );
      process.exit(1);
    }, config.pipeline.shutdownTimeoutMs);
    timer.unref();
    await runtime.close();
    logger.info('stopped cleanly');
    process.exit(0);
  };
  // A library's stray promise (whatsapp-web.js page events, for one) must not take the whole gateway down.
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

await program.parseAsync(process.argv);
