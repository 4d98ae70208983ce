import type { Command } from './commands';
import { provisionModels } from '../vision/provision';

export const models: Command['run'] = async (_args, { config }) => {
  const results = await provisionModels({ modelsDir: config.modelsDir, source: config.modelsSource });
  for (const r of results) process.stdout.write(`${r.action.padEnd(10)} ${r.file}\n`);
  process.stdout.write(`models ready in ${config.modelsDir}\n`);
  return 0;
};
