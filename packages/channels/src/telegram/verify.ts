/**
 * Is this webhook call really from Telegram? Telegram sends back the
 * secret_token we gave setWebhook in the X-Telegram-Bot-Api-Secret-Token
 * header of every update; nothing else authenticates the request.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export const SECRET_HEADER = 'x-telegram-bot-api-secret-token';

/** Telegram's own rule for secret_token (setWebhook refuses anything else). */
export const SECRET_TOKEN_SHAPE = /^[A-Za-z0-9_-]{1,256}$/;

export type SecretCheck = { ok: true } | { ok: false; status: 401 | 403; reason: string };

export function checkSecretToken(expected: string, given: string | undefined): SecretCheck {
  if (given === undefined || given === '') {
    return { ok: false, status: 401, reason: 'missing X-Telegram-Bot-Api-Secret-Token header' };
  }
  // Compare digests, so the comparison takes the same time whatever the length of the guess.
  const digest = (value: string) => createHash('sha256').update(value).digest();
  if (!timingSafeEqual(digest(expected), digest(given))) {
    return { ok: false, status: 403, reason: 'wrong X-Telegram-Bot-Api-Secret-Token' };
  }
  return { ok: true };
}
