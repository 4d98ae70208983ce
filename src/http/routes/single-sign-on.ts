import { Router } from 'express';
import { AppError } from '../../errors';
import type { Services } from '../../services/services';
import { beginSession } from '../session-cookie';
import { clearSsoCookie, setSsoCookie, ssoToken } from '../sso-cookie';

const START = '/api/v1/auth/oidc/start';

const ssoOf = (s: Services) => {
  if (!s.sso) throw new AppError(404, 'sso_not_configured', 'single sign-on is not configured on this server (the OIDC_* settings)');
  return s.sso;
};

/** How the page may sign people in, then single sign-on's two legs: out to the provider and back. */
export function singleSignOnRoutes(s: Services): Router {
  const r = Router();
  r.get('/api/v1/auth/config', (_req, res) => {
    res.json({ password: true, sso: s.config.oidc ? { name: s.config.oidc.name, start_url: START } : null });
  });
  r.get(START, async (req, res) => {
    const started = await ssoOf(s).start();
    setSsoCookie(req, res, s.config, started.browserToken);
    res.redirect(302, started.url);
  });
  r.get('/api/v1/auth/oidc/callback', async (req, res) => {
    const sso = ssoOf(s);
    // The attempt is used up whatever the outcome.
    clearSsoCookie(req, res, s.config);
    const user = await sso.finish(req.originalUrl, ssoToken(req), req.ip ?? 'unknown');
    await beginSession(req, res, s.config, s.signIn, user.id);
    res.redirect(302, '/');
  });
  return r;
}
