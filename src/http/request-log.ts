import type { RequestHandler } from 'express';
import type { Logger } from '../logger';

/** One structured line per request, with its duration and any stage timings a route recorded. */
export function requestLog(log: Logger): RequestHandler {
  return (req, res, next) => {
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      log.info('request', {
        method: req.method,
        path: req.route?.path ? `${req.baseUrl}${req.route.path}` : req.path,
        status: res.statusCode,
        ms: Math.round(ms * 10) / 10,
        // A signed-in user by id (their email stays out of the logs), a service key by name.
        ...(res.locals.principal ? (res.locals.principal.userId ? { user: res.locals.principal.userId } : { actor: res.locals.principal.actor }) : {}),
        ...(res.locals.errorCode ? { error: res.locals.errorCode } : {}),
        ...(res.locals.timings ? { timings_ms: res.locals.timings } : {}),
      });
    });
    next();
  };
}
