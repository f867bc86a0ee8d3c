/**
 * The two routes Twilio calls: incoming messages and delivery receipts.
 * Each request is read (form, bounded), verified (signature, account),
 * parsed, and accepted onto the inbound queue before Twilio gets its 200.
 * Refusals are 4xx with a JSON reason, counted, and never reach the queue.
 */
import type { InboundEvent } from '@passerelle/core';
import type { ErrorRequestHandler, Request, Response, Router } from 'express';
import { HttpRefusal } from '../http-errors.js';
import type { ChannelContext } from '../module.js';
import { decodeTwilioForm, MAX_FORM_BYTES, readTwilioForm, type TwilioForm } from './form.js';
import { resolveMenuReply } from './menu.js';
import { parseInboundMessage, parseStatusCallback } from './parse.js';
import { INBOUND_PATH, STATUS_PATH, type TwilioSettings } from './settings.js';
import { SIGNATURE_HEADER, verifyTwilioRequest } from './verify.js';

/** An empty TwiML answer: Twilio sends nothing on its own, the bot's reply comes through the API. */
export const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

export function mountTwilioWebhooks(router: Router, context: ChannelContext, settings: TwilioSettings): void {
  const prefix = context.config.redisKeyPrefix;

  router.post(
    INBOUND_PATH,
    ...readTwilioForm(),
    async (req: Request, res: Response) => {
      const form = verifiedForm(req, settings);
      const event = await resolveMenuReply(context.redis, prefix, parseInboundMessage(form, new Date()));
      await accept(context, event);
      res.status(200).type('text/xml').send(EMPTY_TWIML);
    },
    refusals(context),
  );

  router.post(
    STATUS_PATH,
    ...readTwilioForm(),
    async (req: Request, res: Response) => {
      const form = verifiedForm(req, settings);
      const result = parseStatusCallback(form, new Date());
      if ('event' in result) await accept(context, result.event);
      else context.logger.debug({ channel: 'sms', reason: result.ignored }, 'Twilio status callback ignored');
      // Twilio reads nothing from a status callback's answer but its status.
      res.status(204).end();
    },
    refusals(context),
  );
}

function verifiedForm(req: Request, settings: TwilioSettings): TwilioForm {
  const form = decodeTwilioForm(req.body);
  verifyTwilioRequest(settings, { originalUrl: req.originalUrl, signature: req.get(SIGNATURE_HEADER), form });
  return form;
}

async function accept(context: ChannelContext, event: InboundEvent): Promise<void> {
  const result = await context.accept(event);
  context.logger.debug(
    { channel: 'sms', eventId: event.id, kind: event.kind, conversationId: event.conversationId, result },
    'Twilio webhook accepted',
  );
}

/**
 * Counts every 4xx for the metrics and gives the body reader's errors a
 * reason a person can act on; jsonErrorHandler then answers and logs it.
 */
function refusals(context: ChannelContext): ErrorRequestHandler {
  return (error, _req, _res, next) => {
    const refusal =
      error?.type === 'entity.too.large' ? new HttpRefusal(413, `body larger than ${MAX_FORM_BYTES} bytes`) : error;
    const status = typeof refusal?.status === 'number' ? refusal.status : 500;
    if (status >= 400 && status < 500) context.refused('sms', String(refusal.message));
    next(refusal);
  };
}
