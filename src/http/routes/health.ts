import { Router } from 'express';
import type { Services } from '../../services/services';

export function healthRoutes(services: Services): Router {
  const r = Router();
  // Express 5 forwards a rejected promise to the error handler.
  r.get('/health', async (_req, res) => {
    res.json(await services.health.check());
  });
  return r;
}
