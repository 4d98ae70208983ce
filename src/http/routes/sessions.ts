import { Router } from 'express';
import type { Services } from '../../services/services';
import { optionalBool, optionalNumber } from '../../services/validate';
import { fileOf, oneMedia, paramsOf, uploadBytes } from '../upload';
import { publishStats } from './recognition';
import { sendExport } from './exports';
import { exportFormat } from '../../services/exports';

export function sessionRoutes(s: Services): Router {
  const r = Router();
  r.get('/api/v1/sessions/:sessionId', async (req, res) => {
    res.json(await s.sessions.show(String(req.params.sessionId)));
  });
  r.post('/api/v1/sessions/:sessionId/photos', oneMedia(s.config, 'file'), async (req, res) => {
    const file = fileOf(req, 'file', ['image', 'file'], uploadBytes(s.config));
    const p = paramsOf(req);
    const threshold = optionalNumber(p.threshold, 'threshold', 0.05, 0.95);
    const live = optionalBool(p.live, 'live');
    const { result } = await s.sessions.addPhoto(String(req.params.sessionId), file.data, { actor: res.locals.keyName, threshold, live, signal: res.locals.signal });
    publishStats(res, result);
    res.json(result);
  });
  r.patch('/api/v1/sessions/:sessionId/attendance/:studentId', async (req, res) => {
    res.json(await s.sessions.correct(String(req.params.sessionId), String(req.params.studentId), req.body, res.locals.keyName));
  });
  r.get('/api/v1/sessions/:sessionId/attendance/:studentId/history', async (req, res) => {
    res.json(await s.sessions.history(String(req.params.sessionId), String(req.params.studentId)));
  });
  r.get('/api/v1/sessions/:sessionId/attendance.:format', async (req, res) => {
    sendExport(res, await s.sessions.sessionExport(String(req.params.sessionId), exportFormat(String(req.params.format))));
  });
  return r;
}
