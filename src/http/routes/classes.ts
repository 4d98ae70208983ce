import { Router } from 'express';
import type { Services } from '../../services/services';
import { z } from 'zod';
import { flag, parseInput } from '../../services/validate';
import { principalOf } from '../authorize';
import { fileOf, oneFile, paramsOf, uploadBytes } from '../upload';
import { sendExport } from './exports';
import { exportFormat } from '../../services/exports';

const RosterParams = z.object({ dry_run: flag });

export function classRoutes(s: Services): Router {
  const r = Router();
  r.post('/api/v1/classes', async (req, res) => {
    res.status(201).json(await s.classes.create(req.body));
  });
  r.get('/api/v1/classes', async (_req, res) => {
    res.json(await s.classes.list(s.policy.classFilter(principalOf(res))));
  });
  r.get('/api/v1/classes/:classId', async (req, res) => {
    res.json(await s.classes.show(String(req.params.classId)));
  });
  r.get('/api/v1/classes/:classId/students', async (req, res) => {
    res.json(await s.classes.students(String(req.params.classId)));
  });
  r.post('/api/v1/classes/:classId/roster', oneFile(s.config, 'file'), async (req, res) => {
    const file = fileOf(req, 'file', [], uploadBytes(s.config));
    const q = paramsOf(req);
    const report = await s.rosters.import(String(req.params.classId), file.data, file.name, {
      dryRun: parseInput(RosterParams, q).dry_run,
      sheet: typeof q.sheet === 'string' && q.sheet !== '' ? q.sheet : undefined,
      actor: principalOf(res).actor,
    });
    res.json(report);
  });
  r.get('/api/v1/classes/:classId/sessions', async (req, res) => {
    res.json(await s.sessions.listForClass(String(req.params.classId)));
  });
  r.get('/api/v1/classes/:classId/stats', async (req, res) => {
    res.json(await s.insight.classStats(String(req.params.classId), req.query.from, req.query.to));
  });
  r.get('/api/v1/classes/:classId/attendance.:format', async (req, res) => {
    sendExport(res, await s.sessions.matrixExport(String(req.params.classId), exportFormat(String(req.params.format))));
  });
  return r;
}
