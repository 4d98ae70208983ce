import { Router } from 'express';
import type { Services } from '../../services/services';
import { principalOf } from '../authorize';
import { optionalBool } from '../../services/validate';
import { fileOf, manyFiles, oneFile, paramsOf } from '../upload';

export function studentRoutes(s: Services): Router {
  const r = Router();
  r.post('/api/v1/students', async (req, res) => {
    res.status(201).json(await s.students.create(req.body));
  });
  r.get('/api/v1/students/:studentId', async (req, res) => {
    res.json(await s.students.show(String(req.params.studentId)));
  });
  r.post('/api/v1/students/:studentId/faces', manyFiles(s.config, 'images'), async (req, res) => {
    const files = (req.files as Express.Multer.File[] | undefined) ?? [];
    const q = paramsOf(req);
    const out = await s.enrolment.enrol(
      String(req.params.studentId),
      files.map((f, i) => ({ name: f.originalname || `image-${i + 1}`, data: f.buffer })),
      { force: optionalBool(q.force, 'force') },
    );
    res.status(201).json(out);
  });
  // Bulk: a zip of one folder per student. Uploads up to MAX_ZIP_MB are accepted for this route.
  r.post('/api/v1/enrolments', oneFile({ ...s.config, maxUploadMb: s.config.maxZipMb }, 'file'), async (req, res) => {
    const file = fileOf(req, 'file', [], s.config.maxZipMb * 1024 * 1024);
    const q = paramsOf(req);
    res.json(await s.bulkEnrolment.enrolZip(file.data, { force: optionalBool(q.force, 'force') }));
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
