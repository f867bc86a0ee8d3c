/**
 * Security headers on every answer (helmet), chosen for what the gateway
 * serves: the operator console and the demo page (our own pages: a strict
 * Content-Security-Policy, no inline script or style, not to be framed), the
 * web chat widget (a script any site embeds: readable cross-origin), JSON
 * APIs and webhooks (headers cost nothing there).
 *
 * - CSP: scripts, styles, fonts and API calls from this origin only; no
 *   inline code, so an injected <script> or onerror= does not run. Images
 *   may be https (a bot's product pictures, a customer's MMS at Twilio) or
 *   data: URLs. connect-src 'self' covers the console's fetch and
 *   EventSource and the widget's WebSocket to this same host (CSP 3: 'self'
 *   matches ws:/wss: of the page's host).
 * - HSTS only when PUBLIC_URL is https: a browser told to insist on https for
 *   a host served over plain http (the demo, localhost) could not reach it
 *   any more. Without subdomains: the brand's other sites are not ours to pin.
 * - upgrade-insecure-requests likewise only behind https.
 * - Cross-Origin-Resource-Policy: same-origin, except the widget, which any
 *   site loads with a <script> tag (cross-origin).
 */
import type { RequestHandler } from 'express';
import helmet from 'helmet';

export interface SecurityHeaderOptions {
  /** config.publicUrl: https turns on HSTS and upgrade-insecure-requests. */
  publicUrl: string;
}

/** A year: what the HSTS preload list asks for, and long enough to matter. */
const HSTS_MAX_AGE_SECONDS = 365 * 24 * 3600;

export function securityHeaders({ publicUrl }: SecurityHeaderOptions): RequestHandler {
  const https = publicUrl.startsWith('https:');
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'style-src': ["'self'"],
        'img-src': ["'self'", 'data:', 'https:'],
        'media-src': ["'self'", 'https:'],
        'font-src': ["'self'", 'data:'],
        'connect-src': ["'self'"],
        'object-src': ["'none'"],
        'base-uri': ["'self'"],
        'form-action': ["'self'"],
        'frame-ancestors': ["'none'"],
        ...(https ? { 'upgrade-insecure-requests': [] } : {}),
      },
    },
    strictTransportSecurity: https ? { maxAge: HSTS_MAX_AGE_SECONDS, includeSubDomains: false } : false,
    crossOriginResourcePolicy: { policy: 'same-origin' },
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    referrerPolicy: { policy: 'no-referrer' },
    xFrameOptions: { action: 'deny' },
  });
}

/** For a resource any site may load (the widget script): overrides the same-origin default. */
export const allowCrossOriginEmbedding: RequestHandler = (_req, res, next) => {
  res.set('Cross-Origin-Resource-Policy', 'cross-origin');
  next();
};
