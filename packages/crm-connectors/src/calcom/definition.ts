/**
 * `bookings: { type: calcom, ... }` in bot.yaml: appointments in a Cal.com
 * account through its API v2 (settings.ts says which keys).
 */
import { defineConnector } from '../definition.js';
import { resolveSecret } from '../secrets.js';
import { calcomBookings } from './bookings.js';
import { calcomClient } from './client.js';
import { CalcomSettings } from './settings.js';

export const calcomConnector = defineConnector({
  type: 'calcom',
  kinds: ['bookings'],
  settings: CalcomSettings,
  create(settings, context) {
    const apiKey = resolveSecret(settings.api_key, context.env, 'api_key');
    const client = calcomClient({ baseUrl: settings.base_url, apiKey, apiKeyEnv: settings.api_key.env });
    return {
      bookings: calcomBookings(client, {
        services: settings.services,
        timeZone: settings.time_zone,
        defaultAttendeeEmail: settings.default_attendee_email,
      }),
    };
  },
  // Nothing: Cal.com documents no idempotency key for its booking calls. A booking sent again after
  // a timeout may have been made the first time: Cal.com then refuses the second (409, or 400 "already
  // has booking at this time"), which would reach the customer as "taken" for a slot they now hold.
  idempotentWrites: [],
});
