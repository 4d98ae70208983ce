import { Router } from 'express';
import type { Services } from '../../services/services';
import { ownerOf } from '../../services/api-keys';
import { SignInService } from '../../services/sign-in';
import { newUserOf } from '../../services/users';
import { principalOf } from '../authorize';
import { beginSession, clearSessionCookie } from '../session-cookie';

/** Sign-in and first-run setup, then the signed-in user's own account and keys. */
export function accountRoutes(s: Services): Router {
  const r = Router();
  r.post('/api/v1/auth/login', async (req, res) => {
    const user = await s.signIn.login(req.body, req.ip ?? 'unknown');
    res.json({ user, csrf_token: await beginSession(req, res, s.config, s.signIn, user.id) });
  });
  r.post('/api/v1/auth/logout', async (req, res) => {
    if (res.locals.sessionToken) await s.signIn.logout(res.locals.sessionToken, principalOf(res));
    clearSessionCookie(req, res, s.config);
    res.status(204).end();
  });
  r.get('/api/v1/auth/setup', async (_req, res) => {
    res.json({ setup_needed: await s.signIn.setupNeeded() });
  });
  r.post('/api/v1/auth/setup', async (req, res) => {
    const user = await s.signIn.setup(req.body, s.config.dataDir);
    res.status(201).json({ user, csrf_token: await beginSession(req, res, s.config, s.signIn, user.id) });
  });

  r.get('/api/v1/me', async (_req, res) => {
    const token = res.locals.sessionToken as string | undefined;
    res.json({ ...(await s.users.me(ownerOf(principalOf(res)))), csrf_token: token ? SignInService.csrfTokenFor(token) : null });
  });
  r.post('/api/v1/me/password', async (req, res) => {
    const token = res.locals.sessionToken as string | undefined;
    await s.users.changePassword(ownerOf(principalOf(res)), req.body, token ? SignInService.sessionHash(token) : null);
    res.status(204).end();
  });
  r.post('/api/v1/me/keys', async (req, res) => {
    res.status(201).json(await s.keys.createOwn(principalOf(res), req.body));
  });
  r.get('/api/v1/me/keys', async (_req, res) => {
    res.json(await s.keys.listOwn(principalOf(res)));
  });
  r.delete('/api/v1/me/keys/:keyId', async (req, res) => {
    await s.keys.revokeOwn(principalOf(res), String(req.params.keyId));
    res.status(204).end();
  });
  return r;
}

/** The admins' management of people and class assignments. */
export function userRoutes(s: Services): Router {
  const r = Router();
  r.post('/api/v1/users', async (req, res) => {
    res.status(201).json(await s.users.create(newUserOf(req.body), principalOf(res)));
  });
  r.get('/api/v1/users', async (_req, res) => {
    res.json(await s.users.list());
  });
  r.patch('/api/v1/users/:userId', async (req, res) => {
    res.json(await s.users.update(String(req.params.userId), req.body, principalOf(res)));
  });
  r.post('/api/v1/classes/:classId/teachers', async (req, res) => {
    res.status(201).json(await s.users.assign(String(req.params.classId), req.body, principalOf(res)));
  });
  r.delete('/api/v1/classes/:classId/teachers/:userId', async (req, res) => {
    await s.users.unassign(String(req.params.classId), String(req.params.userId), principalOf(res));
    res.status(204).end();
  });
  return r;
}
