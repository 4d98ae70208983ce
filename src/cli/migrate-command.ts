import type { Command } from './commands';
import { openDatabase } from '../store/open';

export const migrate: Command['run'] = async (_args, { config }) => {
  const db = await openDatabase(config);
  const rows = await db.query<{ version: string; name: string }>('SELECT version, name FROM schema_migrations ORDER BY version');
  await db.close();
  const last = rows.at(-1);
  process.stdout.write(`database (${db.kind}) is at migration ${last?.version}_${last?.name} (${rows.length} applied)\n`);
  return 0;
};
