/**
 * The WhatsApp network around FakeWhatsappWeb, for tests where the linked
 * session changes hands: customers' messages go to the session that is
 * linked now, and, as WhatsApp does, a message that no linked device
 * acknowledged (its delivery receipt) is kept and delivered to the next
 * session linked, in the order it was written. A message a device did
 * acknowledge is never delivered again.
 */
import { type FakeSession, type FakeWhatsappWeb, whatsappChat } from './fakes/whatsapp.js';

export const OUR_NUMBER = '33700000000';

/** A text from a customer, as WhatsApp Web's message model serializes it. */
export function customerText(from: string, id: string, body: string): Record<string, unknown> {
  return whatsappChat({ from, to: `${OUR_NUMBER}@c.us`, id, body });
}

interface Written {
  id: string;
  data: Record<string, unknown>;
  /** The sessions it was handed to, in order. */
  deliveredTo: number[];
}

export class WhatsappNetwork {
  private readonly written: Written[] = [];
  private linked: FakeSession | undefined;

  constructor(private readonly web: FakeWhatsappWeb) {}

  /** A customer writes: handed to the linked session now if it is there, else kept for the next one. */
  write(data: Record<string, unknown>): void {
    const id = (data.id as { _serialized: string })._serialized;
    const written: Written = { id, data, deliveredTo: [] };
    this.written.push(written);
    if (this.linked?.open) this.handTo(this.linked, written);
  }

  /** The phone links this session: it is ready, then gets what no device acknowledged yet. */
  link(session: FakeSession): void {
    session.link(OUR_NUMBER);
    this.linked = session;
    for (const written of this.written) if (!this.acknowledged(written)) this.handTo(session, written);
  }

  /** Messages handed to more than one session (because the first never acknowledged them). */
  redelivered(): string[] {
    return this.written.filter((written) => written.deliveredTo.length > 1).map((written) => written.id);
  }

  /** The sessions each message was handed to, by id. */
  deliveries(): Map<string, number[]> {
    return new Map(this.written.map((written) => [written.id, [...written.deliveredTo]]));
  }

  /** Messages that some session acknowledged. */
  acknowledgedCount(): number {
    return this.written.filter((written) => this.acknowledged(written)).length;
  }

  private acknowledged(written: Written): boolean {
    return this.web.sessions.some((session) => session.received.has(written.id));
  }

  private handTo(session: FakeSession, written: Written): void {
    written.deliveredTo.push(session.id);
    session.deliver(written.data);
  }
}
