import { Router } from 'express';
import type { Services } from '../../services/services';
import { z } from 'zod';
import { flag, parseInput } from '../../services/validate';
import { principalOf } from '../authorize';
import { fileOf, manyFiles, oneFile, paramsOf } from '../upload';

const EnrolParams = z.object({ force: flag });

export function studentRoutes(s: Services): Router {
  const r = Router();
  r.post('/api/v1/students', async (req, res) => {
    res.status(201).json(await s.students.create(req.body));
  });
  r.get('/api/v1/students/:studentId', async (req, res) => {
    res.json(await s.students.show(String(req.params.studentId)));
  });
  r.post('/api/v1/students/:studentId/consent', async (req, res) => {
    res.json(await s.consent.record(String(req.params.studentId), req.body, principalOf(res).actor));
  });
  r.get('/api/v1/students/:studentId/export', async (req, res) => {
    const out = await s.subjectAccess.export(String(req.params.studentId), principalOf(res).actor);
    res.setHeader('Content-Type', 'application/zip');
    res.setHeader('Content-Disposition', `attachment; filename="${encodeURIComponent(out.filename)}"`);
    res.send(out.zip);
  });
  r.get('/api/v1/students/:studentId/attendance', async (req, res) => {
    res.json(await s.insight.studentAttendance(String(req.params.studentId)));
  });
  r.post('/api/v1/students/:studentId/faces', manyFiles(s.config, 'images'), async (req, res) => {
    const files = (req.files as Express.Multer.File[] | undefined) ?? [];
    const q = paramsOf(req);
    const out = await s.enrolment.enrol(
      String(req.params.studentId),
      files.map((f, i) => ({ name: f.originalname || `image-${i + 1}`, data: f.buffer })),
      parseInput(EnrolParams, q),
    );
    res.status(201).json(out);
  });
  // Bulk: a zip of one folder per student. Uploads up to MAX_ZIP_MB are accepted for this route.
  r.post('/api/v1/enrolments', oneFile({ ...s.config, maxUploadMb: s.config.maxZipMb }, 'file'), async (req, res) => {
    const file = fileOf(req, 'file', [], s.config.maxZipMb * 1024 * 1024);
    const q = paramsOf(req);
    res.json(await s.bulkEnrolment.enrolZip(file.data, parseInput(EnrolParams, q)));
  });
  r.delete('/api/v1/students/:studentId/faces', async (req, res) => {
    await s.students.deleteFaces(String(req.params.studentId), principalOf(res).actor);
    res.status(204).end();
  });
  r.delete('/api/v1/students/:studentId', async (req, res) => {
    await s.students.erase(String(req.params.studentId), principalOf(res).actor);
    res.status(204).end();
  });
  return r;
}
