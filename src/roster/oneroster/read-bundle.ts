import { bundleFiles } from './bundle-files';
import { cell, hasColumn, readCsvTable, type CsvTable } from './csv-table';
import { readManifest } from './manifest';
import { invalidBundle } from './problems';
import type { FileMode, Kind, OneRosterBundle, OneRosterProblem, RosterClass, RosterEnrollment, RosterUser, SourcedRecord } from './types';

/**
 * Reads and checks a OneRoster 1.1 or 1.2 CSV bundle: every file the manifest sends, each row's
 * required values, status and dateLastModified (required in delta files), unique sourcedIds, and
 * references between the files of the bundle. Throws 422 invalid_oneroster listing every problem
 * by file, row and column. Whether enrolments point at known classes and users (in the bundle or
 * from an earlier import) is for the import to check against the database.
 */

interface FileSpec {
  /** Columns that must be in the header and, on rows that are not tobedeleted, hold a value. */
  required: string[];
  /** Column → the file whose sourcedIds it names; checked when that file is sent in bulk. */
  refs?: Record<string, string>;
}

const SPECS: Record<string, FileSpec> = {
  'orgs.csv': { required: ['sourcedId', 'name'], refs: { parentSourcedId: 'orgs.csv' } },
  'academicsessions.csv': { required: ['sourcedId', 'title'], refs: { parentSourcedId: 'academicsessions.csv' } },
  'courses.csv': { required: ['sourcedId', 'title'], refs: { orgSourcedId: 'orgs.csv', schoolYearSourcedId: 'academicsessions.csv' } },
  'classes.csv': {
    required: ['sourcedId', 'title', 'courseSourcedId', 'schoolSourcedId'],
    refs: { courseSourcedId: 'courses.csv', schoolSourcedId: 'orgs.csv', termSourcedIds: 'academicsessions.csv' },
  },
  'users.csv': { required: ['sourcedId', 'givenName', 'familyName'], refs: { orgSourcedIds: 'orgs.csv', primaryOrgSourcedId: 'orgs.csv' } },
  'roles.csv': { required: ['sourcedId', 'userSourcedId', 'role'], refs: { userSourcedId: 'users.csv', orgSourcedId: 'orgs.csv' } },
  'enrollments.csv': { required: ['sourcedId', 'classSourcedId', 'userSourcedId', 'role'], refs: { schoolSourcedId: 'orgs.csv' } },
};

/** The file names as the standard spells them, for messages (the zip's names are compared lower-cased). */
const SPELLING: Record<string, string> = { 'academicsessions.csv': 'academicSessions.csv' };
const spelled = (name: string) => SPELLING[name] ?? name;

interface Row {
  record: SourcedRecord;
  cells: string[];
}

interface ReadFile {
  table: CsvTable;
  mode: FileMode;
  rows: Row[];
}

export async function readOneRosterBundle(zip: Buffer, filename: string, maxUncompressedBytes: number): Promise<OneRosterBundle> {
  const files = await bundleFiles(zip, filename, maxUncompressedBytes);
  const problems: OneRosterProblem[] = [];
  const manifest = readManifest(files, problems);
  if (!manifest) throw invalidBundle(problems);
  const read = new Map<string, ReadFile>();
  for (const [name, spec] of Object.entries(SPECS)) {
    const mode = manifest.modes.get(name) ?? 'absent';
    if (mode === 'absent') continue;
    const required = name === 'users.csv' && manifest.version === '1.1' ? [...spec.required, 'role'] : spec.required;
    const table = readCsvTable(spelled(name), files.get(name)!, problems);
    if (table) read.set(name, { table, mode, rows: readRows(table, mode, required, problems) });
  }
  if (!read.has('classes.csv') && !read.has('users.csv') && !read.has('enrollments.csv')) {
    problems.push({ file: 'manifest.csv', row: null, column: null, problem: 'the bundle sends none of classes.csv, users.csv and enrollments.csv: nothing to import' });
  }
  checkReferences(read, problems);
  if (problems.length > 0) throw invalidBundle(problems);
  const get = (name: string) => read.get(name) ?? null;
  const kinds = roleKinds(get('roles.csv'));
  return {
    version: manifest.version,
    modes: { classes: get('classes.csv')?.mode ?? 'absent', users: get('users.csv')?.mode ?? 'absent', enrollments: get('enrollments.csv')?.mode ?? 'absent' },
    classes: records(get('classes.csv'), (v, r): RosterClass => ({ ...r, title: v('title'), classCode: v('classCode') })),
    users: records(get('users.csv'), (v, r, t): RosterUser => ({
      ...r,
      kind: hasColumn(t, 'role') ? kindOf(v('role')) : (kinds.get(r.sourcedId) ?? null),
      givenName: v('givenName'),
      familyName: v('familyName'),
      identifier: v('identifier'),
      email: v('email'),
    })),
    enrollments: records(get('enrollments.csv'), (v, r): RosterEnrollment => ({ ...r, classSourcedId: v('classSourcedId'), userSourcedId: v('userSourcedId'), kind: kindOf(v('role')) })),
  };
}

function records<T>(file: ReadFile | null, make: (value: (column: string) => string, record: SourcedRecord, table: CsvTable) => T): T[] {
  if (!file) return [];
  return file.rows.map(({ record, cells }) => make((column) => cell(file.table, cells, column), record, file.table));
}

function kindOf(role: string): Kind {
  const r = role.toLowerCase();
  return r === 'student' || r === 'teacher' ? r : 'other';
}

/** OneRoster 1.2 moves the role to roles.csv: a user's primary role, else the first listed. */
function roleKinds(roles: ReadFile | null): Map<string, Kind> {
  const kinds = new Map<string, Kind>();
  for (const { record, cells } of roles?.rows ?? []) {
    if (record.deleted) continue;
    const user = cell(roles!.table, cells, 'userSourcedId');
    const primary = cell(roles!.table, cells, 'roleType').toLowerCase() === 'primary';
    if (primary || !kinds.has(user)) kinds.set(user, kindOf(cell(roles!.table, cells, 'role')));
  }
  return kinds;
}

function readRows(table: CsvTable, mode: FileMode, required: string[], problems: OneRosterProblem[]): Row[] {
  const file = table.file;
  const header = mode === 'delta' ? [...required, 'status', 'dateLastModified'] : required;
  const missing = header.filter((c) => !hasColumn(table, c));
  for (const column of missing) problems.push({ file, row: 1, column, problem: `the header has no ${column} column` });
  if (missing.length > 0) return [];
  const seen = new Map<string, number>();
  const rows: Row[] = [];
  for (const { row, cells } of table.rows) {
    const v = (column: string) => cell(table, cells, column);
    const problem = (column: string, text: string) => problems.push({ file, row, column, problem: text });
    const status = v('status').toLowerCase();
    const deleted = status === 'tobedeleted';
    if (status !== '' && status !== 'active' && !deleted) problem('status', `status must be active or tobedeleted (found "${v('status')}")`);
    if (mode === 'delta' && status === '') problem('status', 'a delta file needs a status on every row');
    const modified = v('dateLastModified');
    if (modified === '' ? mode === 'delta' : Number.isNaN(Date.parse(modified))) problem('dateLastModified', modified === '' ? 'a delta file needs dateLastModified on every row' : `"${modified}" is not a date and time`);
    for (const column of deleted ? ['sourcedId'] : required) if (v(column) === '') problem(column, `${column} is empty`);
    const sourcedId = v('sourcedId');
    const first = seen.get(sourcedId);
    if (sourcedId !== '' && first !== undefined) problem('sourcedId', `sourcedId "${sourcedId}" is also on row ${first}`);
    seen.set(sourcedId, first ?? row);
    rows.push({ record: { sourcedId, row, deleted }, cells });
  }
  return rows;
}

/** A reference into a file sent in bulk must name one of its records (lists are comma-separated). */
function checkReferences(read: Map<string, ReadFile>, problems: OneRosterProblem[]): void {
  const ids = new Map([...read].map(([name, f]) => [name, new Set(f.rows.filter((r) => !r.record.deleted).map((r) => r.record.sourcedId))]));
  for (const [name, file] of read) {
    for (const [column, target] of Object.entries(SPECS[name].refs ?? {})) {
      const known = read.get(target)?.mode === 'bulk' ? ids.get(target)! : null;
      if (!known || !hasColumn(file.table, column)) continue;
      for (const { record, cells } of file.rows) {
        if (record.deleted) continue;
        const refs = cell(file.table, cells, column).split(',').map((s) => s.trim()).filter(Boolean);
        for (const ref of refs) {
          if (!known.has(ref)) problems.push({ file: file.table.file, row: record.row, column, problem: `"${ref}" is not a sourcedId in ${spelled(target)}` });
        }
      }
    }
  }
}
