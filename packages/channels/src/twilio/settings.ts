/**
 * What the Twilio channel reads from the configuration, in one place: the
 * credentials, who sends (a number or a Messaging Service), where the REST
 * API is, and the public URLs Twilio signs and calls back.
 */
import type { Config } from '@passerelle/core';

export const INBOUND_PATH = '/webhooks/twilio';
export const STATUS_PATH = '/webhooks/twilio/status';

/** A Messaging Service SID: Twilio then picks the sending number from the service's pool. */
export const MESSAGING_SERVICE_SID = /^MG[0-9a-fA-F]{32}$/;
/** An E.164 phone number, the form Twilio uses in From and To. */
export const E164 = /^\+[1-9]\d{6,14}$/;

export interface TwilioSettings {
  accountSid: string;
  authToken: string;
  /** TWILIO_FROM as given: a phone number, an alphanumeric sender id, or a Messaging Service SID. */
  from: string;
  /** Without a trailing slash. */
  apiUrl: string;
  /** The base URL Twilio calls, without a trailing slash: signatures are computed on it. */
  publicUrl: string;
  /**
   * Where Twilio posts delivery receipts for what we send. Only when
   * PUBLIC_URL is set: the localhost fallback is no address Twilio can reach.
   */
  statusCallbackUrl: string | undefined;
  /** TWILIO_SENDS_PER_SECOND: the sender's MPS as Twilio gives it (short code, toll-free, 10DLC...). */
  sendsPerSecond?: number | undefined;
}

/** The settings, or undefined when the channel is off (a variable is missing). */
export function twilioSettings(config: Config): TwilioSettings | undefined {
  const { TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM, TWILIO_API_URL, TWILIO_SENDS_PER_SECOND, PUBLIC_URL } =
    config.env;
  if (!TWILIO_ACCOUNT_SID || !TWILIO_AUTH_TOKEN || !TWILIO_FROM) return undefined;
  return {
    accountSid: TWILIO_ACCOUNT_SID,
    authToken: TWILIO_AUTH_TOKEN,
    from: TWILIO_FROM,
    apiUrl: TWILIO_API_URL.replace(/\/+$/, ''),
    publicUrl: config.publicUrl,
    statusCallbackUrl: PUBLIC_URL ? `${config.publicUrl}${STATUS_PATH}` : undefined,
    sendsPerSecond: TWILIO_SENDS_PER_SECOND,
  };
}

export function usesMessagingService(settings: Pick<TwilioSettings, 'from'>): boolean {
  return MESSAGING_SERVICE_SID.test(settings.from);
}

/**
 * Sends per second per number. Twilio queues what goes faster than a
 * number's rate (it does not refuse it), so this is pacing, not a hard
 * limit: 1 per second is Twilio's rate for a US / Canadian long code and the
 * safe default for a plain number; a Messaging Service spreads the load over
 * its pool and gets 10. TWILIO_SENDS_PER_SECOND says what the account
 * really has (a short code: 100).
 */
export function defaultRatePerSecond(settings: Pick<TwilioSettings, 'from' | 'sendsPerSecond'>): number {
  return settings.sendsPerSecond ?? (usesMessagingService(settings) ? 10 : 1);
}
