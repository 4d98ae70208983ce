import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Command } from './commands';
import { UsageError, table, withServices } from './open-services';
import { AppError } from '../errors';
import { CLI_ACTOR } from '../services/users';
import type { OneRosterProblem } from '../roster/oneroster/types';

const USAGE = 'use: oneroster import <bundle.zip> [--dry-run]';
const KINDS = ['classes', 'students', 'teachers', 'memberships', 'assignments'] as const;

/** rollcall oneroster import <bundle.zip> [--dry-run]: a counts table, or every problem by file, row and column. */
export const oneroster: Command['run'] = async (argv, { config }) => {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { 'dry-run': { type: 'boolean' } } });
  if (positionals[0] !== 'import' || positionals.length !== 2) throw new UsageError(USAGE);
  const file = positionals[1];
  return withServices(config, async (s) => {
    try {
      const r = await s.oneRoster.import(fs.readFileSync(file), path.basename(file), { dryRun: values['dry-run'] === true, by: CLI_ACTOR });
      process.stdout.write(`${r.dry_run ? 'dry run, nothing changed: would apply' : 'applied'} OneRoster ${r.version} (classes ${r.modes.classes}, users ${r.modes.users}, enrollments ${r.modes.enrollments})\n`);
      process.stdout.write(table([['', 'added', 'updated', 'removed'], ...KINDS.map((k) => [k, r[k].added, r[k].updated, r[k].removed])]));
      process.stdout.write(`ignored (other roles): ${r.ignored.users} users, ${r.ignored.enrollments} enrollments\n`);
      return 0;
    } catch (e) {
      if (!(e instanceof AppError) || e.code !== 'invalid_oneroster') throw e;
      const problems = e.details as OneRosterProblem[];
      process.stderr.write(`rollcall: invalid_oneroster: ${e.message}\n`);
      process.stderr.write(table([['file', 'row', 'column', 'problem'], ...problems.map((p) => [p.file, p.row ?? '-', p.column ?? '-', p.problem])]));
      return 1;
    }
  });
};
