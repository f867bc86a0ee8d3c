import type { Redis } from '../queues/redis.js';

export type LuaScript = (keys: string[], args: Array<string | number>) => Promise<number>;

/**
 * Registers a script with ioredis (EVALSHA, falling back to EVAL after a
 * Redis restart flushed the script cache) and returns a typed caller.
 */
export function defineScript(redis: Redis, name: string, numberOfKeys: number, lua: string): LuaScript {
  const command = `passerelle_${name}`;
  const commands = redis as unknown as Record<string, (...args: Array<string | number>) => Promise<number>>;
  if (typeof commands[command] !== 'function') redis.defineCommand(command, { numberOfKeys, lua });
  return (keys, args) => {
    if (keys.length !== numberOfKeys) throw new Error(`${name} takes ${numberOfKeys} keys, got ${keys.length}`);
    return (commands[command] as (...a: Array<string | number>) => Promise<number>).call(redis, ...keys, ...args);
  };
}
