import type { Request, Response } from 'express';
import type { Config } from '../config';
import type { SignInService, StartedSession } from '../services/sign-in';

export const SESSION_COOKIE = 'rollcall_session';

/** A cookie's value, if the request has it. */
export function cookieValue(req: Request, name: string): string | null {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim()) || null;
  }
  return null;
}

/** The session cookie's value, if the request has one. */
export const sessionToken = (req: Request): string | null => cookieValue(req, SESSION_COOKIE);

export const secure = (req: Request, config: Pick<Config, 'cookieSecure'>) => config.cookieSecure === 'true' || (config.cookieSecure === 'auto' && req.secure);

/**
 * HttpOnly (no script reads it), SameSite=Lax (not sent with cross-site POSTs), Secure over
 * HTTPS, and gone from the browser when the session's absolute expiry passes.
 */
export function setSessionCookie(req: Request, res: Response, config: Pick<Config, 'cookieSecure'>, s: StartedSession): void {
  const maxAge = Math.max(0, Math.floor((s.expiresAt.getTime() - Date.now()) / 1000));
  const flags = ['Path=/', 'HttpOnly', 'SameSite=Lax', `Max-Age=${maxAge}`, ...(secure(req, config) ? ['Secure'] : [])];
  res.append('Set-Cookie', `${SESSION_COOKIE}=${s.token}; ${flags.join('; ')}`);
}

export function clearSessionCookie(req: Request, res: Response, config: Pick<Config, 'cookieSecure'>): void {
  const flags = ['Path=/', 'HttpOnly', 'SameSite=Lax', 'Max-Age=0', ...(secure(req, config) ? ['Secure'] : [])];
  res.append('Set-Cookie', `${SESSION_COOKIE}=; ${flags.join('; ')}`);
}

/**
 * Signs a user in on this response: a new session and its cookie; the CSRF token is returned for
 * the answer's body. Password sign-in and first-run setup use it, and so can a single sign-on callback.
 */
export async function beginSession(req: Request, res: Response, config: Pick<Config, 'cookieSecure'>, signIn: SignInService, userId: string): Promise<string> {
  const s = await signIn.startSession(userId);
  setSessionCookie(req, res, config, s);
  return s.csrfToken;
}
