/**
 * `gateway operators ...`: the accounts of the people who answer in the
 * console. Passwords never go on the command line (shell history, `ps`):
 * they come from OPERATOR_PASSWORD, else are asked for without echo on a
 * terminal, else are read from the first line of stdin.
 */
import { createInterface } from 'node:readline';
import {
  checkPasswordPolicy,
  createOperator,
  type Db,
  listOperators,
  OPERATOR_ROLES,
  type Operator,
  type OperatorChanges,
  type OperatorRole,
  setOperatorActive,
  setOperatorPassword,
  updateOperator,
} from '@passerelle/core';
import { type Command, InvalidArgumentError, Option } from 'commander';

export interface OperatorCommandHelpers {
  /** Opens the database the configuration points at (closed by the command when done). */
  openDb(): Promise<Db>;
}

const PASSWORD_HELP = `
The password (at least 10 characters) comes from the OPERATOR_PASSWORD environment variable if it is set,
else it is asked for (not shown) when stdin is a terminal, else it is the first line of stdin.`;

export function registerOperatorCommands(program: Command, helpers: OperatorCommandHelpers): void {
  const withDb = <Args extends unknown[]>(work: (db: Db, ...args: Args) => Promise<void>) =>
    failClearly(async (...args: Args) => {
      const db = await helpers.openDb();
      try {
        await work(db, ...args);
      } finally {
        await db.close();
      }
    });

  const operators = program
    .command('operators')
    .description('manage the operators who answer in the console (add, list, passwd, disable, enable, update)');

  operators
    .command('add')
    .description('add an operator who can log in to the console')
    .requiredOption('--email <email>', 'their email, also their login')
    .requiredOption('--name <name>', 'the name customers and colleagues see')
    .addOption(
      new Option('--role <role>', 'operator, or manager (sees and reassigns every conversation)')
        .choices(OPERATOR_ROLES)
        .default('operator'),
    )
    .option('--team <team>', 'their team (teams are set in the bot folder)', 'support')
    .option('--max <n>', 'how many conversations they take at once', positiveInt, 3)
    .addHelpText('after', PASSWORD_HELP)
    .action(
      withDb(async (db, options: { email: string; name: string; role: OperatorRole; team: string; max: number }) => {
        const password = await readPassword(true);
        const operator = await createOperator(db, {
          email: options.email,
          name: options.name,
          role: options.role,
          team: options.team,
          maxConversations: options.max,
          password,
        });
        console.log(`added ${describe(operator)}`);
      }),
    );

  operators
    .command('list', { isDefault: true })
    .description('list the operators')
    .option('--json', 'print JSON')
    .action(
      withDb(async (db, options: { json?: boolean }) => {
        const all = await listOperators(db);
        if (options.json) {
          console.log(JSON.stringify(all, null, 2));
          return;
        }
        if (all.length === 0) {
          console.log('no operator yet: add one with gateway operators add --email <email> --name <name>');
          return;
        }
        console.log(
          table(
            ['EMAIL', 'NAME', 'ROLE', 'TEAM', 'MAX', 'ACTIVE'],
            all.map((o) => [o.email, o.name, o.role, o.team, String(o.maxConversations), o.active ? 'yes' : 'no']),
          ),
        );
      }),
    );

  operators
    .command('passwd <email>')
    .description("set an operator's password (their open console sessions end)")
    .addHelpText('after', PASSWORD_HELP)
    .action(
      withDb(async (db, email: string) => {
        const password = await readPassword(true);
        const operator = await setOperatorPassword(db, email, password);
        console.log(`password changed for ${operator.email}; their open console sessions have ended`);
      }),
    );

  operators
    .command('disable <email>')
    .description('stop an operator from logging in (their open console sessions end at once)')
    .action(
      withDb(async (db, email: string) => {
        const operator = await setOperatorActive(db, email, false);
        console.log(`${operator.email} is disabled`);
      }),
    );

  operators
    .command('enable <email>')
    .description('let a disabled operator log in again')
    .action(
      withDb(async (db, email: string) => {
        const operator = await setOperatorActive(db, email, true);
        console.log(`${operator.email} is enabled`);
      }),
    );

  operators
    .command('update <email>')
    .description("change an operator's name, role, team or maximum (takes effect at once)")
    .option('--name <name>', 'the name customers and colleagues see')
    .addOption(new Option('--role <role>', 'operator or manager').choices(OPERATOR_ROLES))
    .option('--team <team>', 'their team')
    .option('--max <n>', 'how many conversations they take at once', positiveInt)
    .action(
      withDb(
        async (db, email: string, options: { name?: string; role?: OperatorRole; team?: string; max?: number }) => {
          const changes: OperatorChanges = {
            ...(options.name !== undefined ? { name: options.name } : {}),
            ...(options.role !== undefined ? { role: options.role } : {}),
            ...(options.team !== undefined ? { team: options.team } : {}),
            ...(options.max !== undefined ? { maxConversations: options.max } : {}),
          };
          if (Object.keys(changes).length === 0)
            throw new Error('nothing to change: give --name, --role, --team or --max');
          const operator = await updateOperator(db, email, changes);
          console.log(`updated ${describe(operator)}`);
        },
      ),
    );
}

function describe(operator: Operator): string {
  const active = operator.active ? '' : ', disabled';
  return `${operator.email} (${operator.name}: ${operator.role}, team ${operator.team}, up to ${operator.maxConversations} conversations at once${active})`;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number above 0');
  return n;
}

/** Runs a command; any failure is one clear line on stderr and exit code 1. */
function failClearly<Args extends unknown[]>(work: (...args: Args) => Promise<void>) {
  return async (...args: Args) => {
    try {
      await work(...args);
    } catch (error) {
      console.error(`error: ${explain(error)}`);
      process.exitCode = 1;
    }
  };
}

function explain(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  // undefined_table: a database that was never migrated.
  if (code === '42P01') return 'the database has no operators table yet: run "gateway migrate" first';
  return error instanceof Error ? error.message : String(error);
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  return [header, ...rows]
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** The password from OPERATOR_PASSWORD, a hidden prompt (asked twice), or stdin's first line; policy checked. */
async function readPassword(confirm: boolean): Promise<string> {
  let password: string;
  const fromEnv = process.env.OPERATOR_PASSWORD;
  if (fromEnv !== undefined && fromEnv !== '') {
    password = fromEnv;
  } else if (process.stdin.isTTY) {
    password = await readHidden('password: ');
    checkPasswordPolicy(password);
    if (confirm && (await readHidden('password again: ')) !== password) throw new Error('the two passwords differ');
  } else {
    password = await firstLineOfStdin();
  }
  checkPasswordPolicy(password);
  return password;
}

function firstLineOfStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY, terminal: false });
    let answered = false;
    lines.once('line', (line) => {
      answered = true;
      lines.close();
      process.stdin.destroy();
      resolve(line);
    });
    lines.once('close', () => {
      if (!answered) {
        reject(new Error('no password given: set OPERATOR_PASSWORD, or give it on the first line of stdin'));
      }
    });
  });
}

/** Reads a line from the terminal without showing it. */
function readHidden(prompt: string): Promise<string> {
  const input = process.stdin;
  const output = process.stderr;
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (error?: Error) => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      output.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: Buffer | string) => {
      const text = chunk.toString();
      if (text.startsWith('\u001b')) return; // arrow keys and other escape sequences
      for (const char of text) {
        if (char === '\r' || char === '\n') return finish();
        if (char === '\u0003') return finish(new Error('cancelled'));
        if (char === '\u0004') return value ? finish() : finish(new Error('cancelled'));
        if (char === '\u007f' || char === '\b') value = [...value].slice(0, -1).join('');
        else if (char >= ' ') value += char;
      }
    };
    output.write(prompt);
    input.setRawMode(true);
    input.resume();
    input.on('data', onData);
  });
}
