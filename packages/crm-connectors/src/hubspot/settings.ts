/**
 * The hubspot connector's settings in bot.yaml:
 *
 *   connectors:
 *     crm:
 *       type: hubspot
 *       token: { env: HUBSPOT_TOKEN }   # a private app access token
 *       lead_object: deals              # or tickets: what a lead becomes (a case is always a ticket)
 *       deal_pipeline: default
 *       deal_stage: appointmentscheduled
 *       ticket_pipeline: '0'
 *       ticket_stage: '1'
 *       owner_id: 12345                 # optional: who owns what the bot creates
 *       contact_fields: [tier]          # optional: more contact properties for {{contact.fields.*}}
 */
import { z } from 'zod';
import { Secret } from '../secrets.js';

/**
 * HubSpot ids (pipelines, stages, owners) are strings in the API, but YAML
 * reads `ticket_pipeline: 0` or `owner_id: 12345` as numbers: both are taken.
 */
const HubspotId = z.union([z.string().trim().min(1), z.number().int().nonnegative()]).transform(String);

export const HubspotSettings = z
  .object({
    token: Secret,
    base_url: z.url().default('https://api.hubapi.com'),
    lead_object: z.enum(['deals', 'tickets']).default('deals'),
    // HubSpot's own defaults: every account has them until someone deletes them.
    deal_pipeline: HubspotId.default('default'),
    deal_stage: HubspotId.default('appointmentscheduled'),
    ticket_pipeline: HubspotId.default('0'),
    ticket_stage: HubspotId.default('1'),
    owner_id: HubspotId.optional(),
    contact_fields: z.array(z.string().regex(/^[a-z0-9_]+$/, 'a HubSpot property name, like jobtitle')).default([]),
  })
  .strict();
export type HubspotSettings = z.infer<typeof HubspotSettings>;
