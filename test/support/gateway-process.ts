/**
 * Runs the real `gateway` CLI as a child process, from the TypeScript
 * sources, the way a user runs it; tests then talk to it over HTTP, the web
 * chat socket and Redis, and may kill it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deletePrefix, openRedis, REDIS_URL, uniquePrefix } from './services.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = fileURLToPath(new URL('../../apps/gateway/src/cli.ts', import.meta.url));

export interface GatewayProcess {
  child: ChildProcess;
  /** Every JSON log line the process wrote so far. */
  logs: Array<Record<string, unknown>>;
  /** Raw output, for failure messages. */
  output(): string;
  port: number;
  url: string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

export interface StartOptions {
  command?: string[];
  env?: Record<string, string | undefined>;
  /** Resolve once this log message appears (default: the ready line). */
  readyWhen?: (line: Record<string, unknown>) => boolean;
  /** How long it may take to be ready (default START_TIMEOUT_MS). */
  timeoutMs?: number;
}

/**
 * Test and bench processes type as fast as a machine: the web chat's limits for people
 * (a burst of 10 frames, then 1 a second) would refuse them. The tests of those limits set
 * their own values (test/webchat-limits.test.ts, test/bad-input.test.ts).
 */
const MACHINE_SPEED_WEBCHAT: Record<string, string> = {
  WEBCHAT_MESSAGE_BURST: '100000',
  WEBCHAT_MESSAGES_PER_SECOND: '100000',
  WEBCHAT_CONNECTIONS_PER_MINUTE: '100000',
  WEBCHAT_SOCKETS_PER_ADDRESS: '100000',
};

/** `stdin: 'pipe'` for a command that reads what is typed (gateway chat). */
export function runCli(
  args: string[],
  env: Record<string, string | undefined> = {},
  stdin: 'ignore' | 'pipe' = 'ignore',
): ChildProcess {
  return spawn(process.execPath, ['--conditions=@passerelle/source', '--import', 'tsx', CLI, ...args], {
    cwd: ROOT,
    env: { ...cleanEnv(), REDIS_URL, LOG_LEVEL: 'info', ...MACHINE_SPEED_WEBCHAT, ...env },
    stdio: [stdin, 'pipe', 'pipe'],
  });
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a gateway command to its end; `input` is what is typed on its standard input. */
export async function runCliToEnd(
  args: string[],
  env: Record<string, string | undefined> = {},
  input?: string,
): Promise<CliRun> {
  const child = runCli(args, env, input === undefined ? 'ignore' : 'pipe');
  if (input !== undefined) child.stdin?.end(input);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  // 'close', not 'exit': the output streams are read to their end.
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

/**
 * A deadline for a process that hangs, not a measure of speed: a gateway run from the TypeScript
 * sources (tsx compiles them) on a fresh PGlite folder (initdb) takes 5 s on an idle machine and
 * 30 s or more on 2 cores busy with the rest of the suite.
 */
const START_TIMEOUT_MS = 90_000;

export async function startGateway(options: StartOptions = {}): Promise<GatewayProcess> {
  if (options.env?.DATA_DIR && !options.env.DATABASE_URL) await seedEmbeddedDatabase(options.env.DATA_DIR);
  const child = runCli(options.command ?? ['start'], { PORT: '0', ...options.env });
  const logs: Array<Record<string, unknown>> = [];
  let raw = '';
  let port = 0;
  const isReady =
    options.readyWhen ?? ((line) => typeof line.msg === 'string' && /^(gateway|worker) ready/.test(line.msg));
  const ready = new Promise<void>((resolve, reject) => {
    let buffer = '';
    const onData = (chunk: Buffer) => {
      raw += chunk.toString();
      buffer += chunk.toString();
      let newline = buffer.indexOf('\n');
      while (newline >= 0) {
        const text = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        newline = buffer.indexOf('\n');
        let line: Record<string, unknown>;
        try {
          line = JSON.parse(text) as Record<string, unknown>;
        } catch {
          continue;
        }
        logs.push(line);
        if (typeof line.port === 'number') port = line.port;
        if (isReady(line)) resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      raw += chunk.toString();
    });
    child.once('exit', (code) => reject(new Error(`gateway exited with ${code} before it was ready:\n${raw}`)));
    setTimeout(
      () => reject(new Error(`gateway not ready after ${options.timeoutMs ?? START_TIMEOUT_MS} ms:\n${raw}`)),
      options.timeoutMs ?? START_TIMEOUT_MS,
    ).unref();
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  try {
    await ready;
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    child,
    logs,
    output: () => raw,
    port,
    url: `http://127.0.0.1:${port}`,
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      return exited;
    },
  };
}

/**
 * Gives a new DATA_DIR the empty PGlite database `npm test` initialised once (scripts/pglite-template.mjs),
 * so the gateway skips initdb; a folder that already has one (a restart) is left as it is. Without the
 * template (a test file run some other way) the gateway initialises its own, as a user's does.
 */
export async function seedEmbeddedDatabase(dataDir: string): Promise<void> {
  const template = process.env.PASSERELLE_TEST_PGLITE_TEMPLATE;
  const target = join(dataDir, 'pglite');
  if (!template || existsSync(target)) return;
  await cp(template, target, { recursive: true });
}

/** The test runner's own variables must not leak into the gateway's configuration. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (key.startsWith('NODE_TEST') || key === 'NODE_OPTIONS') delete env[key];
  }
  return env;
}

export interface IsolatedGateway extends GatewayProcess {
  /** Its REDIS_KEY_PREFIX: nothing else in the shared Redis is touched. */
  prefix: string;
  /** Its DATA_DIR (embedded PGlite), a fresh temporary folder. */
  dataDir: string;
  /** Stops the process and deletes its Redis keys and its folder. */
  dispose(): Promise<void>;
}

/** A gateway of its own (all roles unless told otherwise): fresh data folder, own Redis prefix, free port. */
export async function startIsolatedGateway(name: string, options: StartOptions = {}): Promise<IsolatedGateway> {
  const dataDir = await mkdtemp(join(tmpdir(), `passerelle-${name}-`));
  const prefix = uniquePrefix(name);
  const cleanUp = async () => {
    const redis = openRedis(`${name}-cleanup`);
    await deletePrefix(redis, prefix);
    await redis.quit();
    await rm(dataDir, { recursive: true, force: true });
  };
  let gateway: GatewayProcess;
  try {
    gateway = await startGateway({ ...options, env: { DATA_DIR: dataDir, REDIS_KEY_PREFIX: prefix, ...options.env } });
  } catch (error) {
    await cleanUp();
    throw error;
  }
  return Object.assign(gateway, {
    prefix,
    dataDir,
    async dispose() {
      await gateway.stop();
      await cleanUp();
    },
  });
}
