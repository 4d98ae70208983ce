import crypto from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { AppError } from '../errors';
import type { ApiKeys } from '../services/api-keys';
import { SignInService } from '../services/sign-in';
import { sessionToken } from './session-cookie';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const sameToken = (a: string, b: string) => a.length === b.length && crypto.timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** The origin a browser names in Origin, or failing that in Referer. */
function requestOrigin(req: Request): string | null {
  const raw = req.get('origin') ?? req.get('referer');
  if (!raw || raw === 'null') return null;
  try {
    return new URL(raw).host;
  } catch {
    return null;
  }
}

/**
 * CSRF for cookie sessions: an unsafe request needs the session's token in X-CSRF-Token, or an
 * Origin (Referer when there is no Origin) naming this very host. SameSite=Lax already keeps the
 * cookie off cross-site POSTs in current browsers; this covers older ones and same-site attackers.
 */
function csrfOk(req: Request, token: string): boolean {
  const sent = req.get('x-csrf-token');
  if (sent) return sameToken(sent, SignInService.csrfTokenFor(token));
  const origin = requestOrigin(req);
  return origin !== null && origin === req.get('host');
}

/**
 * Finds who is calling: an API key (`Authorization: Bearer <key>` or `X-API-Key`) or else the
 * session cookie. The principal goes to res.locals.principal; failed credentials are kept in
 * res.locals.authError for the policy, which ignores them on public routes.
 */
export function authenticate(keys: ApiKeys, signIn: SignInService): RequestHandler {
  return async (req, res, next) => {
    const header = req.get('authorization');
    const key = header?.match(/^Bearer\s+(\S+)$/i)?.[1] ?? req.get('x-api-key');
    try {
      if (key) {
        res.locals.principal = await keys.authenticate(key);
        if (!res.locals.principal) res.locals.authError = new AppError(401, 'unauthorized', 'the API key is not valid');
        return next();
      }
      const token = sessionToken(req);
      if (!token) return next();
      const p = await signIn.authenticate(token);
      if (!p) {
        res.locals.authError = new AppError(401, 'unauthorized', 'the session is not valid: sign in again');
      } else if (UNSAFE.has(req.method) && !csrfOk(req, token)) {
        res.locals.authError = new AppError(403, 'csrf_failed', 'send the X-CSRF-Token header with requests made with the session cookie');
      } else {
        res.locals.principal = p;
        res.locals.sessionToken = token;
      }
      next();
    } catch (e) {
      if (e instanceof AppError && e.status === 401) {
        res.locals.authError = e;
        return next();
      }
      next(e);
    }
  };
}
