/**
 * POST /webhooks/telegram: secret header -> JSON body -> Update -> events,
 * answered 200 only once every event was accepted. A pressed button is
 * acknowledged in the answer itself (Telegram runs a method named in a
 * webhook's response body), so the button stops spinning with no extra call.
 *
 * Refusals are 4xx with a reason. Updates we do not handle (edits, groups,
 * stickers-only polls...) get a 200 so Telegram does not redeliver them.
 */
import type { NextFunction, Request, Response, Router } from 'express';
import express from 'express';
import { HttpRefusal } from '../http-errors.js';
import type { ChannelContext } from '../module.js';
import { acceptUpdate, type InboundDeps } from './inbound.js';
import { TELEGRAM_WEBHOOK_PATH } from './settings.js';
import { checkSecretToken, SECRET_HEADER } from './verify.js';

/** Updates are a few kilobytes; a megabyte is generous and still bounds what we read. */
const BODY_LIMIT = '1mb';

export function mountTelegramWebhook(
  router: Router,
  context: ChannelContext,
  deps: Omit<InboundDeps, 'accept'>,
  secret: string,
): void {
  const refuse = (status: number, reason: string): HttpRefusal => {
    context.refused('telegram', reason);
    return new HttpRefusal(status, reason);
  };

  const verify = (req: Request, _res: Response, next: NextFunction) => {
    const check = checkSecretToken(secret, req.get(SECRET_HEADER));
    if (!check.ok) throw refuse(check.status, check.reason);
    if (!req.is('application/json')) throw refuse(415, 'content type must be application/json');
    next();
  };

  // Not strict: valid JSON that is not an object ("x", null) is then refused as not an Update,
  // rather than called invalid JSON.
  const readBody = express.json({ limit: BODY_LIMIT, type: () => true, strict: false });

  const bodyErrors = (error: unknown, _req: Request, _res: Response, next: NextFunction) => {
    const type = (error as { type?: string })?.type;
    if (type === 'entity.parse.failed') return next(refuse(400, 'body is not valid JSON'));
    if (type === 'entity.too.large') return next(refuse(413, `body larger than ${BODY_LIMIT}`));
    if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
      return next(refuse(415, 'body must be UTF-8 JSON'));
    }
    next(error);
  };

  const handle = async (req: Request, res: Response) => {
    const outcome = await acceptUpdate(req.body, { ...deps, accept: context.accept });
    if (!outcome.ok) throw refuse(400, outcome.reason);
    res
      .status(200)
      .json(
        outcome.callbackQueryId
          ? { method: 'answerCallbackQuery', callback_query_id: outcome.callbackQueryId }
          : { ok: true },
      );
  };

  router.post(TELEGRAM_WEBHOOK_PATH, verify, readBody, bodyErrors, handle);
}
