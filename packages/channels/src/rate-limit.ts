/**
 * Pacing shared by every process (the state lives in Redis), so starting
 * more workers never sends faster than a provider allows one number or bot
 * to send.
 *
 * GCRA (the generic cell rate algorithm, a leaky bucket used as a meter)
 * rather than counters per 1-second window: with fixed windows, a window's
 * worth at the end of one second and the next window's worth at the start
 * of the next go out within a few ms, so a provider sees up to twice the
 * limit in a sliding second. GCRA keeps one number per key, the theoretical
 * arrival time (TAT) of the next send, and spaces sends one emission
 * interval (1/rate) apart, allowing an optional burst on top.
 */
import { defineScript, type LuaScript, type Redis } from '@passerelle/core';

/**
 * KEYS: the TAT key. ARGV: emission interval (µs), longest wait (µs).
 * Takes the next free slot if it comes within the longest wait, even in the
 * future: returns {ms until the slot (>= 0), 1}, and the caller goes then;
 * otherwise {ms until the slot, 0} and nothing is taken. Nobody loses a slot
 * by waking up late, so the achieved rate is the rate.
 */
const RESERVE = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local interval = tonumber(ARGV[1])
local longest = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
if tat < now then tat = now end
local wait = tat - now
if wait > longest then return {math.ceil(wait / 1000), 0} end
local next_tat = tat + interval
redis.call('SET', KEYS[1], string.format('%.0f', next_tat), 'PX', math.ceil((next_tat - now) / 1000) + 1)
return {math.ceil(wait / 1000), 1}`;

/**
 * KEYS: the TAT key. ARGV: emission interval (µs), burst tolerance (µs).
 * Returns {wait ms (0: granted and the slot taken), Redis server time ms}.
 * Time comes from Redis itself so that processes on machines whose clocks
 * disagree still share one timeline. Whole microseconds keep the arithmetic
 * exact in Lua's doubles (a TAT is ~1.8e15 µs, below 2^53).
 */
const GCRA = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
if tat < now then tat = now end
local allowed_at = tat - tolerance
local now_ms = math.floor(now / 1000)
if now < allowed_at then
  return {math.ceil((allowed_at - now) / 1000), now_ms}
end
local next_tat = tat + interval
redis.call('SET', KEYS[1], string.format('%.0f', next_tat), 'PX', math.ceil((next_tat - now) / 1000) + 1)
return {0, now_ms}`;

export interface PaceOptions {
  /**
   * How many sends may go at once on top of the steady rate (burst
   * tolerance, in sends). 0, the default, spaces every send evenly.
   */
  burst?: number;
}

export interface PaceTurn {
  /** 0: go now, the slot is taken. Otherwise how long to wait; nothing was taken. */
  waitMs: number;
  /** Redis server time of the decision (ms since the epoch), the clock every process shares. */
  serverTimeMs: number;
}

/**
 * Evenly spaced turns per key under one namespace, e.g.
 * `new Pace(redis, `${prefix}:broadcast-pace`).waitMs(campaignId, 20)`.
 */
export class Pace {
  private readonly gcra: LuaScript;
  private readonly reserveScript: LuaScript;

  constructor(
    redis: Redis,
    private readonly namespace: string,
    private readonly options: PaceOptions = {},
  ) {
    this.gcra = defineScript(redis, 'pace_gcra', 1, GCRA);
    this.reserveScript = defineScript(redis, 'pace_reserve', 1, RESERVE);
  }

  /**
   * Books the next slot if it is at most `longestWaitMs` away: `{ reserved: true, waitMs }` means
   * go in waitMs (the slot is yours); otherwise nothing is booked and waitMs says when to ask again.
   */
  async reserve(key: string, perSecond: number, longestWaitMs: number): Promise<{ reserved: boolean; waitMs: number }> {
    const reply = (await this.reserveScript(
      [`${this.namespace}:${key}`],
      [intervalMicros(perSecond), Math.max(0, Math.floor(longestWaitMs * 1000))],
    )) as unknown;
    const [waitMs, reserved] = reply as [number, number];
    return { reserved: reserved === 1, waitMs: Math.max(0, waitMs) };
  }

  /** 0 when the caller may go now (its slot is taken), otherwise how long to wait (nothing taken). */
  async waitMs(key: string, perSecond: number): Promise<number> {
    return (await this.take(key, perSecond)).waitMs;
  }

  async take(key: string, perSecond: number): Promise<PaceTurn> {
    const interval = intervalMicros(perSecond);
    const toleranceMicros = Math.max(0, Math.floor(this.options.burst ?? 0)) * interval;
    // The script returns a table, which defineScript's number type does not describe.
    const reply = (await this.gcra([`${this.namespace}:${key}`], [interval, toleranceMicros])) as unknown;
    const [waitMs, serverTimeMs] = reply as [number, number];
    return { waitMs: waitMs > 0 ? Math.max(1, waitMs) : 0, serverTimeMs };
  }
}

/** Rounded up: a rounding error may make us a hair slower than the rate, never faster. */
function intervalMicros(perSecond: number): number {
  if (!(perSecond > 0) || !Number.isFinite(perSecond)) throw new RangeError(`rate must be > 0, got ${perSecond}`);
  return Math.ceil(1_000_000 / perSecond);
}

/** Per channel account pacing: `${prefix}:rate:${channel}:${account}`. */
export class AccountRateLimits {
  private readonly pace: Pace;

  constructor(redis: Redis, prefix: string, options: PaceOptions = {}) {
    this.pace = new Pace(redis, `${prefix}:rate`, options);
  }

  /** 0 when the send may go now (its slot is taken), otherwise how long to wait (nothing taken). */
  async waitMs(channel: string, account: string, perSecond: number | undefined): Promise<number> {
    if (!perSecond) return 0;
    return this.pace.waitMs(`${channel}:${account}`, perSecond);
  }

  /** The account's next slot if it comes within `longestWaitMs` (see Pace.reserve); no limit: now. */
  reserve(channel: string, account: string, perSecond: number | undefined, longestWaitMs: number) {
    if (!perSecond) return Promise.resolve({ reserved: true, waitMs: 0 });
    return this.pace.reserve(`${channel}:${account}`, perSecond, longestWaitMs);
  }
}
