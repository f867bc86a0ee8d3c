/**
 * Reading a Twilio webhook body: Twilio posts
 * application/x-www-form-urlencoded in UTF-8. We read it raw (bounded) and
 * decode it ourselves so that the parameters the signature is checked on
 * are exactly the ones that were sent, repeated names included.
 */
import express, { type RequestHandler } from 'express';
import { HttpRefusal } from '../http-errors.js';

/** Twilio's parameters: a name sent more than once becomes an array (as Twilio's own validator expects). */
export type TwilioForm = Record<string, string | string[]>;

/**
 * An inbound SMS is at most 1600 characters plus about twenty short fields
 * and ten media URLs: a few kB. 64 kB leaves room and stops anything bigger
 * before it is buffered.
 */
export const MAX_FORM_BYTES = 64 * 1024;

const FORM_TYPE = /^application\/x-www-form-urlencoded\s*(;|$)/i;

/** Refuses anything but a form post (415), then buffers at most `limit` bytes (413 beyond). */
export function readTwilioForm(limit = MAX_FORM_BYTES): RequestHandler[] {
  const requireForm: RequestHandler = (req, _res, next) => {
    const type = req.headers['content-type'] ?? '';
    if (!FORM_TYPE.test(type)) {
      next(
        new HttpRefusal(415, `expected an application/x-www-form-urlencoded body, got ${type || 'no content type'}`),
      );
      return;
    }
    next();
  };
  return [requireForm, express.raw({ type: () => true, limit })];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The raw body as Twilio's parameters. Throws a 400 refusal for an empty or non-UTF-8 body. */
export function decodeTwilioForm(body: unknown): TwilioForm {
  if (!Buffer.isBuffer(body) || body.length === 0) throw new HttpRefusal(400, 'empty body');
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new HttpRefusal(400, 'body is not valid UTF-8');
  }
  // No prototype: a parameter named constructor, toString or __proto__ is a parameter like any
  // other, not Object.prototype's (which made a signed request fail its signature check).
  const form: TwilioForm = Object.create(null);
  for (const [name, value] of new URLSearchParams(text)) {
    const known = Object.hasOwn(form, name) ? form[name] : undefined;
    if (known === undefined) form[name] = value;
    else form[name] = Array.isArray(known) ? [...known, value] : [known, value];
  }
  return form;
}
