export { CONFIG_VARIABLES, type Config, ConfigError, type Env, loadConfig } from './config/env.js';
export { type InboundFacts, inboundEvent, replyToEvent } from './events/build.js';
export * from './events/ids.js';
export { eventFormatJsonSchema } from './events/json-schema.js';
export * from './events/schema.js';
export { createLogger, type Logger, type LoggerOptions } from './logging/logger.js';
export { maskPhone, maskPhonesInText, redactForLog } from './logging/redact.js';
export { type DeadLetter, DeadLetters } from './pipeline/dead-letters.js';
export { type Lease, redisLease } from './pipeline/lease.js';
export { defineScript, type LuaScript } from './pipeline/lua.js';
export { type PipelineObserver, silentObserver } from './pipeline/observer.js';
export {
  type EnqueueResult,
  type HandlerContext,
  OrderedQueue,
  type OrderedQueueOptions,
  OrderedWorker,
  type OrderedWorkerOptions,
} from './pipeline/ordered-queue.js';
export {
  openInboundQueue,
  openPipelineQueues,
  type PipelineQueues,
  retryDeadLetter,
  stageSettings,
} from './pipeline/queues.js';
export { type BackoffPolicy, backoffDelay, GiveUp, parseRetryAfter, RetryLater } from './pipeline/retry.js';
export {
  ACCEPT_DEADLINE_MS,
  asRedisUnavailable,
  EDGE_COMMAND_TIMEOUT_MS,
  isRedisUnavailable,
  RedisUnavailable,
  redisReady,
  UNAVAILABLE_RETRY_AFTER_SECONDS,
  withinDeadline,
} from './queues/availability.js';
export { bullmqQueueName, conversationKey, conversationKeys, QUEUE, type QueueName } from './queues/names.js';
export {
  type ConnectOptions,
  connectRedis,
  isCluster,
  type Redis,
  type RedisSettings,
  safeRedisAddress,
  waitForRedis,
} from './queues/redis.js';
export {
  checkPasswordPolicy,
  hashPassword,
  PASSWORD_MIN_LENGTH,
  PasswordPolicyError,
  verifyPassword,
} from './security/passwords.js';
export * from './storage/index.js';
export { Duration, parseDuration } from './text/duration.js';
export {
  addDays,
  existsLocally,
  isTimeZone,
  localToInstant,
  naiveUtc,
  offsetAt,
  wallClock,
  weekday,
} from './text/wall-clock.js';
