/**
 * The session state the lease holder publishes in Redis: what the admin page
 * shows, and what a sender in any process reads before routing a send to the
 * holder. It expires with the lease, so a dead holder reads as "no owner".
 */
import type { Redis } from '@passerelle/core';
import { whatsappKeys } from './lease.js';

export type SessionPhase =
  /** Chromium is starting and WhatsApp Web is loading. */
  | 'starting'
  /** Not linked: a QR code waits to be scanned with the phone (WhatsApp > Linked devices). */
  | 'waiting-for-qr'
  /** Linked; WhatsApp Web is loading the chats. */
  | 'authenticated'
  /** Connected: messages come in and go out. */
  | 'ready'
  /** Dropped (logged out, phone offline, browser crashed); reconnecting with backoff. */
  | 'disconnected';

export interface SessionState {
  phase: SessionPhase;
  /** The lease holder: host:pid:instance. */
  owner: string;
  since: string;
  /** The logged-in number (+33700000000), once ready. */
  account?: string | undefined;
  /** The latest QR string while waiting for a scan. */
  qr?: string | undefined;
  /** Why it is disconnected, the reconnect attempt, and so on. */
  detail?: string | undefined;
}

export async function readSessionState(redis: Redis, prefix: string): Promise<SessionState | undefined> {
  const json = await redis.get(whatsappKeys(prefix).state);
  if (!json) return undefined;
  try {
    return JSON.parse(json) as SessionState;
  } catch {
    return undefined;
  }
}

export const PHASE_LABELS: Record<SessionPhase | 'no-owner', string> = {
  'no-owner': 'no gateway holds the WhatsApp session (starting, or every gateway with WHATSAPP_ENABLED is down)',
  starting: 'starting Chromium and WhatsApp Web',
  'waiting-for-qr': 'waiting for the QR code to be scanned',
  authenticated: 'linked, loading chats',
  ready: 'ready',
  disconnected: 'disconnected, reconnecting',
};
