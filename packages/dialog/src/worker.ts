/**
 * The dialog worker: takes InboundEvents one at a time per conversation (the
 * ordered queue guarantees it), lets the bot answer, and puts the replies on
 * the outbound queue. It knows the common event format and nothing of any
 * provider.
 */
import {
  type Config,
  type Db,
  type InboundEvent,
  type Logger,
  markDeliveryByProviderId,
  OrderedWorker,
  type OutboundMessage,
  type PipelineObserver,
  type PipelineQueues,
  type Redis,
  recordInbound,
  recordOutbound,
  replyToEvent,
  resolveContact,
  stageSettings,
} from '@passerelle/core';
import type { ConnectorSet } from '@passerelle/crm-connectors';
import type { Bot } from './bot.js';
import { workerServices } from './engine/worker-services.js';
import type { HandoffDesk } from './hybrid/desk.js';
import type { TeamsFile } from './hybrid/teams.js';
import { SessionStore } from './session-store.js';

export interface DialogWorkerDeps {
  redis: Redis;
  db: Db;
  queues: PipelineQueues;
  bot: Bot;
  /** The CRM, order and booking connectors flows call; absent kinds make those calls fail politely. */
  connectors?: ConnectorSet;
  /** Hybrid mode: the queue for people and the teams' hours (the bot folder's teams.yaml, as reloaded). */
  desk?: HandoffDesk;
  teams?: () => TeamsFile | undefined;
  config: Pick<Config, 'redisKeyPrefix' | 'pipeline'>;
  logger: Logger;
  observer: PipelineObserver;
}

/** Only these kinds are something a person said; receipts and joins get no answer. */
const ANSWERABLE = new Set<InboundEvent['kind']>(['message', 'postback', 'system']);

export function startDialogWorker(deps: DialogWorkerDeps): OrderedWorker<InboundEvent> {
  const { db, queues, bot, config, logger, observer } = deps;
  const sessions = new SessionStore(deps.redis, config.redisKeyPrefix);

  async function handle(event: InboundEvent): Promise<void> {
    const started = performance.now();
    const session = await sessions.load(event.conversationId);
    let replies: OutboundMessage[];
    if (session.lastEventId === event.id && session.lastReplies) {
      // This step ran before and its process died before the queue heard so: send what it decided.
      replies = session.lastReplies;
    } else {
      const contact = await resolveContact(db, {
        channel: event.channel,
        account: event.account,
        userId: event.sender.id,
        name: event.sender.name,
        phone: event.sender.phone,
        locale: event.sender.locale,
      });
      await recordInbound(db, event, contact.id);
      const receipt = event.content.status;
      if (receipt) {
        await markDeliveryByProviderId(db, receipt.outboundProviderId, { status: receipt.state, error: receipt.error });
      }
      if (!ANSWERABLE.has(event.kind)) return;
      const services = workerServices({
        db,
        event,
        contact,
        connectors: deps.connectors ?? {},
        logger,
        desk: deps.desk,
        teams: deps.teams,
      });
      const answer = await bot.answer({ event, contact, state: session.state, services });
      // With a person on the conversation (or waiting for one), the console sees the customer's words live.
      if (deps.desk && event.kind !== 'system' && (session.state.handoff || answer.state.handoff)) {
        const text = event.content.text ?? event.content.postback?.title ?? '';
        await deps.desk.publish({
          type: 'message',
          conversationId: event.conversationId,
          direction: 'in',
          text,
          at: event.receivedAt,
          from: contact.displayName ?? event.sender.name ?? '',
        });
      }
      const now = new Date();
      replies = answer.messages.map((parts, index) => ({
        ...replyToEvent(event, parts, index, now),
        ...answer.outbound,
      }));
      await recordOutbound(db, replies);
      await sessions.save(event.conversationId, {
        state: answer.state,
        lastEventId: event.id,
        lastReplies: replies,
        updatedAt: now.toISOString(),
      });
    }
    for (const reply of replies) await queues.outbound.enqueue(reply);
    observer.dialogStepHandled(event.channel, (performance.now() - started) / 1000);
  }

  return new OrderedWorker<InboundEvent>(queues.inbound, {
    ...stageSettings(config.pipeline, 'inbound'),
    deadLetters: queues.deadLetters,
    logger,
    handle: (event) => handle(event),
  });
}
