/**
 * How fast one web chat client may go. The socket is open to anyone on the
 * internet, so without limits one script could fill the inbound queue (and
 * the bot's answers) or hold thousands of sockets open.
 *
 * - Frames per socket (in this process, every frame, valid or not) and
 *   message frames per visitor (in Redis, so a visitor's several tabs on
 *   several gateway processes share one budget): a burst of `messageBurst`,
 *   then `messagesPerSecond` steadily. A person types a message every few
 *   seconds at most and clicks a few buttons in a row: 10 at once then 1 per
 *   second is far above that, and far below what a script sends.
 * - New sockets per client address per minute, across processes (Redis): a
 *   page load opens one, a reconnect one more; 30 a minute covers an office
 *   behind one address reloading pages, not a flood.
 * - Open sockets per client address in one process: a flood that stays
 *   under the connection rate still cannot pile up thousands.
 *
 * The client address comes from client-address.ts, with the HTTP app's
 * trusted proxies. When it is unknown the per-address limits are skipped;
 * the per-socket and per-visitor limits still hold.
 */
import type { Logger, Redis } from '@passerelle/core';
import {
  BurstyRateLimiter,
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';

export interface WebchatLimitSettings {
  /** Frames a client may send at once before the steady rate applies. */
  messageBurst: number;
  /** Frames per second a client may keep sending (a whole number). */
  messagesPerSecond: number;
  /** New sockets per client address per minute, every gateway process together. */
  connectionsPerMinute: number;
  /** Sockets one client address may hold open on one gateway process. */
  socketsPerAddress: number;
}

export const DEFAULT_WEBCHAT_LIMITS: WebchatLimitSettings = {
  messageBurst: 10,
  messagesPerSecond: 1,
  connectionsPerMinute: 30,
  socketsPerAddress: 50,
};

export type LimitVerdict = { ok: true } | { ok: false; retryAfterSeconds: number };

const OK: LimitVerdict = { ok: true };

/**
 * The steady rate (a one-second window), with a burst allowance on top that refills over
 * the time the burst would take at the steady rate.
 */
function bursty(
  settings: WebchatLimitSettings,
  make: (points: number, duration: number, kind: string) => RateLimiterAbstract,
): BurstyRateLimiter {
  const burstSeconds = Math.max(1, Math.ceil(settings.messageBurst / settings.messagesPerSecond));
  return new BurstyRateLimiter(
    make(settings.messagesPerSecond, 1, 'rate'),
    make(settings.messageBurst, burstSeconds, 'burst'),
  );
}

export class WebchatLimits {
  private readonly perSocket: BurstyRateLimiter;
  private readonly perVisitor: BurstyRateLimiter;
  private readonly perAddress: RateLimiterRedis;
  private readonly open = new Map<string, number>();

  constructor(
    redis: Redis,
    prefix: string,
    readonly settings: WebchatLimitSettings,
    private readonly logger: Logger,
  ) {
    this.perSocket = bursty(settings, (points, duration) => new RateLimiterMemory({ points, duration }));
    this.perVisitor = bursty(
      settings,
      (points, duration, kind) =>
        new RateLimiterRedis({
          storeClient: redis,
          keyPrefix: `${prefix}:webchat:limit:visitor-${kind}`,
          points,
          duration,
        }),
    );
    this.perAddress = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${prefix}:webchat:limit:address`,
      points: settings.connectionsPerMinute,
      duration: 60,
    });
  }

  /** Every frame of a socket (key: the socket's own id). */
  frame(socketId: string): Promise<LimitVerdict> {
    return this.check(this.perSocket, socketId);
  }

  /** A message frame of a visitor, wherever their sockets are. */
  message(visitorId: string): Promise<LimitVerdict> {
    return this.check(this.perVisitor, visitorId);
  }

  /**
   * A new socket from this address: refused when the address opened too many this
   * minute or holds too many here. An accepted socket must be released when it closes.
   */
  async connect(address: string | undefined): Promise<LimitVerdict> {
    if (address === undefined) return OK;
    if ((this.open.get(address) ?? 0) >= this.settings.socketsPerAddress) return { ok: false, retryAfterSeconds: 60 };
    const verdict = await this.check(this.perAddress, address);
    if (verdict.ok) this.open.set(address, (this.open.get(address) ?? 0) + 1);
    return verdict;
  }

  release(address: string | undefined): void {
    if (address === undefined) return;
    const left = (this.open.get(address) ?? 1) - 1;
    if (left > 0) this.open.set(address, left);
    else this.open.delete(address);
  }

  private async check(limiter: BurstyRateLimiter | RateLimiterRedis, key: string): Promise<LimitVerdict> {
    try {
      await limiter.consume(key);
      return OK;
    } catch (error) {
      if (error instanceof RateLimiterRes) {
        return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(error.msBeforeNext / 1000)) };
      }
      // Redis unreachable: let the frame through; accepting it needs Redis too and will say so.
      this.logger.warn({ err: error, channel: 'webchat' }, 'web chat rate limit not checked (Redis)');
      return OK;
    }
  }
}

/** The limits as configured (WEBCHAT_* variables, validated in the configuration). */
export function webchatLimitSettings(env: {
  WEBCHAT_MESSAGE_BURST: number;
  WEBCHAT_MESSAGES_PER_SECOND: number;
  WEBCHAT_CONNECTIONS_PER_MINUTE: number;
  WEBCHAT_SOCKETS_PER_ADDRESS: number;
}): WebchatLimitSettings {
  return {
    messageBurst: env.WEBCHAT_MESSAGE_BURST,
    messagesPerSecond: env.WEBCHAT_MESSAGES_PER_SECOND,
    connectionsPerMinute: env.WEBCHAT_CONNECTIONS_PER_MINUTE,
    socketsPerAddress: env.WEBCHAT_SOCKETS_PER_ADDRESS,
  };
}
