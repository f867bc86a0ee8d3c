/**
 * The handoff desk: the queue of conversations waiting for a person, who is
 * online, who gets what. It runs in any process (gateway or worker) over the
 * shared database and Redis:
 * - presence: an operator whose console is connected is online (a Redis
 *   sorted set scored by expiry, refreshed by the console's live stream);
 * - assignment: the first waiting conversation goes to the online operator
 *   with the fewest conversations, under their maximum (one guarded SQL
 *   statement per attempt, so two processes never give one conversation twice);
 * - what changes the customer's conversation (closed, handed back, nobody came)
 *   is put in that conversation's own inbound queue as a `system` event, so
 *   the dialog worker applies it in order with the customer's messages;
 * - every change is published for the consoles (Redis pub/sub).
 */
import { randomUUID } from 'node:crypto';
import {
  assignHandoff,
  closeHandoff,
  conversationRecipient,
  type Db,
  expireWaiting,
  type Handoff,
  inboundEvent,
  type Logger,
  listOperators,
  operatorLoads,
  type PipelineQueues,
  type Redis,
  waitingHandoffs,
} from '@passerelle/core';

/** What the consoles are told, as it happens. */
export type ConsoleEvent =
  | { type: 'queue'; team: string }
  | { type: 'assigned'; handoffId: string; conversationId: string; operatorId: string }
  | { type: 'ended'; handoffId: string; conversationId: string; how: HandoffEnd }
  | { type: 'message'; conversationId: string; direction: 'in' | 'out'; text: string; at: string; from: string }
  | { type: 'ticket'; ticketId: string };

export type HandoffEnd = 'closed' | 'handback' | 'expired';

/** The payload of the system event each end puts in the conversation. */
export const SYSTEM_PAYLOAD: Record<HandoffEnd, string> = {
  closed: 'handoff:closed',
  handback: 'handoff:handback',
  expired: 'handoff:expired',
};

const PRESENCE_TTL_MS = 45_000;

export class HandoffDesk {
  constructor(
    private readonly deps: {
      db: Db;
      redis: Redis;
      prefix: string;
      queues: PipelineQueues;
      logger: Logger;
      /** How long the customer waited for a person (metrics). */
      onAssigned?: ((waitedSeconds: number) => void) | undefined;
    },
  ) {}

  private get onlineKey(): string {
    return `${this.deps.prefix}:console:online`;
  }

  eventsChannel(): string {
    return `${this.deps.prefix}:console:events`;
  }

  async publish(event: ConsoleEvent): Promise<void> {
    await this.deps.redis.publish(this.eventsChannel(), JSON.stringify(event));
  }

  /** Called by an operator's live stream every few seconds; they drop off 45 s after it stops. */
  async markOnline(operatorId: string): Promise<void> {
    await this.deps.redis.zadd(this.onlineKey, String(Date.now() + PRESENCE_TTL_MS), operatorId);
  }

  async markOffline(operatorId: string): Promise<void> {
    await this.deps.redis.zrem(this.onlineKey, operatorId);
  }

  async onlineOperators(): Promise<string[]> {
    await this.deps.redis.zremrangebyscore(this.onlineKey, '-inf', String(Date.now()));
    return this.deps.redis.zrange(this.onlineKey, '0', '-1');
  }

  /**
   * Gives waiting conversations to online operators with room, oldest first,
   * each to whoever has the fewest. Returns how many were given.
   */
  async assignWaiting(): Promise<number> {
    const online = new Set(await this.onlineOperators());
    if (online.size === 0) return 0;
    const operators = (await listOperators(this.deps.db)).filter((o) => o.active && online.has(o.id));
    const loads = await operatorLoads(this.deps.db);
    let given = 0;
    for (const handoff of await waitingHandoffs(this.deps.db)) {
      const candidates = operators
        .filter((o) => o.team === handoff.team && (loads.get(o.id) ?? 0) < o.maxConversations)
        .sort((a, b) => (loads.get(a.id) ?? 0) - (loads.get(b.id) ?? 0));
      for (const operator of candidates) {
        if (await assignHandoff(this.deps.db, handoff.id, operator.id)) {
          loads.set(operator.id, (loads.get(operator.id) ?? 0) + 1);
          given += 1;
          await this.announceAssigned(handoff, operator.id);
          break;
        }
      }
    }
    return given;
  }

  /** An operator takes a waiting conversation by hand (within their maximum). */
  async take(handoff: Handoff, operatorId: string): Promise<boolean> {
    const taken = await assignHandoff(this.deps.db, handoff.id, operatorId);
    if (taken) await this.announceAssigned(handoff, operatorId);
    return taken;
  }

  /** Closed by its operator or handed back to the bot: the customer's conversation hears of it in order. */
  async finish(handoff: Handoff, how: 'closed' | 'handback', operatorId?: string): Promise<boolean> {
    if (!(await closeHandoff(this.deps.db, handoff.id, operatorId))) return false;
    await this.ended(handoff, how);
    // The operator has room again: the next waiting conversation need not wait for the sweeper.
    await this.assignWaiting();
    return true;
  }

  /** Nobody took them within the team's `offline_after`: the bot offers to leave a message instead. */
  async expire(team: string, offlineAfterMs: number, now = new Date()): Promise<number> {
    const expired = await expireWaiting(this.deps.db, team, new Date(now.getTime() - offlineAfterMs));
    for (const handoff of expired) await this.ended(handoff, 'expired');
    return expired.length;
  }

  private async announceAssigned(handoff: Handoff, operatorId: string): Promise<void> {
    this.deps.logger.info({ handoff: handoff.id, operator: operatorId }, 'conversation given to an operator');
    this.deps.onAssigned?.((Date.now() - handoff.requestedAt.getTime()) / 1000);
    await this.publish({ type: 'assigned', handoffId: handoff.id, conversationId: handoff.conversationId, operatorId });
    await this.publish({ type: 'queue', team: handoff.team });
  }

  private async ended(handoff: Handoff, how: HandoffEnd): Promise<void> {
    await this.systemEvent(handoff.conversationId, `${SYSTEM_PAYLOAD[how]}:${handoff.id}`);
    await this.publish({ type: 'ended', handoffId: handoff.id, conversationId: handoff.conversationId, how });
    await this.publish({ type: 'queue', team: handoff.team });
  }

  /** A `system` event in the conversation's inbound queue, from its customer, so it is handled in order. */
  async systemEvent(conversationId: string, payload: string): Promise<void> {
    const recipient = await conversationRecipient(this.deps.db, conversationId);
    if (!recipient) {
      this.deps.logger.warn({ conversation: conversationId }, 'no recipient for a system event');
      return;
    }
    const event = inboundEvent({
      channel: recipient.channel,
      account: recipient.account,
      providerMessageId: `system-${randomUUID()}`,
      thread: recipient.userId,
      sender: { id: recipient.userId },
      receivedAt: new Date(),
      kind: 'system',
      content: { postback: { payload } },
    });
    // The thread decides the conversation id: it must be the one the desk was told about.
    if (event.conversationId !== conversationId) Object.assign(event, { conversationId });
    await this.deps.queues.inbound.enqueue(event);
  }
}
