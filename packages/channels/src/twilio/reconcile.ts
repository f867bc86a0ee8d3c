/**
 * Did Twilio get a message whose sender died mid-call? Asked of the Message
 * list API: GET {TWILIO_API_URL}/2010-04-01/Accounts/{AccountSid}/Messages.json
 * filtered by To (and From for a plain number: a Messaging Service picks its
 * number itself, so there we match messaging_service_sid in the answer).
 * Twilio creates the Message resource when it accepts the POST, so a message
 * it took is in the list at once.
 *
 * No DateSent filter, although the API has one (DateSent, DateSent<,
 * DateSent>): date_sent is when Twilio handed the message on, and it stays
 * null while the message waits in the number's queue, which a broadcast
 * paced at the number's rate keeps full. Filtering on it could hide the very
 * message we look for and turn "sent" into "not sent", a double send. So we
 * read every page of this sender-recipient pair (PageSize 1000, the
 * maximum) and compare date_created ourselves.
 */
import { callProvider } from '../http.js';
import type { Reconciliation } from '../types.js';
import type { TwilioMessageParams } from './render.js';
import type { TwilioSettings } from './settings.js';

/** How far Twilio's clock (date_created) may be behind the clock that stamped the call's start. */
export const CLOCK_SKEW_MS = 5_000;
/** Twilio's largest page. */
const PAGE_SIZE = 1_000;
/** Past this many pages of one pair's history we stop reading and call it unknown. */
const MAX_PAGES = 5;

/** The fields we read from a Message resource in the list. */
interface ListedMessage {
  sid?: unknown;
  to?: unknown;
  from?: unknown;
  messaging_service_sid?: unknown;
  body?: unknown;
  direction?: unknown;
  date_created?: unknown;
}

interface MessagePage {
  messages?: unknown;
  next_page_uri?: unknown;
}

export async function reconcileTwilioSend(
  settings: Pick<TwilioSettings, 'apiUrl' | 'accountSid' | 'authToken'>,
  params: TwilioMessageParams,
  since: Date,
): Promise<Reconciliation> {
  const query = new URLSearchParams({ To: params.To });
  if (params.From) query.set('From', params.From);
  query.set('PageSize', String(PAGE_SIZE));
  const credentials = Buffer.from(`${settings.accountSid}:${settings.authToken}`).toString('base64');
  const notBefore = since.getTime() - CLOCK_SKEW_MS;
  let url: string | undefined =
    `${settings.apiUrl}/2010-04-01/Accounts/${encodeURIComponent(settings.accountSid)}/Messages.json?${query}`;
  let lookalike = false;

  for (let pages = 0; url; pages++) {
    if (pages === MAX_PAGES) {
      return { outcome: 'unknown', reason: `more than ${MAX_PAGES * PAGE_SIZE} messages to read in Twilio's list` };
    }
    let page: MessagePage;
    try {
      const response = await callProvider({
        url,
        method: 'GET',
        headers: { authorization: `Basic ${credentials}`, accept: 'application/json' },
        what: 'Twilio message list',
      });
      page = JSON.parse(response.text) as MessagePage;
    } catch (error) {
      // Only an answer that shows the message absent may say "not sent"; no answer settles nothing.
      return { outcome: 'unknown', reason: error instanceof Error ? error.message : String(error) };
    }
    if (!Array.isArray(page.messages)) return { outcome: 'unknown', reason: 'Twilio listed no messages array' };

    for (const listed of page.messages as ListedMessage[]) {
      if (!isOurs(listed, params) || !createdSince(listed, notBefore)) continue;
      if ((listed.body ?? '') === (params.Body ?? '')) {
        return { outcome: 'sent', providerMessageId: typeof listed.sid === 'string' ? listed.sid : undefined };
      }
      if (sameWords(listed.body, params.Body)) lookalike = true;
    }
    const next = page.next_page_uri;
    if (next !== null && next !== undefined && (typeof next !== 'string' || !next.startsWith('/'))) {
      return { outcome: 'unknown', reason: 'Twilio gave a next page we cannot follow' };
    }
    // Twilio's next_page_uri is a path on its API host, with the filters and a PageToken in it.
    url = next ? `${settings.apiUrl}${next}` : undefined;
  }
  if (lookalike) {
    // Twilio may rewrite a body (Smart Encoding turns curly quotes and dashes into plain ones).
    return { outcome: 'unknown', reason: 'Twilio has a message to this recipient with nearly the same text' };
  }
  return { outcome: 'not-sent' };
}

/** Sent by us (this number, or this Messaging Service) to this recipient. */
function isOurs(listed: ListedMessage, params: TwilioMessageParams): boolean {
  if (listed.to !== params.To) return false;
  if (typeof listed.direction === 'string' && !listed.direction.startsWith('outbound')) return false;
  return params.MessagingServiceSid
    ? listed.messaging_service_sid === params.MessagingServiceSid
    : listed.from === params.From;
}

/** date_created is RFC 2822 to the second: a date we cannot read counts as recent, to be safe. */
function createdSince(listed: ListedMessage, notBefore: number): boolean {
  const created = typeof listed.date_created === 'string' ? Date.parse(listed.date_created) : Number.NaN;
  return Number.isNaN(created) || created + 1_000 > notBefore;
}

/** The same letters and digits, whatever happened to punctuation, spaces and accents. */
function sameWords(listed: unknown, ours: string | undefined): boolean {
  const words = (text: string) =>
    text
      .normalize('NFKD')
      .replace(/[^A-Za-z0-9]/g, '')
      .toLowerCase();
  const theirs = typeof listed === 'string' ? words(listed) : '';
  return theirs !== '' && theirs === words(ours ?? '');
}
