import { Router } from 'express';
import type { Services } from '../../services/services';

/** Probes: no key, and ahead of the shutdown gate so they answer while the process drains. */
export function healthRoutes(services: Services): Router {
  const r = Router();
  // Express 5 forwards a rejected promise to the error handler (503 with the parts that are down).
  r.get('/health', async (_req, res) => {
    res.json(await services.health.check());
  });
  r.get('/health/live', (_req, res) => {
    res.json(services.health.live());
  });
  r.get('/health/ready', async (_req, res) => {
    res.json(await services.health.ready());
  });
  return r;
}
