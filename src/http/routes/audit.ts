import { Router } from 'express';
import type { Services } from '../../services/services';

export function auditRoutes(s: Services): Router {
  const r = Router();
  r.get('/api/v1/audit', async (req, res) => {
    res.json(await s.audit.page(req.query as Record<string, unknown>));
  });
  return r;
}
