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
  lazy('detect', 'detect <photo|video> [--annotate out.jpg] [--json]', 'find faces in a photo (or face tracks in a clip): boxes, quality, stage timings', async () => (await import('./detect-command')).detect),
  lazy('enroll', 'enroll <dir> [--force]', 'bulk-enrol dir/<student_id>/*.jpg, with a summary table', async () => (await import('./enroll-command')).enroll),
  lazy('classes', 'classes create <code> <name> | classes list | classes assign <class> <email>', 'create or list classes, assign a teacher', async () => (await import('./admin-commands')).classes),
  lazy('users', 'users create <email> --role admin|teacher [--name n] | users list | users disable <email> | users reset-password <email>', 'manage the people who sign in (passwords from stdin or a prompt)', async () => (await import('./user-commands')).users),
  lazy('roster', 'roster import <class> <file> [--dry-run] [--sheet s]', 'import a class roster from .xlsx or .csv', async () => (await import('./admin-commands')).roster),
  lazy('oneroster', 'oneroster import <bundle.zip> [--dry-run]', 'import classes, students, teachers and enrolments from a OneRoster CSV zip', async () => (await import('./oneroster-command')).oneroster),
  lazy('export', 'export <class> [--session id] <out.xlsx|out.csv>', 'export a session or the class attendance matrix', async () => (await import('./admin-commands')).exportCmd),
  lazy('keys', 'keys create <name> | keys list | keys revoke <name>', 'manage service API keys (admin rights, stored hashed)', async () => (await import('./admin-commands')).keys),
  lazy('erase', 'erase <student_id>', 'erase a student and all their biometric data', async () => (await import('./admin-commands')).erase),
  lazy('purge', 'purge', 'apply the retention settings now (serve does it hourly)', async () => (await import('./admin-commands')).purge),
  lazy('backup', 'backup <file>', 'back up the embedded database, also while serve runs (PostgreSQL: pg_dump)', async () => (await import('./backup-commands')).backup),
  lazy('restore', 'restore <file>', 'restore a backup into an empty DATA_DIR', async () => (await import('./backup-commands')).restore),
  lazy('verify-backup', 'verify-backup <file>', 'check a backup file without restoring it', async () => (await import('./backup-commands')).verifyBackup),
  lazy('models', 'models', 'place the ONNX models in MODELS_DIR (copy from MODELS_SOURCE or download), verify sha256', async () => (await import('./models-command')).models),
];
