/**
 * Configuration comes from environment variables only (12-factor), validated
 * once at start. A bad start names every bad or missing variable in one error,
 * so an operator fixes them all in one go instead of one restart per typo.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { parseClusterNode, type RedisSettings } from '../queues/redis.js';

const optionalString = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

const url = (protocols: RegExp, example: string) =>
  z
    .string()
    .trim()
    .refine((value) => {
      try {
        return protocols.test(new URL(value).protocol);
      } catch {
        return false;
      }
    }, `must be a URL like ${example}`);

/** RFC 1123: dot-separated labels of letters, digits and inner hyphens, 253 characters at most. */
const HOST_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .optional()
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const EnvSchema = z.object({
  REDIS_URL: url(/^rediss?:$/, 'redis://127.0.0.1:6379').default('redis://127.0.0.1:6379'),
  /** Seed nodes of a Redis Cluster, comma-separated; set, it replaces REDIS_URL (docs/redis-cluster.md). */
  REDIS_CLUSTER_NODES: optionalString
    .superRefine((value, context) => {
      const nodes = value === undefined ? [] : value.split(',');
      nodes.forEach((node, index) => {
        try {
          parseClusterNode(node);
        } catch (error) {
          const which = nodes.length > 1 ? `entry ${index + 1} of ${nodes.length}` : 'the value';
          context.addIssue({
            code: 'custom',
            message: `must list the cluster's seed nodes as host:port,host:port (or redis://host:port); ${which} ${(error as Error).message}`,
          });
        }
      });
    })
    .transform((value) => value?.split(',').map((node) => node.trim())),
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9_-]+$/, 'may hold only letters, digits, - and _')
    .default('passerelle'),
  DATABASE_URL: optionalString.pipe(z.union([z.undefined(), url(/^postgres(ql)?:$/, 'postgres://user@host:5432/db')])),
  DATA_DIR: z.string().default('./data'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /**
   * The address to listen on: an IP address of this machine (127.0.0.1 behind a proxy on the same
   * machine) or a host name that resolves to one. Unset: every interface.
   */
  HOST: optionalString.refine(
    (value) => value === undefined || isIP(value) !== 0 || HOST_NAME.test(value),
    'must be an IP address (127.0.0.1, ::1, 0.0.0.0) or a host name (localhost)',
  ),
  PUBLIC_URL: optionalString.pipe(z.union([z.undefined(), url(/^https?:$/, 'https://bot.example.com')])),
  BOT_DIR: z.string().default('bots/demo'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ADMIN_TOKEN: optionalString.pipe(z.union([z.undefined(), z.string().min(16, 'must be at least 16 characters')])),
  WEBCHAT_SECRET: optionalString.pipe(z.union([z.undefined(), z.string().min(16, 'must be at least 16 characters')])),
  /** How fast one web chat client may go (packages/channels/src/webchat/limits.ts, docs/channels/webchat.md). */
  WEBCHAT_MESSAGE_BURST: positiveInt(10),
  WEBCHAT_MESSAGES_PER_SECOND: positiveInt(1),
  WEBCHAT_CONNECTIONS_PER_MINUTE: positiveInt(30),
  WEBCHAT_SOCKETS_PER_ADDRESS: positiveInt(50),

  TWILIO_ACCOUNT_SID: optionalString,
  TWILIO_AUTH_TOKEN: optionalString,
  TWILIO_FROM: optionalString,
  TWILIO_API_URL: url(/^https?:$/, 'https://api.twilio.com').default('https://api.twilio.com'),
  /** Messages per second the sending number (or Messaging Service) is allowed; default 1, or 10 for a service. */
  TWILIO_SENDS_PER_SECOND: optionalString
    .refine(
      (value) => value === undefined || (/^\d+(\.\d+)?$/.test(value) && Number(value) > 0 && Number(value) <= 1000),
      {
        error: 'must be a number of messages per second, above 0 and at most 1000, like 10',
      },
    )
    .transform((value) => (value === undefined ? undefined : Number(value))),

  TELEGRAM_BOT_TOKEN: optionalString,
  TELEGRAM_API_ROOT: url(/^https?:$/, 'https://api.telegram.org').default('https://api.telegram.org'),
  TELEGRAM_WEBHOOK_SECRET: optionalString,
  TELEGRAM_MODE: z.enum(['webhook', 'polling']).default('webhook'),
  /** Messages per second the bot may send; default 25 (Telegram's free limit is about 30; paid broadcasts go higher). */
  TELEGRAM_SENDS_PER_SECOND: optionalString
    .refine(
      (value) => value === undefined || (/^\d+(\.\d+)?$/.test(value) && Number(value) > 0 && Number(value) <= 1000),
      { error: 'must be a number of messages per second, above 0 and at most 1000, like 25' },
    )
    .transform((value) => (value === undefined ? undefined : Number(value))),

  MicrosoftAppId: optionalString,
  MicrosoftAppPassword: optionalString,
  MicrosoftAppType: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).default('MultiTenant'),
  MicrosoftAppTenantId: optionalString,
  /** Where the Bot Connector's token signing keys are published; unset: the public cloud's. */
  BOTFRAMEWORK_OPENID_METADATA_URL: optionalString.pipe(
    z.union([z.undefined(), url(/^https?:$/, 'https://login.botframework.com/v1/.well-known/openidconfiguration')]),
  ),

  WHATSAPP_ENABLED: booleanFlag,
  WHATSAPP_SESSION_DIR: z.string().default('./data/whatsapp'),
  CHROMIUM_PATH: z.string().default('/usr/bin/chromium'),

  WORKER_CONCURRENCY: positiveInt(16),
  SENDER_CONCURRENCY: positiveInt(16),
  DEDUP_TTL_SECONDS: positiveInt(48 * 3600),
  CONVERSATION_LOCK_MS: positiveInt(15_000),
  STALLED_INTERVAL_MS: positiveInt(15_000),
  INBOUND_MAX_ATTEMPTS: positiveInt(5),
  OUTBOUND_MAX_ATTEMPTS: positiveInt(6),
  RETRY_BASE_MS: positiveInt(1_000),
  RETRY_MAX_MS: positiveInt(60_000),
  SHUTDOWN_TIMEOUT_MS: positiveInt(25_000),
});

/**
 * Rules across variables. Checked on the raw strings, apart from the schema,
 * so they are reported together with every other problem (zod skips
 * refinements once a field is already wrong).
 */
function crossVariableProblems(source: NodeJS.ProcessEnv): Array<{ variable: string; problem: string }> {
  const set = (name: string) => (source[name]?.trim() ?? '') !== '';
  const problems: Array<{ variable: string; problem: string }> = [];
  // A channel is either fully configured or off; half a configuration is a mistake worth stopping for.
  const groups: Array<[string, string[]]> = [
    ['Twilio SMS', ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_FROM']],
    ['Bot Framework', ['MicrosoftAppId', 'MicrosoftAppPassword']],
  ];
  for (const [label, names] of groups) {
    const present = names.filter(set);
    if (present.length === 0 || present.length === names.length) continue;
    for (const variable of names.filter((name) => !present.includes(name))) {
      const verb = present.length > 1 ? 'are' : 'is';
      problems.push({ variable, problem: `is required because ${present.join(', ')} ${verb} set (${label})` });
    }
  }
  if (source.MicrosoftAppType === 'SingleTenant' && set('MicrosoftAppId') && !set('MicrosoftAppTenantId')) {
    problems.push({ variable: 'MicrosoftAppTenantId', problem: 'is required for SingleTenant' });
  }
  const telegramMode = source.TELEGRAM_MODE?.trim() || 'webhook';
  if (set('TELEGRAM_BOT_TOKEN') && telegramMode === 'webhook' && !set('TELEGRAM_WEBHOOK_SECRET')) {
    problems.push({
      variable: 'TELEGRAM_WEBHOOK_SECRET',
      problem: 'is required in webhook mode, or set TELEGRAM_MODE=polling',
    });
  }
  return problems;
}

export type Env = z.infer<typeof EnvSchema>;

/** Every variable the gateway reads; .env.example documents each (a test checks it). */
export const CONFIG_VARIABLES = Object.keys(EnvSchema.shape) as Array<keyof Env>;

export interface Config {
  /** Where Redis is (connectRedis takes it): REDIS_URL, or the REDIS_CLUSTER_NODES of a cluster. */
  redis: RedisSettings;
  redisKeyPrefix: string;
  /** Unset: embedded PGlite in dataDir (one process only). */
  databaseUrl: string | undefined;
  dataDir: string;
  port: number;
  /** HOST: the address listened on; undefined: every interface. */
  host: string | undefined;
  publicUrl: string;
  botDir: string;
  logLevel: Env['LOG_LEVEL'];
  adminToken: string | undefined;
  webchatSecret: string | undefined;
  pipeline: {
    workerConcurrency: number;
    senderConcurrency: number;
    dedupTtlSeconds: number;
    conversationLockMs: number;
    stalledIntervalMs: number;
    inboundMaxAttempts: number;
    outboundMaxAttempts: number;
    retryBaseMs: number;
    retryMaxMs: number;
    shutdownTimeoutMs: number;
  };
  /** Channel settings as given; each channel decides from them whether it is on. */
  env: Env;
}

export class ConfigError extends Error {
  constructor(readonly problems: Array<{ variable: string; problem: string }>) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p.variable} ${p.problem}`).join('\n') +
        '\nSee .env.example for every variable and its meaning.',
    );
    this.name = 'ConfigError';
  }
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(source);
  const problems = [
    ...(parsed.error?.issues ?? []).map((issue) => ({
      variable: String(issue.path[0] ?? '(environment)'),
      problem: describeProblem(issue, source[String(issue.path[0])]),
    })),
    ...crossVariableProblems(source),
  ];
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const env = parsed.data;
  return {
    redis: { url: env.REDIS_URL, clusterNodes: env.REDIS_CLUSTER_NODES },
    redisKeyPrefix: env.REDIS_KEY_PREFIX,
    databaseUrl: env.DATABASE_URL,
    dataDir: env.DATA_DIR,
    port: env.PORT,
    host: env.HOST,
    publicUrl: (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/$/, ''),
    botDir: env.BOT_DIR,
    logLevel: env.LOG_LEVEL,
    adminToken: env.ADMIN_TOKEN,
    webchatSecret: env.WEBCHAT_SECRET,
    pipeline: {
      workerConcurrency: env.WORKER_CONCURRENCY,
      senderConcurrency: env.SENDER_CONCURRENCY,
      dedupTtlSeconds: env.DEDUP_TTL_SECONDS,
      conversationLockMs: env.CONVERSATION_LOCK_MS,
      stalledIntervalMs: env.STALLED_INTERVAL_MS,
      inboundMaxAttempts: env.INBOUND_MAX_ATTEMPTS,
      outboundMaxAttempts: env.OUTBOUND_MAX_ATTEMPTS,
      retryBaseMs: env.RETRY_BASE_MS,
      retryMaxMs: env.RETRY_MAX_MS,
      shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    },
    env,
  };
}

function describeProblem(issue: z.core.$ZodIssue, given: string | undefined): string {
  // Never echo the value of anything that may be a secret; say what shape was expected instead.
  const suffix = given === undefined ? ' (not set)' : '';
  if (issue.code === 'invalid_value' && 'values' in issue) {
    return `must be one of ${issue.values.map(String).join(', ')}${suffix}`;
  }
  if (issue.code === 'invalid_type' && given !== undefined) {
    return `must be a ${issue.expected}`;
  }
  return `${issue.message}${suffix}`;
}
