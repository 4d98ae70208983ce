import type { Config } from '../config';
import type { Logger } from '../logger';

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

// Implementations load on demand so `rollcall models` works before anything heavy is needed.
const lazy = (name: string, usage: string, summary: string, load: () => Promise<Command['run']>): Command => ({
  name,
  usage,
  summary,
  run: async (args, ctx) => (await load())(args, ctx),
});

export const commands: Command[] = [
  lazy('serve', 'serve', 'run the HTTP service (PORT; DATABASE_URL or the embedded DATA_DIR)', async () => (await import('./serve')).serveCommand),
  lazy('migrate', 'migrate', 'apply pending database migrations (serve does it too)', async () => (await import('./migrate-command')).migrate),
  lazy('models', 'models', 'place the ONNX models in MODELS_DIR (copy from MODELS_SOURCE or download), verify sha256', async () => (await import('./models-command')).models),
];
