import type { Config } from '../config';
import type { Logger } from '../logger';
import { serve } from './serve';
import { modelsCommand } from './models-command';
import { migrateCommand } from './migrate-command';

export interface CliContext {
  config: Config;
  log: Logger;
}

export interface Command {
  name: string;
  usage: string;
  summary: string;
  run(args: string[], ctx: CliContext): Promise<number>;
}

export const commands: Command[] = [
  {
    name: 'serve',
    usage: 'serve',
    summary: 'run the HTTP service (PORT, DATABASE_URL or embedded DATA_DIR)',
    run: async (_args, { config, log }) => {
      await serve(config, log);
      return 0;
    },
  },
  migrateCommand,
  modelsCommand,
];
