import type { Command } from './commands';
import { openDatabase } from '../store/open';

export const migrateCommand: Command = {
  name: 'migrate',
  usage: 'migrate',
  summary: 'apply pending database migrations (also done by serve)',
  run: async (_args, { config }) => {
    const db = await openDatabase(config);
    const rows = await db.query<{ version: string; name: string }>('SELECT version, name FROM schema_migrations ORDER BY version');
    await db.close();
    process.stdout.write(`database (${db.kind}) is at migration ${rows.at(-1)?.version}_${rows.at(-1)?.name} (${rows.length} applied)\n`);
    return 0;
  },
};
