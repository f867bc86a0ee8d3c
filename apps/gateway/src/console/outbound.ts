import { createHash } from 'node:crypto';
import {
  type ConversationRecipient,
  type Db,
  EVENT_FORMAT_VERSION,
  type OutboundMessage,
  type PipelineQueues,
  recordOutbound,
} from '@passerelle/core';

/**
 * A message from a person (operator's reply, ticket answer) through the
 * normal outbound pipeline: recorded, queued, sent at most once per key. The
 * key comes from the console's own id for the message, so a retried request
 * sends once.
 */
export async function sendFromOperator(
  deps: { db: Db; queues: PipelineQueues },
  recipient: ConversationRecipient,
  clientId: string,
  text: string,
): Promise<OutboundMessage> {
  const id = `op_${createHash('sha256').update(`${recipient.conversationId}\0${clientId}`).digest('hex').slice(0, 24)}`;
  const message: OutboundMessage = {
    version: EVENT_FORMAT_VERSION,
    id,
    idempotencyKey: id,
    conversationId: recipient.conversationId,
    to: {
      channel: recipient.channel,
      account: recipient.account,
      userId: recipient.userId,
    },
    parts: [{ type: 'text', text }],
    purpose: 'operator',
    createdAt: new Date().toISOString(),
  };
  await recordOutbound(deps.db, [message]);
  await deps.queues.outbound.enqueue(message);
  return message;
}
