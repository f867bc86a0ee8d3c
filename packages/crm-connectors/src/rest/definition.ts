/**
 * `type: rest` in bot.yaml: any shop, calendar or CRM with an HTTP JSON API
 * and no connector of its own. The settings say, per operation, which call
 * to make and where our fields are in the answer (docs/connectors-rest.md).
 * The kinds it serves are those its operations are written for.
 */
import type { ConnectorSet } from '../connector-set.js';
import { defineConnector } from '../definition.js';
import { createAuthenticator } from './auth.js';
import { restBookings } from './bookings.js';
import { RestClient } from './client.js';
import { restCrm } from './crm.js';
import { restOrders } from './orders.js';
import { RestSettings, servedKinds } from './settings.js';

export const restConnector = defineConnector({
  type: 'rest',
  kinds: ['crm', 'orders', 'bookings'],
  settings: RestSettings,
  create(settings, context): ConnectorSet {
    const client = new RestClient(settings, createAuthenticator(settings.auth, context.env, context.now));
    const kinds = new Set(servedKinds(settings.operations));
    return {
      ...(kinds.has('orders') ? { orders: restOrders(client, context.logger) } : {}),
      ...(kinds.has('bookings') ? { bookings: restBookings(client, context.logger) } : {}),
      ...(kinds.has('crm') ? { crm: restCrm(client) } : {}),
    };
  },
  // None: whether sending a write twice does it twice depends on the API, which this connector cannot know.
  idempotentWrites: [],
});
