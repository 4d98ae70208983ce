import JSZip from 'jszip';

/**
 * OneRoster CSV bundles made to order, for tests and bench:oneroster: a school of `students`
 * students and `classes` classes, each student in `perStudent` classes, each class with one
 * teacher. Files are header + rows of text, so a test can change a cell, add a column or a row
 * before zipping.
 */
export type Table = string[][];
export type Files = Record<string, Table>;

export interface SchoolOptions {
  students: number;
  classes: number;
  perStudent: number;
  version?: '1.1' | '1.2';
}

const ORG = 'org-1';
const TERM = 'term-1';
const COURSE = 'course-1';

export function makeSchool(o: SchoolOptions): Files {
  const version = o.version ?? '1.1';
  const teachers = Math.max(1, Math.ceil(o.classes / 2));
  const people: { id: string; role: string; given: string; family: string; identifier: string; email: string }[] = [];
  for (let t = 0; t < teachers; t++) people.push({ id: `t-${t}`, role: 'teacher', given: 'Teacher', family: `Number ${t}`, identifier: `T${t}`, email: `teacher${t}@school.example` });
  for (let s = 0; s < o.students; s++) people.push({ id: `s-${s}`, role: 'student', given: 'Student', family: `Number ${s}`, identifier: `S${1000 + s}`, email: '' });
  const enrollments: Table = [['sourcedId', 'status', 'dateLastModified', 'classSourcedId', 'schoolSourcedId', 'userSourcedId', 'role', 'primary', 'beginDate', 'endDate']];
  for (let c = 0; c < o.classes; c++) enrollments.push([`e-t-${c}`, '', '', `c-${c}`, ORG, `t-${c % teachers}`, 'teacher', 'true', '', '']);
  for (let s = 0; s < o.students; s++) {
    // Steps of 13 reach perStudent different classes as long as perStudent * 13 stays below a multiple of classes.
    for (let j = 0; j < o.perStudent; j++) enrollments.push([`e-s-${s}-${j}`, '', '', `c-${(s + j * 13) % o.classes}`, ORG, `s-${s}`, 'student', 'false', '', '']);
  }
  const userHeader = ['sourcedId', 'status', 'dateLastModified', 'enabledUser', ...(version === '1.1' ? ['orgSourcedIds', 'role'] : []), 'username', 'userIds', 'givenName', 'familyName', 'middleName', 'identifier', 'email', 'sms', 'phone', 'agentSourcedIds', 'grades', 'password'];
  const files: Files = {
    'manifest.csv': [
      ['propertyName', 'value'],
      ['manifest.version', '1.0'],
      ['oneroster.version', version],
      ['file.academicSessions', 'bulk'],
      ['file.categories', 'absent'],
      ['file.classes', 'bulk'],
      ['file.classResources', 'absent'],
      ['file.courses', 'bulk'],
      ['file.courseResources', 'absent'],
      ['file.demographics', 'absent'],
      ['file.enrollments', 'bulk'],
      ['file.lineItems', 'absent'],
      ['file.orgs', 'bulk'],
      ['file.resources', 'absent'],
      ['file.results', 'absent'],
      ['file.users', 'bulk'],
      ...(version === '1.2' ? [['file.roles', 'bulk']] : []),
      ['source.systemName', 'Test SIS'],
    ],
    'orgs.csv': [['sourcedId', 'status', 'dateLastModified', 'name', 'type', 'identifier', 'parentSourcedId'], [ORG, '', '', 'Test School', 'school', 'TS', '']],
    'academicSessions.csv': [['sourcedId', 'status', 'dateLastModified', 'title', 'type', 'startDate', 'endDate', 'parentSourcedId', 'schoolYear'], [TERM, '', '', 'Fall', 'term', '2026-09-01', '2026-12-20', '', '2027']],
    'courses.csv': [['sourcedId', 'status', 'dateLastModified', 'schoolYearSourcedId', 'title', 'courseCode', 'grades', 'orgSourcedId', 'subjects', 'subjectCodes'], [COURSE, '', '', TERM, 'Mathematics', 'MATH', '09', ORG, '', '']],
    'classes.csv': [
      ['sourcedId', 'status', 'dateLastModified', 'title', 'grades', 'courseSourcedId', 'classCode', 'classType', 'location', 'schoolSourcedId', 'termSourcedIds', 'subjects', 'subjectCodes', 'periods'],
      ...Array.from({ length: o.classes }, (_, c) => [`c-${c}`, '', '', `Mathematics ${c}`, '09', COURSE, `MATH-${c}`, 'scheduled', '', ORG, TERM, '', '', '']),
    ],
    'users.csv': [
      userHeader,
      ...people.map((p) => [p.id, '', '', 'true', ...(version === '1.1' ? [ORG, p.role] : []), p.identifier.toLowerCase(), '', p.given, p.family, '', p.identifier, p.email, '', '', '', '', '']),
    ],
    'enrollments.csv': enrollments,
  };
  if (version === '1.2') {
    files['roles.csv'] = [['sourcedId', 'status', 'dateLastModified', 'userSourcedId', 'roleType', 'role', 'orgSourcedId', 'userProfileSourcedId', 'beginDate', 'endDate'], ...people.map((p) => [`r-${p.id}`, '', '', p.id, 'primary', p.role, ORG, '', '', ''])];
  }
  return files;
}

/** RFC 4180: fields with commas, quotes or line breaks are quoted; CRLF ends a record. */
export function toCsv(rows: Table): string {
  return rows.map((r) => r.map((c) => (/[",\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')).join('\r\n') + '\r\n';
}

/** The bundle as a zip; `raw` files go in as given (a BOM, a broken file, a stray entry). */
export async function zipBundle(files: Files, raw: Record<string, Buffer | string> = {}): Promise<Buffer> {
  const zip = new JSZip();
  for (const [name, rows] of Object.entries(files)) zip.file(name, toCsv(rows));
  for (const [name, data] of Object.entries(raw)) zip.file(name, data);
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}

/** Sets the manifest's mode of one file (`file.<name>`), e.g. delta or absent. */
export function setMode(files: Files, name: string, mode: 'bulk' | 'delta' | 'absent'): void {
  const row = files['manifest.csv'].find((r) => r[0] === `file.${name}`);
  if (row) row[1] = mode;
  else files['manifest.csv'].push([`file.${name}`, mode]);
}
