/**
 * Media both ways. WhatsApp media are end-to-end encrypted and only the
 * linked browser can decrypt them, so there is no provider URL to hand on:
 * the owner downloads an inbound file once, keeps it in Redis for a while
 * (shared by every gateway process, unlike a local disk), and the event
 * carries a gateway URL with an unguessable id that any gateway serves.
 * Outbound, the file at the message's URL is fetched and sent as a
 * MessageMedia.
 */
import { randomBytes } from 'node:crypto';
import { type Media, parseRetryAfter, type Redis } from '@passerelle/core';
import type { Router } from 'express';
import { failureFromStatus } from '../http.js';
import { ProviderError } from '../types.js';
import type { WhatsappDownloadedMedia } from './client.js';
import { whatsappKeys } from './lease.js';

export interface MediaLimits {
  /** Larger files are not kept (inbound) or not sent (outbound). WhatsApp's own limit is 16 MB for most media. */
  maxBytes: number;
  /** How long an inbound file stays available at its URL. */
  ttlSeconds: number;
  /** Outbound download timeout. */
  fetchTimeoutMs: number;
}

export const DEFAULT_MEDIA_LIMITS: MediaLimits = {
  maxBytes: 16 * 1024 * 1024,
  ttlSeconds: 24 * 3600,
  fetchTimeoutMs: 30_000,
};

export const MEDIA_PATH = '/whatsapp/media';
const MEDIA_ID = /^[A-Za-z0-9_-]{24}$/;

export class MediaTooLarge extends Error {
  constructor(
    readonly bytes: number,
    readonly maxBytes: number,
  ) {
    super(`${megabytes(bytes)} is over the ${megabytes(maxBytes)} limit`);
    this.name = 'MediaTooLarge';
  }
}

export function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Keeps a downloaded inbound file and returns the event's media entry, served at PUBLIC_URL/whatsapp/media/<id>. */
export async function storeInboundMedia(
  redis: Redis,
  prefix: string,
  publicUrl: string,
  media: WhatsappDownloadedMedia,
  limits: Pick<MediaLimits, 'maxBytes' | 'ttlSeconds'>,
): Promise<Media> {
  const bytes = Buffer.from(media.data, 'base64');
  if (bytes.length > limits.maxBytes) throw new MediaTooLarge(bytes.length, limits.maxBytes);
  const id = randomBytes(18).toString('base64url');
  const key = whatsappKeys(prefix).media(id);
  const fileName = media.filename?.trim() || undefined;
  await redis
    .multi()
    .hset(key, { type: media.mimetype, name: fileName ?? '', data: bytes })
    .expire(key, limits.ttlSeconds)
    .exec();
  return { url: `${publicUrl}${MEDIA_PATH}/${id}`, mimeType: media.mimetype, ...(fileName ? { fileName } : {}) };
}

/** GET /whatsapp/media/:id on every gateway: the stored file, or 404 once it expired. */
export function mountMediaRoute(router: Router, redis: Redis, prefix: string): void {
  router.get(`${MEDIA_PATH}/:id`, async (req, res, next) => {
    try {
      const id = req.params.id ?? '';
      const stored = MEDIA_ID.test(id) ? await redis.hgetallBuffer(whatsappKeys(prefix).media(id)) : {};
      if (!stored.data || !stored.type) {
        res.status(404).json({ error: 'no such media, or it expired' });
        return;
      }
      const name = stored.name?.toString() ?? '';
      res.set({
        'Content-Type': stored.type.toString(),
        // The file is a customer's upload: never let a browser run it as a page of ours.
        'X-Content-Type-Options': 'nosniff',
        'Content-Security-Policy': "default-src 'none'; img-src 'self'; media-src 'self'; sandbox",
        'Cache-Control': 'private, max-age=3600',
        ...(name ? { 'Content-Disposition': `inline; filename*=UTF-8''${encodeURIComponent(name)}` } : {}),
      });
      res.send(stored.data);
    } catch (error) {
      next(error);
    }
  });
}

export interface FetchedMedia {
  mimeType: string;
  /** Base64, as MessageMedia wants it. */
  data: string;
  fileName: string;
  size: number;
}

/**
 * Downloads an outbound file. whatsapp-web.js's MessageMedia.fromUrl would do it too, but it
 * sends whatever comes back, a 404 page included, with no size limit: this checks both and
 * classifies failures like any provider call (5xx and 429 retried, other 4xx given up).
 */
export async function fetchOutboundMedia(
  url: string,
  declaredMimeType: string | undefined,
  limits: Pick<MediaLimits, 'maxBytes' | 'fetchTimeoutMs'>,
): Promise<FetchedMedia> {
  if (!/^https?:$/.test(safeProtocol(url))) throw new ProviderError('media URLs must be http or https', 'reject');
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(limits.fetchTimeoutMs), redirect: 'follow' });
  } catch (error) {
    // Nothing went to WhatsApp yet: trying again later is safe.
    throw new ProviderError(`media download from ${where(url)} failed: ${(error as Error).message}`, 'retry', {
      cause: error,
    });
  }
  if (!response.ok) {
    const body = await response.text().catch(() => '');
    const failure = failureFromStatus('media download', response.status, response.headers, body);
    throw new ProviderError(failure.message, failure.outcome, {
      status: response.status,
      retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
    });
  }
  const declaredLength = Number(response.headers.get('content-length') ?? 0);
  if (declaredLength > limits.maxBytes) {
    await response.body?.cancel().catch(() => {});
    throw new ProviderError(
      `media at ${where(url)} is ${new MediaTooLarge(declaredLength, limits.maxBytes).message}`,
      'reject',
    );
  }
  const bytes = await readCapped(response, limits.maxBytes, url);
  const mimeType = declaredMimeType ?? response.headers.get('content-type')?.split(';')[0]?.trim();
  if (!mimeType || mimeType === 'application/octet-stream') {
    throw new ProviderError(`media at ${where(url)} has no usable MIME type; give one in the message`, 'reject');
  }
  const fileName = decodeURIComponent(new URL(response.url || url).pathname.split('/').pop() || '') || 'file';
  return { mimeType, data: bytes.toString('base64'), fileName, size: bytes.length };
}

async function readCapped(response: Response, maxBytes: number, url: string): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for await (const chunk of response.body ?? []) {
      total += chunk.length;
      if (total > maxBytes) {
        await response.body?.cancel().catch(() => {});
        throw new ProviderError(`media at ${where(url)} is ${new MediaTooLarge(total, maxBytes).message}`, 'reject');
      }
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof ProviderError) throw error;
    throw new ProviderError(`media download from ${where(url)} broke off: ${(error as Error).message}`, 'retry', {
      cause: error,
    });
  }
  return Buffer.concat(chunks);
}

/** Host and path only: a query string may hold a token, and this ends up in logs and dead letters. */
function where(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.host}${parsed.pathname}`;
  } catch {
    return '(bad URL)';
  }
}

function safeProtocol(url: string): string {
  try {
    return new URL(url).protocol;
  } catch {
    return '';
  }
}
