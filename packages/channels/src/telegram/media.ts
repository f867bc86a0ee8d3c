/**
 * Media a customer sends on Telegram, without ever exposing the bot token.
 *
 * Telegram hands us a file_id, not a URL; the download URL it leads to
 * (`${apiRoot}/file/bot<token>/<file_path>`) contains the token, so it must
 * never be stored in an event, shown to an operator or logged. Instead an
 * event carries a gateway URL, `${PUBLIC_URL}/media/telegram/<file_id>?type=..&sig=..`,
 * signed with a key derived from the token (so every gateway process of the
 * bot accepts it and nobody can forge one for another file or type). That
 * route resolves the file_id with getFile at request time (Telegram's
 * file_path links expire after an hour) and streams the file through.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Logger } from '@passerelle/core';
import type { RequestHandler } from 'express';
import { ProviderError } from '../types.js';
import { type BotApi, callBotApi } from './api.js';
import { TELEGRAM_MEDIA_PATH, type TelegramSettings } from './settings.js';

export type MediaUrlFor = (fileId: string, mimeType: string) => string;

function signingKey(token: string): Buffer {
  return createHash('sha256').update(`passerelle:telegram-media:${token}`).digest();
}

function signature(key: Buffer, fileId: string, mimeType: string): string {
  return createHmac('sha256', key).update(`${fileId}\n${mimeType}`).digest('base64url');
}

export function mediaUrlSigner(settings: Pick<TelegramSettings, 'token' | 'publicUrl'>): MediaUrlFor {
  const key = signingKey(settings.token);
  return (fileId, mimeType) => {
    const query = new URLSearchParams({ type: mimeType, sig: signature(key, fileId, mimeType) });
    return `${settings.publicUrl}${TELEGRAM_MEDIA_PATH}/${encodeURIComponent(fileId)}?${query}`;
  };
}

/** Types a browser may show inline; anything else (an uploaded HTML page...) is served as a download. */
const INLINE_TYPES = new Set([
  'image/jpeg',
  'image/png',
  'image/gif',
  'image/webp',
  'video/mp4',
  'video/webm',
  'audio/ogg',
  'audio/mpeg',
  'audio/mp4',
]);

export function mediaRoute(settings: TelegramSettings, api: BotApi, logger: Logger): RequestHandler {
  const key = signingKey(settings.token);
  return async (req, res) => {
    const fileId = String(req.params.fileId ?? '');
    const mimeType = typeof req.query.type === 'string' ? req.query.type : '';
    const given = Buffer.from(typeof req.query.sig === 'string' ? req.query.sig : '');
    const expected = Buffer.from(signature(key, fileId, mimeType));
    if (!fileId || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      res.status(403).json({ error: 'missing or wrong media signature' });
      return;
    }
    let filePath: string | undefined;
    try {
      filePath = (await callBotApi<{ file_path?: string }>(api, 'getFile', { file_id: fileId }, { timeoutMs: 10_000 }))
        .file_path;
    } catch (error) {
      const status = error instanceof ProviderError ? error.options.status : undefined;
      if (status === 400) {
        res.status(404).json({ error: 'Telegram has no such file, or it is over the 20 MB download limit' });
      } else {
        logger.warn({ err: error }, 'telegram media: getFile failed');
        res.status(502).json({ error: 'Telegram did not answer getFile' });
      }
      return;
    }
    if (!filePath || filePath.startsWith('/')) {
      // A local Bot API server in --local mode gives a path on its own disk, not a download link.
      res.status(501).json({ error: 'this Bot API server does not serve files over HTTP' });
      return;
    }
    const download = new URL(`./file/bot${settings.token}/${filePath}`, `${settings.apiRoot}/`);
    let upstream: Response;
    try {
      upstream = await fetch(download, { signal: AbortSignal.timeout(60_000) });
    } catch (error) {
      logger.warn({ reason: (error as Error).name }, 'telegram media: download failed');
      res.status(502).json({ error: 'could not download the file from Telegram' });
      return;
    }
    if (!upstream.ok || !upstream.body) {
      logger.warn({ status: upstream.status }, 'telegram media: download refused');
      res.status(502).json({ error: `Telegram answered ${upstream.status} to the download` });
      return;
    }
    const inline = INLINE_TYPES.has(mimeType);
    res.status(200);
    res.set({
      'content-type': inline ? mimeType : 'application/octet-stream',
      'content-disposition': inline ? 'inline' : 'attachment',
      'x-content-type-options': 'nosniff',
      'content-security-policy': 'sandbox',
      'cache-control': 'private, max-age=3600',
    });
    const length = upstream.headers.get('content-length');
    if (length) res.set('content-length', length);
    try {
      await pipeline(Readable.fromWeb(upstream.body as import('node:stream/web').ReadableStream), res);
    } catch (error) {
      // The client went away or Telegram broke off: nothing more to answer.
      logger.info({ reason: (error as Error).name }, 'telegram media: stream interrupted');
    }
  };
}
