import { Router } from 'express';
import type { Services } from '../../services/services';
import { z } from 'zod';
import { flag, optionalNumber, parseInput } from '../../services/validate';
import { principalOf } from '../authorize';
import { fileOf, oneMedia, paramsOf, uploadBytes } from '../upload';
import { publishStats } from './recognition';
import { sendExport } from './exports';
import { exportFormat } from '../../services/exports';

const PhotoParams = z.object({ threshold: optionalNumber(0.05, 0.95), live: flag });

export function sessionRoutes(s: Services): Router {
  const r = Router();
  r.get('/api/v1/sessions/:sessionId', async (req, res) => {
    res.json(await s.sessions.show(String(req.params.sessionId)));
  });
  r.post('/api/v1/sessions/:sessionId/photos', oneMedia(s.config, 'file'), async (req, res) => {
    const file = fileOf(req, 'file', ['image', 'file'], uploadBytes(s.config));
    const { threshold, live } = parseInput(PhotoParams, paramsOf(req));
    const { result } = await s.sessions.addPhoto(String(req.params.sessionId), file.data, { actor: principalOf(res).actor, threshold, live, signal: res.locals.signal });
    publishStats(res, result);
    res.json(result);
  });
  r.patch('/api/v1/sessions/:sessionId/attendance/:studentId', async (req, res) => {
    res.json(await s.sessions.correct(String(req.params.sessionId), String(req.params.studentId), req.body, principalOf(res).actor));
  });
  r.get('/api/v1/sessions/:sessionId/photos/:photoId', async (req, res) => {
    const bytes = await s.sessions.photo(String(req.params.sessionId), String(req.params.photoId));
    // The bytes as uploaded, whatever their format: the browser sniffs nothing (nosniff) and draws it as an image.
    res.type('application/octet-stream').setHeader('Cache-Control', 'private, no-store');
    res.send(bytes);
  });
  r.post('/api/v1/sessions/:sessionId/detections/:detectionId', async (req, res) => {
    // The actor is one value (today the key's name) so a signed-in user can take its place.
    res.json(await s.review.review(String(req.params.sessionId), String(req.params.detectionId), req.body, principalOf(res).actor));
  });
  r.get('/api/v1/sessions/:sessionId/attendance/:studentId/history', async (req, res) => {
    res.json(await s.sessions.history(String(req.params.sessionId), String(req.params.studentId)));
  });
  r.get('/api/v1/sessions/:sessionId/attendance.:format', async (req, res) => {
    sendExport(res, await s.sessions.sessionExport(String(req.params.sessionId), exportFormat(String(req.params.format))));
  });
  return r;
}
