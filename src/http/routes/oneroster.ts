import { Router } from 'express';
import type { Services } from '../../services/services';
import { principalOf } from '../authorize';
import { optionalBool } from '../../services/validate';
import { fileOf, oneFile, paramsOf, uploadBytes } from '../upload';

export function oneRosterRoutes(s: Services): Router {
  const r = Router();
  r.post('/api/v1/oneroster', oneFile(s.config, 'file'), async (req, res) => {
    const file = fileOf(req, 'file', [], uploadBytes(s.config));
    const report = await s.oneRoster.import(file.data, file.name, { dryRun: optionalBool(paramsOf(req).dry_run, 'dry_run'), by: principalOf(res) });
    res.json(report);
  });
  return r;
}
