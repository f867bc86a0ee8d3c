/**
 * The operator console's JSON API, behind the console login (auth.ts):
 *   GET  /console/api/queue                      conversations waiting for a person
 *   GET  /console/api/mine                       the ones I have
 *   GET  /console/api/conversations/:id          transcript (every channel of the contact), contact, notes
 *   POST /console/api/handoffs/:id/take          take a waiting conversation (within my maximum)
 *   POST /console/api/conversations/:id/reply    { id, text }: sent on the conversation's channel
 *   POST /console/api/handoffs/:id/handback      give it back to the bot
 *   POST /console/api/handoffs/:id/close         end it
 *   POST /console/api/conversations/:id/notes    { body }: an internal note
 *   GET  /console/api/events                     server-sent events: what changes, live; keeps me online
 * Replies go through the normal outbound pipeline (recorded, queued, sent at
 * most once per idempotency key: the console's own id for the reply).
 */
import {
  assignedTo,
  conversationRecipient,
  type Db,
  getContact,
  getHandoff,
  type Handoff,
  type Logger,
  markFirstReply,
  openHandoffOf,
  type PipelineQueues,
  queuePosition,
  type Redis,
  transcript,
  waitingHandoffs,
} from '@passerelle/core';
import type { ChannelIdentity, CrmConnector, CrmContact } from '@passerelle/crm-connectors';
import type { HandoffDesk } from '@passerelle/dialog';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { sendFromOperator } from './outbound.js';

export interface ConsoleApiDeps {
  db: Db;
  redis: Redis;
  /** A second connection: a subscribed Redis connection can do nothing else. */
  subscriber: Redis;
  queues: PipelineQueues;
  desk: HandoffDesk;
  logger: Logger;
  requireOperator: (role?: 'manager') => RequestHandler;
  observe?: { firstHumanReply(seconds: number): void } | undefined;
  /** The bot folder's CRM, for the contact's CRM card (absent: no card). */
  crm?: CrmConnector | undefined;
  /** The open live streams, so a shutdown can end them (an open stream would keep the server from closing). */
  streams?: Set<Response> | undefined;
}

interface OperatorLocals {
  id: string;
  name: string;
  role: 'operator' | 'manager';
}

const Reply = z.object({
  /** Made by the console for each reply: sending twice (a retry) sends once. */
  id: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'id: 8-64 letters, digits, _ or -'),
  text: z.string().trim().min(1, 'text is empty').max(4000, 'text is longer than 4000 characters'),
});
const Note = z.object({ body: z.string().trim().min(1, 'body is empty').max(4000) });

/**
 * The contact as the CRM knows them, found by the channel identity, phone or
 * email. The CRM connector has its own time limit and breaker: a slow CRM
 * gives a console without its card, never a console that waits.
 */
async function crmCard(
  deps: ConsoleApiDeps,
  contact: { phone: string | null; email: string | null } | undefined,
  recipient: ChannelIdentity,
): Promise<{ found: CrmContact | null; error?: string } | null> {
  if (!deps.crm) return null;
  try {
    const found = await deps.crm.findContact({
      identity: {
        channel: recipient.channel,
        account: recipient.account,
        userId: recipient.userId,
      },
      phone: contact?.phone ?? undefined,
      email: contact?.email ?? undefined,
    });
    return { found: found ?? null };
  } catch (error) {
    deps.logger.warn({ err: error }, 'CRM card unavailable');
    return { found: null, error: 'the CRM is not answering' };
  }
}

export function consoleApi(deps: ConsoleApiDeps): express.Router {
  const { db, desk } = deps;
  const router = express.Router();
  const operator = deps.requireOperator();
  router.use('/console/api', express.json({ limit: '32kb' }));

  const me = (res: Response) => res.locals.operator as OperatorLocals;
  const handle =
    (work: (req: Request, res: Response) => Promise<unknown>) => (req: Request, res: Response, next: NextFunction) =>
      work(req, res).catch(next);
  const fail = (res: Response, status: number, error: string) => res.status(status).json({ error });
  const describe = async (handoff: Handoff) => {
    const contact = await getContact(db, handoff.contactId);
    const recipient = await conversationRecipient(db, handoff.conversationId);
    return {
      id: handoff.id,
      conversationId: handoff.conversationId,
      status: handoff.status,
      reason: handoff.reason,
      team: handoff.team,
      operatorId: handoff.operatorId,
      requestedAt: handoff.requestedAt,
      assignedAt: handoff.assignedAt,
      channel: recipient?.channel,
      contact: contact && { id: contact.id, name: contact.displayName, phone: contact.phone, email: contact.email },
      position: handoff.status === 'waiting' ? await queuePosition(db, handoff) : undefined,
    };
  };

  router.get(
    '/console/api/queue',
    operator,
    handle(async (_req, res) => res.json({ waiting: await Promise.all((await waitingHandoffs(db)).map(describe)) })),
  );

  router.get(
    '/console/api/mine',
    operator,
    handle(async (_req, res) =>
      res.json({ conversations: await Promise.all((await assignedTo(db, me(res).id)).map(describe)) }),
    ),
  );

  router.get(
    '/console/api/conversations/:id',
    operator,
    handle(async (req, res) => {
      const conversationId = String(req.params.id);
      const recipient = await conversationRecipient(db, conversationId);
      if (!recipient) return fail(res, 404, 'no such conversation');
      const contact = await getContact(db, recipient.contactId);
      // The transcript across channels: every conversation of this contact, in time order.
      const { rows } = await db.query<{ id: string; channel: string }>(
        'select id, channel from conversations where contact_id = $1 order by started_at',
        [recipient.contactId],
      );
      const lines = (
        await Promise.all(
          rows.map(async (conversation) =>
            (
              await transcript(db, conversation.id)
            ).map((line) => ({ ...line, channel: conversation.channel, conversationId: conversation.id })),
          ),
        )
      )
        .flat()
        .filter((line) => line.kind !== 'delivery' && line.kind !== 'read' && line.kind !== 'system')
        .sort((a, b) => new Date(a.createdAt).getTime() - new Date(b.createdAt).getTime());
      const notes = await db.query<{ body: string; created_at: Date; operator_id: string | null }>(
        'select body, created_at, operator_id from conversation_notes where conversation_id = $1 order by id',
        [conversationId],
      );
      const handoff = await openHandoffOf(db, conversationId);
      res.json({
        crm: await crmCard(deps, contact, recipient),
        conversationId,
        channel: recipient.channel,
        contact,
        handoff: handoff && (await describe(handoff)),
        transcript: lines,
        notes: notes.rows.map((row) => ({ body: row.body, at: row.created_at, operatorId: row.operator_id })),
      });
    }),
  );

  router.post(
    '/console/api/handoffs/:id/take',
    operator,
    handle(async (req, res) => {
      const handoff = await getHandoff(db, String(req.params.id));
      if (!handoff) return fail(res, 404, 'no such handoff');
      if (handoff.status !== 'waiting') return fail(res, 409, `it is ${handoff.status}, not waiting`);
      if (!(await desk.take(handoff, me(res).id))) {
        return fail(res, 409, 'someone took it first, or you already have your maximum of conversations');
      }
      res.json({ handoff: await describe((await getHandoff(db, handoff.id)) as Handoff) });
    }),
  );

  router.post(
    '/console/api/conversations/:id/reply',
    operator,
    handle(async (req, res) => {
      const body = Reply.safeParse(req.body);
      if (!body.success) return fail(res, 400, body.error.issues.map((issue) => issue.message).join('; '));
      const conversationId = String(req.params.id);
      const handoff = await openHandoffOf(db, conversationId);
      if (handoff?.status !== 'assigned' || handoff.operatorId !== me(res).id) {
        return fail(res, 409, 'take the conversation before replying');
      }
      const recipient = await conversationRecipient(db, conversationId);
      if (!recipient) return fail(res, 404, 'no such conversation');
      const message = await sendFromOperator(deps, recipient, body.data.id, body.data.text);
      const { id, createdAt: now } = message;
      const first = await markFirstReply(db, handoff.id);
      if (first?.firstReplyAt)
        deps.observe?.firstHumanReply((first.firstReplyAt.getTime() - first.requestedAt.getTime()) / 1000);
      await desk.publish({
        type: 'message',
        conversationId,
        direction: 'out',
        text: body.data.text,
        at: now,
        from: me(res).name,
      });
      res.status(202).json({ id });
    }),
  );

  for (const how of ['handback', 'close'] as const) {
    router.post(
      `/console/api/handoffs/:id/${how}`,
      operator,
      handle(async (req, res) => {
        const handoff = await getHandoff(db, String(req.params.id));
        if (!handoff) return fail(res, 404, 'no such handoff');
        const operatorId = me(res).role === 'manager' ? undefined : me(res).id;
        if (!(await desk.finish(handoff, how === 'close' ? 'closed' : 'handback', operatorId))) {
          return fail(res, 409, 'it is not yours, or it has already ended');
        }
        res.json({ ok: true });
      }),
    );
  }

  router.post(
    '/console/api/conversations/:id/notes',
    operator,
    handle(async (req, res) => {
      const body = Note.safeParse(req.body);
      if (!body.success) return fail(res, 400, body.error.issues.map((issue) => issue.message).join('; '));
      const conversationId = String(req.params.id);
      if (!(await conversationRecipient(db, conversationId))) return fail(res, 404, 'no such conversation');
      await db.query('insert into conversation_notes (conversation_id, operator_id, body) values ($1, $2, $3)', [
        conversationId,
        me(res).id,
        body.data.body,
      ]);
      res.status(201).json({ ok: true });
    }),
  );

  // Live: what changes, as server-sent events; while it is open, the operator counts as online.
  router.get(
    '/console/api/events',
    operator,
    handle(async (req, res) => {
      const operatorId = me(res).id;
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-store',
        connection: 'keep-alive',
      });
      res.write('retry: 3000\n\n');
      const send = (message: string) => res.write(`data: ${message}\n\n`);
      const listener = (channel: string, message: string) => {
        if (channel === desk.eventsChannel()) send(message);
      };
      deps.subscriber.on('message', listener);
      deps.streams?.add(res);
      await desk.markOnline(operatorId);
      // Someone just came online: conversations waiting may now have an operator.
      await desk.assignWaiting();
      const beat = setInterval(() => {
        res.write(': keep-alive\n\n');
        void desk.markOnline(operatorId);
      }, 15_000);
      req.on('close', () => {
        clearInterval(beat);
        deps.subscriber.off('message', listener);
        deps.streams?.delete(res);
      });
    }),
  );

  return router;
}
