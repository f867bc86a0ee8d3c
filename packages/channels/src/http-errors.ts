/**
 * Turns request errors into clear JSON refusals: a malformed body, a wrong
 * content type or an oversized body is the sender's fault (4xx with a
 * reason), never a crash and never a 500.
 */
import type { Logger } from '@passerelle/core';
import type { ErrorRequestHandler } from 'express';

export function jsonErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
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
