import { type InboundEvent, inboundEvent } from '@passerelle/core';
import type { MessageFrame } from './protocol.js';

export interface WebchatVisitor {
  visitorId: string;
  site: string;
  locale?: string | undefined;
  name?: string | undefined;
}

/** One validated message frame from a visitor -> one InboundEvent. */
export function parseWebchatFrame(frame: MessageFrame, visitor: WebchatVisitor, receivedAt: Date): InboundEvent {
  const account = visitor.site;
  const text = frame.text?.trim();
  return inboundEvent({
    channel: 'webchat',
    account,
    providerMessageId: `${visitor.visitorId}/${frame.id}`,
    // One visitor, one thread per site.
    thread: visitor.visitorId,
    sender: {
      id: visitor.visitorId,
      ...(visitor.name ? { name: visitor.name } : {}),
      ...(visitor.locale ? { locale: visitor.locale } : {}),
    },
    receivedAt,
    kind: frame.postback ? 'postback' : 'message',
    content: {
      ...(text ? { text } : {}),
      ...(frame.postback ? { postback: frame.postback } : {}),
      ...(frame.referral ? { referral: { ref: frame.referral.ref, source: 'webchat' } } : {}),
    },
  });
}
