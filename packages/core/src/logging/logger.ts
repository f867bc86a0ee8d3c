import { type LevelWithSilent, type Logger, pino } from 'pino';
import { maskPhonesInText, redactForLog } from './redact.js';

export type { Logger } from 'pino';

export interface LoggerOptions {
  level?: LevelWithSilent;
  /** Where lines go; defaults to stdout. Tests pass a stream to read what was logged. */
  destination?: pino.DestinationStream;
  base?: Record<string, unknown>;
}

/**
 * Structured JSON logs (pino). Every object logged passes through redactForLog
 * so secrets and phone numbers are masked wherever a caller put them, not only
 * in the fields someone remembered to list.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { pid: process.pid, ...options.base },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => redactForLog(object) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          // The message string itself may carry a phone number ("no route to +336...").
          const masked = args.map((arg) => (typeof arg === 'string' ? maskPhonesInText(arg) : arg));
          return method.apply(this, masked as Parameters<typeof method>);
        },
      },
      serializers: { err: (err: unknown) => redactForLog(err) },
    },
    options.destination,
  );
}
