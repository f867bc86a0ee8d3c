/**
 * A contact's data on request (GDPR): a copy of everything kept about them,
 * and their erasure (managers only) with their messages, conversations,
 * tickets, consent history, and what Redis holds for them (dialog sessions,
 * web chat history).
 * And their marketing consent, which an operator can end on their behalf
 * (a customer asking on the phone or in a message not to get offers again).
 *   GET    /console/api/contacts/:id/export
 *   DELETE /console/api/contacts/:id
 *   GET    /console/api/contacts/:id/consent
 *   POST   /console/api/contacts/:id/opt-out
 */
import {
  consentOfContact,
  type Db,
  eraseContact,
  exportContact,
  type Logger,
  type Redis,
  recordOptOut,
} from '@passerelle/core';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';

export function contactsApi(deps: {
  db: Db;
  redis: Redis;
  prefix: string;
  logger: Logger;
  requireOperator: (role?: 'manager') => RequestHandler;
}): express.Router {
  const router = express.Router();
  const handle =
    (work: (req: Request, res: Response) => Promise<unknown>) => (req: Request, res: Response, next: NextFunction) =>
      work(req, res).catch(next);

  router.get(
    '/console/api/contacts/:id/export',
    deps.requireOperator(),
    handle(async (req, res) => {
      const id = String(req.params.id);
      const data = await exportContact(deps.db, id);
      if (!data) return res.status(404).json({ error: 'no such contact' });
      res.setHeader('content-disposition', `attachment; filename="contact-${id}.json"`);
      res.json({ exportedAt: new Date().toISOString(), ...data });
    }),
  );

  router.delete(
    '/console/api/contacts/:id',
    deps.requireOperator('manager'),
    handle(async (req, res) => {
      const id = String(req.params.id);
      const erased = await eraseContact(deps.db, id);
      if (!erased) return res.status(404).json({ error: 'no such contact' });
      const keys = [
        ...erased.conversationIds.map((conversation) => `${deps.prefix}:session:{${conversation}}`),
        ...erased.identities
          .filter((identity) => identity.channel === 'webchat')
          .flatMap((identity) =>
            ['history', 'seq', 'appended'].map((k) => `${deps.prefix}:webchat:{${identity.userId}}:${k}`),
          ),
      ];
      for (const key of keys) await deps.redis.del(key);
      deps.logger.info(
        { contact: id, conversations: erased.conversationIds.length, by: (res.locals.operator as { id: string }).id },
        'contact erased on request',
      );
      res.json({ erased: true, conversations: erased.conversationIds.length });
    }),
  );

  router.get(
    '/console/api/contacts/:id/consent',
    deps.requireOperator(),
    handle(async (req, res) => {
      const identities = await consentOfContact(deps.db, String(req.params.id));
      if (identities.length === 0) return res.status(404).json({ error: 'no such contact' });
      res.json({ identities });
    }),
  );

  router.post(
    '/console/api/contacts/:id/opt-out',
    deps.requireOperator(),
    handle(async (req, res) => {
      const id = String(req.params.id);
      const identities = await consentOfContact(deps.db, id);
      if (identities.length === 0) return res.status(404).json({ error: 'no such contact' });
      const operator = res.locals.operator as { id: string; email: string };
      let changed = 0;
      for (const identity of identities) {
        if (await recordOptOut(deps.db, identity, 'operator', { detail: `operator ${operator.email}` })) changed += 1;
      }
      deps.logger.info({ contact: id, identities: changed, by: operator.id }, 'contact opted out by an operator');
      res.json({ optedOut: changed, identities: await consentOfContact(deps.db, id) });
    }),
  );

  return router;
}
