/**
 * Is this request really from Twilio, for our account? Twilio signs every
 * webhook with the account's auth token: X-Twilio-Signature is the base64
 * HMAC-SHA1 of the full URL it called followed by every POST parameter
 * (sorted by name, name then value). The twilio package's validateRequest
 * computes it (and also tries the URL with and without the default port),
 * so we use it rather than a copy of the algorithm.
 */
import twilio from 'twilio';
import { HttpRefusal } from '../http-errors.js';
import type { TwilioForm } from './form.js';
import type { TwilioSettings } from './settings.js';

export const SIGNATURE_HEADER = 'x-twilio-signature';

/**
 * The URL Twilio signed: the public base URL it was given plus the path and
 * query it called. req.originalUrl keeps the query string exactly as sent.
 */
export function signedUrl(publicUrl: string, originalUrl: string): string {
  return `${publicUrl}${originalUrl}`;
}

/** Throws a 403 refusal unless the signature matches and the request is for our account. */
export function verifyTwilioRequest(
  settings: Pick<TwilioSettings, 'authToken' | 'accountSid' | 'publicUrl'>,
  request: { originalUrl: string; signature: string | undefined; form: TwilioForm },
): void {
  if (!request.signature) throw new HttpRefusal(403, 'missing X-Twilio-Signature header');
  const url = signedUrl(settings.publicUrl, request.originalUrl);
  if (!twilio.validateRequest(settings.authToken, request.signature, url, request.form)) {
    // Usually PUBLIC_URL differs from the URL set in the Twilio console, or the auth token was rotated.
    throw new HttpRefusal(
      403,
      'X-Twilio-Signature does not match this request (check PUBLIC_URL and TWILIO_AUTH_TOKEN)',
    );
  }
  if (request.form.AccountSid !== settings.accountSid) {
    throw new HttpRefusal(403, 'AccountSid is not the account in TWILIO_ACCOUNT_SID');
  }
}

/** Twilio's signature for a request: what the cases and fakes sign their payloads with. */
export function twilioSignature(authToken: string, url: string, form: TwilioForm): string {
  return twilio.getExpectedTwilioSignature(authToken, url, form);
}
