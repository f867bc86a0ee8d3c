/**
 * Tickets in the console: offline messages and flows' "create a ticket".
 *   GET  /console/api/tickets?status=open        the list, newest first
 *   GET  /console/api/tickets/:id                the ticket, its history, the contact
 *   POST /console/api/tickets/:id/assign         to me
 *   POST /console/api/tickets/:id/reply          { id, text }: to the customer, where a channel still allows it
 *   POST /console/api/tickets/:id/status         { status: open | pending | solved | closed }
 */
import {
  addTicketEvent,
  type Db,
  getContact,
  getTicket,
  listTickets,
  type PipelineQueues,
  type TicketStatus,
  ticketEvents,
  updateTicket,
} from '@passerelle/core';
import type { HandoffDesk } from '@passerelle/dialog';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { sendFromOperator } from './outbound.js';
import { reachFor } from './reach.js';

const STATUSES = ['open', 'pending', 'solved', 'closed'] as const;
const Reply = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'id: 8-64 letters, digits, _ or -'),
  text: z.string().trim().min(1, 'text is empty').max(4000, 'text is longer than 4000 characters'),
});
const Status = z.object({ status: z.enum(STATUSES) });

export function ticketsApi(deps: {
  db: Db;
  queues: PipelineQueues;
  desk: HandoffDesk;
  requireOperator: (role?: 'manager') => RequestHandler;
}): express.Router {
  const { db } = deps;
  const router = express.Router();
  const operator = deps.requireOperator();
  router.use('/console/api/tickets', express.json({ limit: '32kb' }));
  const me = (res: Response) => res.locals.operator as { id: string; name: string };
  const handle =
    (work: (req: Request, res: Response) => Promise<unknown>) => (req: Request, res: Response, next: NextFunction) =>
      work(req, res).catch(next);
  const fail = (res: Response, status: number, error: string) => res.status(status).json({ error });

  router.get(
    '/console/api/tickets',
    operator,
    handle(async (req, res) => {
      const status = STATUSES.find((s) => s === req.query.status) as TicketStatus | undefined;
      res.json({ tickets: await listTickets(db, status) });
    }),
  );

  router.get(
    '/console/api/tickets/:id',
    operator,
    handle(async (req, res) => {
      const ticket = await getTicket(db, String(req.params.id));
      if (!ticket) return fail(res, 404, 'no such ticket');
      const reach = await reachFor(db, ticket.contactId, ticket.conversationId);
      res.json({
        ticket,
        history: await ticketEvents(db, ticket.id),
        contact: await getContact(db, ticket.contactId),
        // Where an answer would go now, or why it cannot.
        reach: reach ? { channel: reach.recipient.channel, otherChannel: reach.otherChannel } : null,
      });
    }),
  );

  router.post(
    '/console/api/tickets/:id/assign',
    operator,
    handle(async (req, res) => {
      const id = String(req.params.id);
      if (!(await updateTicket(db, id, { assignee: me(res).id }))) return fail(res, 404, 'no such ticket');
      await addTicketEvent(db, id, { actor: me(res).name, kind: 'assigned', body: me(res).name });
      await deps.desk.publish({ type: 'ticket', ticketId: id });
      res.json({ ok: true });
    }),
  );

  router.post(
    '/console/api/tickets/:id/status',
    operator,
    handle(async (req, res) => {
      const body = Status.safeParse(req.body);
      if (!body.success) return fail(res, 400, `status must be one of ${STATUSES.join(', ')}`);
      const id = String(req.params.id);
      if (!(await updateTicket(db, id, { status: body.data.status }))) return fail(res, 404, 'no such ticket');
      await addTicketEvent(db, id, { actor: me(res).name, kind: 'status', body: body.data.status });
      await deps.desk.publish({ type: 'ticket', ticketId: id });
      res.json({ ok: true });
    }),
  );

  router.post(
    '/console/api/tickets/:id/reply',
    operator,
    handle(async (req, res) => {
      const body = Reply.safeParse(req.body);
      if (!body.success) return fail(res, 400, body.error.issues.map((issue) => issue.message).join('; '));
      const ticket = await getTicket(db, String(req.params.id));
      if (!ticket) return fail(res, 404, 'no such ticket');
      const reach = await reachFor(db, ticket.contactId, ticket.conversationId);
      if (!reach) {
        const email = ticket.fields.email;
        return fail(
          res,
          409,
          `no channel can reach this customer now (Messenger and WhatsApp allow 24 hours after their last message)${email ? `; answer by email: ${email}` : ''}`,
        );
      }
      const message = await sendFromOperator(deps, reach.recipient, body.data.id, body.data.text);
      await addTicketEvent(db, ticket.id, {
        actor: me(res).name,
        kind: 'replied',
        body: `${reach.recipient.channel}: ${body.data.text}`,
      });
      // Answered: waiting for the customer now.
      if (ticket.status === 'open')
        await updateTicket(db, ticket.id, { status: 'pending', assignee: ticket.assignee ?? me(res).id });
      await deps.desk.publish({ type: 'ticket', ticketId: ticket.id });
      res.status(202).json({ id: message.id, channel: reach.recipient.channel, otherChannel: reach.otherChannel });
    }),
  );

  return router;
}
