import { unprocessable } from '../errors';
import type { ColumnRef, GridRow, HeaderMap } from './header-match';
import type { RosterProblem, RosterRow } from './types';
import { parseConsentCell } from './consent-cell';

/** Keeps IDs usable as keys and names printable; real ones are far shorter. */
const MAX_ID_LENGTH = 64;
const MAX_NAME_LENGTH = 200;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Reads the students below the header and validates all of them before deciding, so that a
 * teacher gets every problem (with the sheet's own row numbers) in one go, not one per upload.
 */
export function collectRoster(header: HeaderMap, rows: Iterable<GridRow>, maxRows: number, sheet: string): RosterRow[] {
  const at = (cells: string[], ref: ColumnRef | undefined) => (ref ? (cells[ref.index] ?? '') : '');
  const nameColumn = header.name?.label ?? `${header.first?.label} + ${header.last?.label}`;
  const students: RosterRow[] = [];
  const problems: RosterProblem[] = [];
  const firstRowOf = new Map<string, number>();
  let count = 0;

  for (const { row, cells } of rows) {
    if (row <= header.row) continue;
    const studentId = at(cells, header.id);
    const name = at(cells, header.name) || [at(cells, header.first), at(cells, header.last)].filter(Boolean).join(' ');
    const email = at(cells, header.email);
    // Text only in columns we don't read (a notes column, say) is not a student either.
    if (!studentId && !name && !email) continue;
    if (++count > maxRows) {
      throw unprocessable(
        'invalid_roster',
        `The roster has too many rows: more than ${maxRows} students in sheet "${sheet}". Remove extra rows or split the class.`,
      );
    }
    const report = (column: string, problem: string) => problems.push({ row, column, problem });

    if (!studentId) report(header.id.label, 'missing student ID');
    else if (studentId.length > MAX_ID_LENGTH) report(header.id.label, `student ID longer than ${MAX_ID_LENGTH} characters`);
    else if (firstRowOf.has(studentId)) {
      report(header.id.label, `duplicate student ID "${studentId}" (also in row ${firstRowOf.get(studentId)})`);
    } else firstRowOf.set(studentId, row);

    if (!name) report(nameColumn, 'missing name');
    else if (name.length > MAX_NAME_LENGTH) report(nameColumn, `name longer than ${MAX_NAME_LENGTH} characters`);

    if (email && header.email && !EMAIL.test(email)) report(header.email.label, `"${email}" is not an email address`);

    const consentCell = at(cells, header.consent);
    const consent = parseConsentCell(consentCell);
    if (consent === undefined) report(header.consent!.label, `"${consentCell}" is not a consent: write yes or no, or leave it blank`);

    students.push({ row, studentId, name, email: email || null, ...(consent ? { consent } : {}) });
  }

  if (problems.length > 0) {
    const n = problems.length;
    throw unprocessable(
      'invalid_roster',
      `The roster has ${n} problem${n === 1 ? '' : 's'} in sheet "${sheet}"; fix the rows listed and upload it again.`,
      problems,
    );
  }
  if (students.length === 0) {
    throw unprocessable('invalid_roster', `Sheet "${sheet}" has no students below the header in row ${header.row}.`);
  }
  return students;
}
