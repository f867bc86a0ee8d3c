/**
 * WhatsApp has no webhook to authenticate: messages arrive on the client
 * session this process opened itself (parse.ts decides which of them are a
 * customer's). What needs checking is the admin page that shows the QR code,
 * since whoever scans it links their phone to this gateway: the same bearer
 * ADMIN_TOKEN as the gateway's other admin endpoints, or ?token= for a
 * browser, compared in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';

export type AdminCheck = { ok: true } | { ok: false; status: 401 | 403; reason: string };

export function checkAdminToken(request: Request, adminToken: string | undefined): AdminCheck {
  if (!adminToken) {
    return { ok: false, status: 403, reason: 'admin endpoints are off: set ADMIN_TOKEN to use them' };
  }
  const header = request.get('authorization');
  const query = typeof request.query.token === 'string' ? request.query.token : undefined;
  const given = header ? header.replace(/^Bearer\s+/i, '') : (query ?? '');
  if (!given || !sameSecret(given, adminToken)) {
    return { ok: false, status: 401, reason: 'missing or wrong admin token (Authorization: Bearer, or ?token=)' };
  }
  return { ok: true };
}

/** Compares digests, so neither the content nor the length of the token leaks through timing. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
