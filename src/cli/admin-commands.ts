import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Command } from './commands';
import { UsageError, table, withServices } from './open-services';
import { CLI_ACTOR } from '../services/users';

/** rollcall classes create <code> <name> | classes list | classes assign <class> <email> */
export const classes: Command['run'] = async (argv, { config }) => {
  const [sub, ...rest] = argv;
  return withServices(config, async (s) => {
    if (sub === 'create' && rest.length === 2) {
      const c = await s.classes.create({ code: rest[0], name: rest[1] });
      process.stdout.write(`created class ${c.code} (${c.name}) id ${c.id}\n`);
      return 0;
    }
    if (sub === 'list' && rest.length === 0) {
      const list = await s.classes.list();
      process.stdout.write(table([['id', 'code', 'name', 'students'], ...list.map((c) => [c.id, c.code, c.name, c.students ?? 0])]));
      return 0;
    }
    if (sub === 'assign' && rest.length === 2) {
      const a = await s.users.assign(rest[0], { email: rest[1] }, CLI_ACTOR);
      process.stdout.write(`${a.email} now teaches ${a.class_code}\n`);
      return 0;
    }
    throw new UsageError('use: classes create <code> <name> | classes list | classes assign <class> <email>');
  });
};

/** rollcall roster import <class> <file> [--dry-run] [--sheet name] */
export const roster: Command['run'] = async (argv, { config }) => {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { 'dry-run': { type: 'boolean' }, sheet: { type: 'string' } } });
  if (positionals[0] !== 'import' || positionals.length !== 3) throw new UsageError('use: roster import <class> <file> [--dry-run] [--sheet name]');
  const [, cls, file] = positionals;
  return withServices(config, async (s) => {
    const r = await s.rosters.import(cls, fs.readFileSync(file), path.basename(file), { dryRun: values['dry-run'] === true, sheet: values.sheet, actor: 'cli' });
    process.stdout.write(`${r.dry_run ? 'dry run: would apply' : 'applied'} sheet "${r.sheet}" (header on row ${r.header_row}): ${r.added} added, ${r.updated} updated, ${r.removed} removed, ${r.total} on the roster${r.changes.consent.length ? `, ${r.changes.consent.length} consent decision(s) recorded` : ''}\n`);
    return 0;
  });
};

/** rollcall export <class> [--session id] <out.xlsx|out.csv> */
export const exportCmd: Command['run'] = async (argv, { config }) => {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { session: { type: 'string' } } });
  if (positionals.length !== 2) throw new UsageError('use: export <class> [--session id] <out.xlsx|out.csv>');
  const [cls, out] = positionals;
  const format = path.extname(out).slice(1).toLowerCase();
  if (format !== 'xlsx' && format !== 'csv') throw new UsageError('the output file must end in .xlsx or .csv');
  return withServices(config, async (s) => {
    const { body } = values.session ? await s.sessions.sessionExport(values.session, format) : await s.sessions.matrixExport(cls, format);
    fs.writeFileSync(out, body);
    process.stdout.write(`wrote ${out} (${body.length} bytes)\n`);
    return 0;
  });
};

/** rollcall keys create <name> | list | revoke <name>: service keys (admin rights, no owner) */
export const keys: Command['run'] = async (argv, { config }) => {
  const [sub, name, ...extra] = argv;
  return withServices(config, async (s) => {
    if (sub === 'create' && name && extra.length === 0) {
      const k = await s.keys.create(name);
      process.stdout.write(`created API key "${k.name}" (shown once, keep it safe):\n${k.key}\n`);
      return 0;
    }
    if (sub === 'list' && !name) {
      const list = await s.keys.list();
      process.stdout.write(table([['name', 'created', 'revoked'], ...list.map((k) => [k.name, k.created_at.toISOString(), k.revoked_at?.toISOString() ?? '-'])]));
      return 0;
    }
    if (sub === 'revoke' && name && extra.length === 0) {
      const ok = await s.keys.revoke(name);
      process.stdout.write(ok ? `revoked "${name}"\n` : `no active key named "${name}"\n`);
      return ok ? 0 : 1;
    }
    throw new UsageError('use: keys create <name> | keys list | keys revoke <name>');
  });
};

/** rollcall erase <student_id>: the student and everything biometric. */
export const erase: Command['run'] = async (argv, { config }) => {
  if (argv.length !== 1) throw new UsageError('use: erase <student_id>');
  return withServices(config, async (s) => {
    await s.students.erase(argv[0], 'cli');
    process.stdout.write(`erased student ${argv[0]}: record, embeddings, face crops and attendance\n`);
    return 0;
  });
};

/** rollcall purge: apply SESSION_RETENTION_DAYS, PHOTO_RETENTION_DAYS and REVIEW_RETENTION_DAYS now (serve does it hourly). */
export const purge: Command['run'] = async (argv, { config }) => {
  if (argv.length !== 0) throw new UsageError('use: purge');
  return withServices(config, async (s) => {
    const r = await s.retention.purge();
    process.stdout.write(`deleted ${r.sessions} session(s) older than ${config.sessionRetentionDays || '∞'} days; blanked ${r.photos} photo(s) older than ${config.photoRetentionDays || '∞'} days; erased ${r.embeddings} unreviewed face embedding(s) older than ${config.reviewRetentionDays} days\n`);
    return 0;
  });
};
