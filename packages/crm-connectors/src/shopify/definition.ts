/**
 * `orders: { type: shopify }` in bot.yaml: order status from a Shopify store
 * through the Admin GraphQL API, with an Admin API access token (a custom
 * app's, with the read_orders and read_customers scopes).
 *
 *   connectors:
 *     orders:
 *       type: shopify
 *       store: maison-lumiere.myshopify.com
 *       access_token: { env: SHOPIFY_ADMIN_TOKEN }
 *       api_version: 2026-10            # optional
 *       base_url: https://proxy.example # optional, default https://<store>
 */
import { z } from 'zod';
import { defineConnector } from '../definition.js';
import { resolveSecret, Secret } from '../secrets.js';
import { shopifyClient } from './client.js';
import { shopifyOrders } from './orders.js';

/** A stable version Shopify serves until late 2027; a bot can pin another. */
export const SHOPIFY_DEFAULT_API_VERSION = '2026-10';
/** The customer's defaultEmailAddress and defaultPhoneNumber (queries.ts) exist from this version on. */
const OLDEST_API_VERSION = '2025-04';

export const ShopifySettings = z
  .object({
    /** The shop's myshopify.com domain; the handle alone ("maison-lumiere") is completed. */
    store: z
      .string()
      .trim()
      .toLowerCase()
      .regex(
        /^[a-z0-9][a-z0-9-]*(\.myshopify\.com)?$/,
        "the shop's myshopify.com domain, like maison-lumiere.myshopify.com",
      )
      .transform((store) => (store.endsWith('.myshopify.com') ? store : `${store}.myshopify.com`)),
    access_token: Secret,
    api_version: z
      .string()
      .regex(/^(\d{4}-(01|04|07|10)|unstable)$/, 'a Shopify API version, like 2026-10')
      .refine(
        (version) => version === 'unstable' || version >= OLDEST_API_VERSION,
        `${OLDEST_API_VERSION} or later (older versions lack fields this connector reads)`,
      )
      .default(SHOPIFY_DEFAULT_API_VERSION),
    /** Default https://<store>; tests and proxies point it elsewhere. */
    base_url: z.url({ protocol: /^https?$/ }).optional(),
  })
  .strict();
export type ShopifySettings = z.infer<typeof ShopifySettings>;

export function shopifyEndpoint(settings: Pick<ShopifySettings, 'store' | 'api_version' | 'base_url'>): string {
  const base = (settings.base_url ?? `https://${settings.store}`).replace(/\/+$/, '');
  return `${base}/admin/api/${settings.api_version}/graphql.json`;
}

export const shopifyConnector = defineConnector({
  type: 'shopify',
  kinds: ['orders'],
  settings: ShopifySettings,
  create(settings, context) {
    const accessToken = resolveSecret(settings.access_token, context.env, 'access_token');
    return { orders: shopifyOrders(shopifyClient({ endpoint: shopifyEndpoint(settings), accessToken })) };
  },
  // Orders are only read: nothing to declare.
  idempotentWrites: [],
});
