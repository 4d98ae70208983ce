import { Router } from 'express';
import type { Services } from '../../services/services';
import { principalOf } from '../authorize';

/** Webhook endpoints: meant for administrators (docs/webhooks.md). */
export function webhookRoutes(s: Services): Router {
  const r = Router();
  r.post('/api/v1/webhooks', async (req, res) => {
    res.status(201).json(await s.webhooks.create(req.body, principalOf(res).actor));
  });
  r.get('/api/v1/webhooks', async (_req, res) => {
    res.json(await s.webhooks.list());
  });
  r.patch('/api/v1/webhooks/:webhookId', async (req, res) => {
    res.json(await s.webhooks.update(String(req.params.webhookId), req.body, principalOf(res).actor));
  });
  r.delete('/api/v1/webhooks/:webhookId', async (req, res) => {
    await s.webhooks.delete(String(req.params.webhookId), principalOf(res).actor);
    res.status(204).end();
  });
  r.get('/api/v1/webhooks/:webhookId/deliveries', async (req, res) => {
    res.json(await s.webhooks.deliveries(String(req.params.webhookId)));
  });
  return r;
}
