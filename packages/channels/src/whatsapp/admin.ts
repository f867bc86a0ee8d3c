/**
 * GET /admin/whatsapp: the session's state for whoever runs the gateway,
 * and the QR code to scan while it is not linked (WhatsApp on the phone >
 * Linked devices > Link a device). Any gateway process serves it: the state
 * is read from Redis, where the lease holder keeps it. The page refreshes
 * itself while there is something to wait for; with Accept: application/json
 * it answers the state as JSON.
 */
import type { Redis } from '@passerelle/core';
import type { Router } from 'express';
import { qrSvg } from './qr.js';
import { PHASE_LABELS, readSessionState, type SessionState } from './state.js';
import { checkAdminToken } from './verify.js';

export const ADMIN_PATH = '/admin/whatsapp';

export function mountAdminPage(
  router: Router,
  options: { redis: Redis; prefix: string; adminToken: string | undefined },
) {
  router.get(ADMIN_PATH, async (req, res, next) => {
    const check = checkAdminToken(req, options.adminToken);
    if (!check.ok) {
      res.status(check.status).json({ error: check.reason });
      return;
    }
    try {
      const state = await readSessionState(options.redis, options.prefix);
      // The token may be in the URL: keep it out of caches, referrers and frames.
      res.set({
        'Cache-Control': 'no-store',
        'Referrer-Policy': 'no-referrer',
        'X-Frame-Options': 'DENY',
        'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
      });
      if (req.accepts(['html', 'json']) === 'json') {
        res.json({ phase: state?.phase ?? 'no-owner', ...state, label: PHASE_LABELS[state?.phase ?? 'no-owner'] });
        return;
      }
      res.type('html').send(renderPage(state));
    } catch (error) {
      next(error);
    }
  });
}

export function renderPage(state: SessionState | undefined): string {
  const phase = state?.phase ?? 'no-owner';
  const rows: Array<[string, string | undefined]> = [
    ['State', PHASE_LABELS[phase]],
    ['Number', state?.account],
    ['Held by', state?.owner],
    ['Since', state?.since],
    ['Detail', state?.detail],
  ];
  const qr =
    phase === 'waiting-for-qr' && state?.qr
      ? `<p>On the phone: WhatsApp &gt; Settings &gt; Linked devices &gt; Link a device, then scan:</p>
<div class="qr">${qrSvg(state.qr)}</div>`
      : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${phase === 'ready' ? '' : '<meta http-equiv="refresh" content="5">'}
<title>WhatsApp session — Passerelle</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 40rem; padding: 0 1rem; color: #222; }
table { border-collapse: collapse; } th { text-align: left; padding-right: 1rem; color: #555; font-weight: normal; }
.qr { display: inline-block; padding: 8px; background: #fff; border: 1px solid #ddd; }
.phase-ready { color: #137333; } .phase-disconnected, .phase-no-owner { color: #b3261e; }
</style>
</head>
<body>
<h1>WhatsApp session</h1>
<table>
${rows
  .filter(([, value]) => value)
  .map(
    ([label, value]) =>
      `<tr><th>${label}</th><td${label === 'State' ? ` class="phase-${phase}"` : ''}>${escapeHtml(value ?? '')}</td></tr>`,
  )
  .join('\n')}
</table>
${qr}
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
