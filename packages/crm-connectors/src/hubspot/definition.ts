/** `crm: { type: hubspot, token: { env: HUBSPOT_TOKEN } }` in bot.yaml: HubSpot CRM API v3 with a private app token. */
import { defineConnector } from '../definition.js';
import { resolveSecret } from '../secrets.js';
import { hubspotClient } from './client.js';
import { createHubspotCrm } from './crm.js';
import { HubspotSettings } from './settings.js';

export const hubspotConnector = defineConnector({
  type: 'hubspot',
  kinds: ['crm'],
  settings: HubspotSettings,
  create(settings, context) {
    const token = resolveSecret(settings.token, context.env, 'token');
    const client = hubspotClient({ baseUrl: settings.base_url, token, tokenEnv: settings.token.env });
    return { crm: createHubspotCrm(client, settings, context) };
  },
  // upsertContact is keyed by the email, which HubSpot keeps unique: sent again after a lost answer, the
  // search finds the contact (or the create gets HubSpot's 409 naming it) and the same PATCH is made again.
  // (Keyed by a phone alone, a create whose answer was lost may be made twice: phones are not unique in
  // HubSpot and new contacts reach search a few seconds late. Rare, and a duplicate contact can be merged.)
  // Not recordLead: every call creates a new deal or ticket, so a retry after a timeout could open two.
  // Not logConversation: likewise a second note.
  idempotentWrites: ['crm.upsertContact'],
});
