/**
 * Sending through Twilio's REST API: POST
 * {TWILIO_API_URL}/2010-04-01/Accounts/{AccountSid}/Messages.json, form
 * encoded, HTTP basic auth with the account SID and auth token.
 *
 * We call it with callProvider() rather than the twilio package's client:
 * the client builds its URLs from https://api.twilio.com and only lets one
 * change the region and edge in the host name, so reaching TWILIO_API_URL (a
 * proxy, a test server) would take a custom RequestClient rewriting every
 * URL; and its failures (RestException, axios errors) would need a mapping
 * of their own to retry / reject / ambiguous. One form POST through
 * callProvider() keeps the classification every channel shares (Retry-After
 * included); only Twilio's error codes are read here. A send whose process
 * died mid-call is reconciled against the Message list (reconcile.ts).
 */
import type { Logger, OutboundMessage, Redis } from '@passerelle/core';
import { callProvider, PROVIDER_CALL_TIMEOUT_MS } from '../http.js';
import { type ChannelSender, ProviderError } from '../types.js';
import { rememberMenu } from './menu.js';
import { reconcileTwilioSend } from './reconcile.js';
import { renderTwilio, type TwilioMessageParams, type TwilioSendRequest, twilioCapabilities } from './render.js';
import { defaultRatePerSecond, type TwilioSettings } from './settings.js';

export interface TwilioSenderContext {
  redis: Redis;
  redisKeyPrefix: string;
  logger: Logger;
}

export function createTwilioSender(
  settings: TwilioSettings,
  context: TwilioSenderContext,
): ChannelSender<TwilioSendRequest> {
  return {
    channel: 'sms',
    capabilities: twilioCapabilities,
    // A Twilio send is not idempotent: the API has no idempotency key for messages.
    idempotent: false,
    ratePerSecond: defaultRatePerSecond(settings),
    render: (message: OutboundMessage) => renderTwilio(message, settings),
    async send(request: TwilioSendRequest, message: OutboundMessage) {
      if (request.menu) {
        // Remembered before the SMS goes out, so that a quick "2" never finds the previous menu,
        // and so that a Redis failure fails the send while nothing has been sent yet.
        try {
          await rememberMenu(context.redis, context.redisKeyPrefix, message.conversationId, request.menu);
        } catch (error) {
          throw new ProviderError('could not remember the numbered menu in Redis; nothing was sent', 'retry', {
            cause: error,
          });
        }
      }
      const created = await postTwilioMessage(settings, request.params);
      if (!created.sid) context.logger.warn({ conversationId: message.conversationId }, 'Twilio sent no message sid');
      return { providerMessageId: created.sid };
    },
    // A send cut off by a crash, or that timed out, is looked up in Twilio's Message list rather than given up on.
    // Our calls to Twilio give up after PROVIDER_CALL_TIMEOUT_MS: after that, the list is final.
    reconcileAfterMs: PROVIDER_CALL_TIMEOUT_MS + 1_000,
    reconcile: (request: TwilioSendRequest, _message: OutboundMessage, since: Date) =>
      reconcileTwilioSend(settings, request.params, since),
  };
}

export interface CreatedMessage {
  sid: string | undefined;
  status: string | undefined;
}

export async function postTwilioMessage(
  settings: Pick<TwilioSettings, 'apiUrl' | 'accountSid' | 'authToken'>,
  params: TwilioMessageParams,
): Promise<CreatedMessage> {
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    for (const item of [value as string | string[]].flat()) form.append(name, item);
  }
  const credentials = Buffer.from(`${settings.accountSid}:${settings.authToken}`).toString('base64');
  try {
    const response = await callProvider({
      url: `${settings.apiUrl}/2010-04-01/Accounts/${encodeURIComponent(settings.accountSid)}/Messages.json`,
      headers: {
        authorization: `Basic ${credentials}`,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: form.toString(),
      what: 'Twilio send',
    });
    return createdMessage(response.text);
  } catch (error) {
    throw withTwilioCode(error);
  }
}

/** The message resource Twilio answers with (201). A body we cannot read still means "sent". */
function createdMessage(text: string): CreatedMessage {
  try {
    const body = JSON.parse(text) as { sid?: unknown; status?: unknown };
    return {
      sid: typeof body.sid === 'string' ? body.sid : undefined,
      status: typeof body.status === 'string' ? body.status : undefined,
    };
  } catch {
    return { sid: undefined, status: undefined };
  }
}

/** Twilio's error body: {"code": 21211, "message": "...", "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400}. */
interface TwilioError {
  code?: number;
  message?: string;
}

/** Error codes that change what a refusal means. */
const OPTED_OUT = new Set([21610]); // Attempt to send to unsubscribed recipient (the customer texted STOP)
const TRY_AGAIN = new Set([21611, 20429]); // The number's outbound queue is full / too many requests

/**
 * callProvider() classifies by HTTP status; a few Twilio codes say more:
 * 21610 is an opt-out to remember, 21611 a full queue that will drain. The
 * other 4xx (21211 and 21614 invalid number, 21408 region not enabled,
 * 20003 bad credentials...) stay rejections.
 */
export function withTwilioCode(error: unknown): unknown {
  if (!(error instanceof ProviderError) || error.options.status === undefined) return error;
  const twilioError = twilioErrorIn(error.message);
  if (twilioError?.code === undefined) return error;
  const detail = `Twilio refused the message (HTTP ${error.options.status}, code ${twilioError.code}${twilioError.message ? `: ${twilioError.message}` : ''})`;
  const outcome = OPTED_OUT.has(twilioError.code)
    ? 'opted-out'
    : TRY_AGAIN.has(twilioError.code)
      ? 'retry'
      : error.outcome;
  return new ProviderError(detail, outcome, { ...error.options, cause: error });
}

/**
 * The error body, read back from the message callProvider() builds
 * ("Twilio send answered 400: {...}"); Twilio's bodies are short enough to
 * be there whole.
 */
export function twilioErrorIn(text: string): TwilioError | undefined {
  const start = text.indexOf('{');
  if (start < 0) return undefined;
  try {
    const body = JSON.parse(text.slice(start)) as { code?: unknown; message?: unknown };
    return {
      ...(typeof body.code === 'number' ? { code: body.code } : {}),
      ...(typeof body.message === 'string' ? { message: body.message } : {}),
    };
  } catch {
    // Cut at 200 characters: the code comes first in Twilio's bodies, so it is still there.
    const code = /"code"\s*:\s*(\d+)/.exec(text.slice(start));
    return code ? { code: Number(code[1]) } : undefined;
  }
}
