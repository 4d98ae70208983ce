import { Router } from 'express';
import type { Services } from '../../services/services';
import { principalOf } from '../authorize';
import { z } from 'zod';
import { flag, parseInput } from '../../services/validate';
import { fileOf, oneFile, paramsOf, uploadBytes } from '../upload';

const ImportParams = z.object({ dry_run: flag });

export function oneRosterRoutes(s: Services): Router {
  const r = Router();
  r.post('/api/v1/oneroster', oneFile(s.config, 'file'), async (req, res) => {
    const file = fileOf(req, 'file', [], uploadBytes(s.config));
    const report = await s.oneRoster.import(file.data, file.name, { dryRun: parseInput(ImportParams, paramsOf(req)).dry_run, by: principalOf(res) });
    res.json(report);
  });
  return r;
}
