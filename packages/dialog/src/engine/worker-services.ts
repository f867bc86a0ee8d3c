/**
 * The DialogServices of the real worker: consent in the database, handoffs
 * and tickets in the database with ids derived from the event (a turn run
 * again after a crash finds the same ids and creates nothing twice).
 */
import { createHash } from 'node:crypto';
import {
  type Contact,
  cancelHandoff,
  createTicket,
  type Db,
  type InboundEvent,
  type Logger,
  recordOptIn,
  recordOptOut,
  requestHandoff,
} from '@passerelle/core';
import type { ConnectorSet } from '@passerelle/crm-connectors';
import type { DialogServices } from './services.js';

export function workerServices(deps: {
  db: Db;
  event: InboundEvent;
  contact: Contact;
  connectors: ConnectorSet;
  logger: Logger;
  now?: () => Date;
}): DialogServices {
  const { db, event, contact } = deps;
  const identity = { channel: event.channel, account: event.account, userId: event.sender.id };
  return {
    connectors: deps.connectors,
    optOut: () => recordOptOut(db, identity, 'keyword'),
    optIn: () => recordOptIn(db, identity, 'keyword'),
    async requestHandoff(reason) {
      const id = `ho_${digest(event.id, 'handoff')}`;
      await requestHandoff(db, { id, conversationId: event.conversationId, contactId: contact.id, reason });
      deps.logger.info({ handoff: id, conversation: event.conversationId, reason }, 'conversation handed to a human');
      return { id };
    },
    cancelHandoff: (id) => cancelHandoff(db, id),
    async createTicket(ticket) {
      const id = ticketReference(event.id, ticket.subject);
      await createTicket(db, {
        id,
        contactId: contact.id,
        conversationId: event.conversationId,
        subject: ticket.subject,
        body: ticket.body,
        fields: { ...ticket.fields, flow: ticket.flow },
      });
      deps.logger.info({ ticket: id, conversation: event.conversationId }, 'ticket created');
      return { id };
    },
    now: deps.now ?? (() => new Date()),
    logger: deps.logger,
  };
}

function digest(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 16);
}

/** "T-4F7K2A": short enough to read out on the phone, no 0/O or 1/I to confuse. */
export function ticketReference(...parts: string[]): string {
  const alphabet = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
  const bytes = createHash('sha256').update(parts.join('\0')).digest();
  let reference = '';
  for (let i = 0; i < 6; i += 1) reference += alphabet[(bytes[i] ?? 0) % alphabet.length];
  return `T-${reference}`;
}
