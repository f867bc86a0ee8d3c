/**
 * The DialogServices of the real worker: consent in the database, handoffs
 * and tickets in the database with ids derived from the event (a turn run
 * again after a crash finds the same ids and creates nothing twice).
 */
import { createHash } from 'node:crypto';
import {
  type Contact,
  closeHandoff,
  consentOf,
  createTicket,
  type Db,
  getHandoff,
  type InboundEvent,
  type Logger,
  queuePosition,
  recordBroadcastOutcome,
  recordCampaignEvent,
  recordOptIn,
  recordOptOut,
  replyId,
  requestHandoff,
} from '@passerelle/core';
import type { ConnectorSet } from '@passerelle/crm-connectors';
import type { HandoffDesk } from '../hybrid/desk.js';
import { waitEstimate } from '../hybrid/estimate.js';
import { describeHours, formatReopening, isOpen, nextOpening } from '../hybrid/hours.js';
import { ALWAYS_OPEN, type TeamsFile } from '../hybrid/teams.js';
import { pickLocale } from '../text.js';
import type { DialogServices } from './services.js';

export function workerServices(deps: {
  db: Db;
  event: InboundEvent;
  contact: Contact;
  connectors: ConnectorSet;
  logger: Logger;
  now?: () => Date;
  /** Hybrid mode: the queue for people, and the teams' hours (bot folder teams.yaml). */
  desk?: HandoffDesk | undefined;
  teams?: (() => TeamsFile | undefined) | undefined;
}): DialogServices {
  const { db, event, contact } = deps;
  const identity = { channel: event.channel, account: event.account, userId: event.sender.id };
  const services: DialogServices = {
    connectors: deps.connectors,
    optOut: () => recordOptOut(db, identity, 'keyword'),
    optIn: (how) => recordOptIn(db, identity, how?.source ?? 'keyword', { detail: how?.detail }),
    consent: () => consentOf(db, identity),
    async campaignEvent(moment) {
      await recordCampaignEvent(db, {
        ...moment,
        conversationId: event.conversationId,
        contactId: contact.id,
        channel: event.channel,
      });
    },
    async broadcastHandled(broadcastId, outcome) {
      // The campaign's message is this event's first reply: its id is known before it is sent.
      await recordBroadcastOutcome(
        db,
        broadcastId,
        event.sender.id,
        'messaged' in outcome ? { messageId: replyId(event.id, 0) } : outcome,
      );
    },
    async requestHandoff(reason) {
      const now = services.now();
      const teams = deps.teams?.() ?? ALWAYS_OPEN;
      const teamId = teams.default_team;
      const team = teams.teams[teamId];
      if (team && !isOpen(team, now)) {
        const locale = pickLocale(contact.locale, event.sender.locale) ?? 'fr';
        const reopening = nextOpening(team, now);
        return {
          queued: false,
          hours: describeHours(team, locale),
          reopening: reopening && formatReopening(reopening, team, locale),
        };
      }
      const id = `ho_${digest(event.id, 'handoff')}`;
      await requestHandoff(db, {
        id,
        conversationId: event.conversationId,
        contactId: contact.id,
        reason,
        team: teamId,
      });
      deps.logger.info({ handoff: id, conversation: event.conversationId, reason }, 'conversation handed to a human');
      const online = deps.desk ? await deps.desk.onlineOperators() : [];
      if (deps.desk) {
        await deps.desk.publish({ type: 'queue', team: teamId });
        await deps.desk.assignWaiting();
      }
      const handoff = await getHandoff(db, id);
      const position = handoff?.status === 'waiting' ? await queuePosition(db, { id, team: teamId }) : 1;
      const { minutes } = waitEstimate({
        position,
        operatorsFree: handoff?.status === 'assigned' ? 1 : 0,
        operatorsOnline: online.length,
        averageHandlingMs: team?.average_handling ?? 4 * 60_000,
      });
      return { queued: true, id, position, minutes };
    },
    async handoffStatus(id) {
      const handoff = await getHandoff(db, id);
      return handoff?.status === 'waiting' || handoff?.status === 'assigned' ? handoff.status : 'ended';
    },
    async cancelHandoff(id) {
      const handoff = await getHandoff(db, id);
      if (handoff && (await closeHandoff(db, id))) {
        await deps.desk?.publish({
          type: 'ended',
          handoffId: id,
          conversationId: handoff.conversationId,
          how: 'closed',
        });
        await deps.desk?.publish({ type: 'queue', team: handoff.team });
      }
    },
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
      await deps.desk?.publish({ type: 'ticket', ticketId: id });
      return { id };
    },
    now: deps.now ?? (() => new Date()),
    logger: deps.logger,
  };
  return services;
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
