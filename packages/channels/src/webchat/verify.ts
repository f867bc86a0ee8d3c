/**
 * Is this socket really the visitor it claims to be? A visitor id is handed
 * out with an HMAC token; a browser that presents someone else's id without
 * the matching token gets a new identity instead of their conversation.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Redis } from '@passerelle/core';

export function signVisitor(secret: string, visitorId: string): string {
  return createHmac('sha256', secret).update(`webchat-visitor:${visitorId}`).digest('base64url');
}

export function verifyVisitor(secret: string, visitorId: string, token: string | undefined): boolean {
  if (!token) return false;
  const expected = Buffer.from(signVisitor(secret, visitorId));
  const given = Buffer.from(token);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export function newVisitorId(): string {
  return `v_${randomBytes(12).toString('base64url')}`;
}

/**
 * WEBCHAT_SECRET when set; otherwise one random secret shared through Redis,
 * so that every gateway process accepts the tokens of the others and a
 * restart does not log visitors out.
 */
export async function webchatSecret(redis: Redis, prefix: string, configured: string | undefined): Promise<string> {
  if (configured) return configured;
  const key = `${prefix}:webchat:secret`;
  await redis.set(key, randomBytes(32).toString('base64url'), 'NX');
  const secret = await redis.get(key);
  if (!secret) throw new Error('could not read the shared web chat secret from Redis');
  return secret;
}
