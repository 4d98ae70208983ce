#!/usr/bin/env node
import { ConfigError, loadConfig } from '../config';
import { createLogger } from '../logger';
import { AppError } from '../errors';
import { StoreError } from '../store/store-error';
import { ModelError } from '../vision/provision';
import { commands } from './commands';
import { UsageError } from './open-services';

const HELP = `rollcall — attendance from a classroom photo

Usage: rollcall <command> [options]

Commands:
${commands.map((c) => `  ${c.usage.padEnd(50)} ${c.summary}`).join('\n')}

Settings come from environment variables (see README.md): DATABASE_URL, DATA_DIR, MODELS_DIR, ...`;

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    process.stderr.write(`rollcall: unknown command "${name}"; see rollcall --help\n`);
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`Usage: rollcall ${cmd.usage}\n  ${cmd.summary}\n`);
    return 0;
  }
  const config = loadConfig();
  return cmd.run(args, { config, log: createLogger(config.logLevel) });
}

/** Operator-facing failures are one line on stderr, never a stack trace. */
function oneLine(e: unknown): string | null {
  if (e instanceof UsageError) return `${e.message} (see rollcall --help)`;
  if (e instanceof ConfigError) return `invalid setting ${e.message}`;
  if (e instanceof StoreError || e instanceof ModelError) return e.message;
  if (e instanceof AppError) return `${e.code}: ${e.message}`;
  return null;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0 || process.argv[2] !== 'serve') process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`rollcall: ${oneLine(e) ?? (e as Error)?.stack ?? String(e)}\n`);
    process.exit(1);
  },
);
