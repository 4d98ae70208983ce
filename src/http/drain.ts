import type { RequestHandler } from 'express';
import { AppError } from '../errors';
import type { Lifecycle } from '../services/lifecycle';

/**
 * Counts requests in flight for graceful shutdown and, once the process is stopping, answers new
 * ones 503 shutting_down. The connection is left to node, which reads and discards an unread
 * upload: closing it at once would cut the client off mid-upload (EPIPE) before it reads the 503.
 */
export function drain(lifecycle: Lifecycle): RequestHandler {
  return (_req, res, next) => {
    if (lifecycle.phase === 'stopping') {
      next(new AppError(503, 'shutting_down', 'the server is shutting down; retry in a moment', undefined, { 'Retry-After': '1' }));
      return;
    }
    const end = lifecycle.begin();
    res.on('close', end);
    next();
  };
}
