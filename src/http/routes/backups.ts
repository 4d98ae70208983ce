import { Router } from 'express';
import type { Services } from '../../services/services';

/** A backup of the embedded database while the service runs (what `rollcall backup` calls). */
export function backupRoutes(services: Services): Router {
  const r = Router();
  r.post('/api/v1/backups', async (_req, res) => {
    const data = await services.backups.create();
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    res.setHeader('Content-Disposition', `attachment; filename="rollcall-${stamp}.rcbackup"`);
    res.type('application/octet-stream').send(data);
  });
  return r;
}
