import type { Request, Response } from 'express';
import type { Config } from '../config';
import { LOGIN_TTL_S } from '../services/single-sign-on';
import { cookieValue, secure } from './session-cookie';

/** The browser's id for its single sign-on attempt, sent back only to the callback. */
const SSO_COOKIE = 'rollcall_sso';
const PATH = '/api/v1/auth/oidc';

/**
 * SameSite=Lax, not Strict: the provider sends the browser back with a top-level GET from
 * another site, which Lax cookies accompany and Strict ones do not.
 */
function write(req: Request, res: Response, config: Pick<Config, 'cookieSecure'>, value: string, maxAge: number): void {
  const flags = [`Path=${PATH}`, 'HttpOnly', 'SameSite=Lax', `Max-Age=${maxAge}`, ...(secure(req, config) ? ['Secure'] : [])];
  res.append('Set-Cookie', `${SSO_COOKIE}=${value}; ${flags.join('; ')}`);
}

export const setSsoCookie = (req: Request, res: Response, config: Pick<Config, 'cookieSecure'>, token: string) => write(req, res, config, token, LOGIN_TTL_S);

export const clearSsoCookie = (req: Request, res: Response, config: Pick<Config, 'cookieSecure'>) => write(req, res, config, '', 0);

export const ssoToken = (req: Request): string | null => cookieValue(req, SSO_COOKIE);
