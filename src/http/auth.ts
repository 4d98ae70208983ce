import type { RequestHandler } from 'express';
import { AppError } from '../errors';
import type { ApiKeys } from '../services/api-keys';

/** `Authorization: Bearer <key>` or `X-API-Key: <key>`; the key's name goes to the request log and audit. */
export function requireApiKey(keys: ApiKeys): RequestHandler {
  return async (req, res, next) => {
    const header = req.get('authorization');
    const key = header?.match(/^Bearer\s+(\S+)$/i)?.[1] ?? req.get('x-api-key');
    if (!key) return next(new AppError(401, 'unauthorized', 'an API key is required: Authorization: Bearer <key> or X-API-Key'));
    try {
      const name = await keys.authenticate(key);
      if (!name) return next(new AppError(401, 'unauthorized', 'the API key is not valid'));
      res.locals.keyName = name;
      next();
    } catch (e) {
      next(e);
    }
  };
}
