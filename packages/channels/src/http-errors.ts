/**
 * Turns request errors into clear JSON refusals: a malformed body, a wrong
 * content type or an oversized body is the sender's fault (4xx with a
 * reason), never a crash and never a 500. Redis unable to take the request
 * (down, not ready, not answering: see core's availability.ts) is a 503 with
 * Retry-After, so the provider sends it again later; nothing was queued.
 */
import { asRedisUnavailable, type Logger, RedisUnavailable } from '@passerelle/core';
import type { ErrorRequestHandler } from 'express';

export function jsonErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const unavailable = asRedisUnavailable(error);
    if (unavailable instanceof RedisUnavailable) {
      // Not an error of ours to investigate per request: the connection's own log line says Redis is away.
      logger.warn(
        { path: req.path, reason: unavailable.message },
        'request not taken: Redis unavailable; answered 503',
      );
      if (res.headersSent) return;
      res
        .status(503)
        .set('Retry-After', String(unavailable.retryAfterSeconds))
        // What went wrong inside (a timeout, a refused command) is for our log, not for the caller.
        .json({ error: `Redis is unavailable: nothing was taken; try again in ${unavailable.retryAfterSeconds} s` });
      return;
    }
    const status = typeof error?.status === 'number' && error.status >= 400 && error.status < 500 ? error.status : 500;
    if (status >= 500) logger.error({ err: error, path: req.path }, 'request failed');
    else logger.info({ path: req.path, status, reason: error?.message }, 'request refused');
    if (res.headersSent) return;
    res.status(status).json({ error: status >= 500 ? 'internal error' : (error?.message ?? 'bad request') });
  };
}

/** An error that becomes an HTTP refusal with this status and reason. */
export class HttpRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpRefusal';
  }
}
