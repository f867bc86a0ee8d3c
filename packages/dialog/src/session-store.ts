import type { OutboundMessage, Redis } from '@passerelle/core';
import type { BotState } from './bot.js';

export interface Session {
  state: BotState;
  /**
   * The last event this conversation handled and the replies it produced. A
   * step retried after a crash finds its own event here and re-sends the same
   * replies instead of running the bot twice.
   */
  lastEventId?: string | undefined;
  lastReplies?: OutboundMessage[] | undefined;
  updatedAt: string;
}

const SESSION_TTL_SECONDS = 30 * 24 * 3600;

/** Sessions live in Redis, one JSON value per conversation, so any worker process can pick one up. */
export class SessionStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(conversationId: string): string {
    return `${this.prefix}:session:{${conversationId}}`;
  }

  async load(conversationId: string): Promise<Session> {
    const json = await this.redis.get(this.key(conversationId));
    return json ? (JSON.parse(json) as Session) : { state: {}, updatedAt: new Date(0).toISOString() };
  }

  async save(conversationId: string, session: Session): Promise<void> {
    await this.redis.set(this.key(conversationId), JSON.stringify(session), 'EX', SESSION_TTL_SECONDS);
  }
}
