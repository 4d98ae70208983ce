import request from 'supertest';
import { auth, createTestApp, type TestApp } from '../helpers/test-app';
import { backend } from '../helpers/test-db';
import { makeSchool, setMode, toCsv, zipBundle, type Files } from '../helpers/oneroster-bundle';
import { CLI_ACTOR } from '../../src/services/users';

const post = (a: TestApp, zip: Buffer, query = '') => request(a.app).post(`/api/v1/oneroster${query}`).set(auth).attach('file', zip, 'bundle.zip');

/** Row counts of everything an import may touch: a refused import must leave them all as they were. */
async function tableCounts(a: TestApp) {
  const [r] = await a.t.db.query<Record<string, number>>(
    `SELECT (SELECT count(*)::int FROM classes) AS classes, (SELECT count(*)::int FROM students) AS students,
            (SELECT count(*)::int FROM users) AS users, (SELECT count(*)::int FROM class_members) AS members,
            (SELECT count(*)::int FROM class_teachers) AS teachers, (SELECT count(*)::int FROM audit_log) AS audit`,
  );
  return r;
}

const KINDS = ['classes', 'students', 'teachers', 'memberships', 'assignments'] as const;
type Counts = { added: number; updated: number; removed: number };
/** The answer's counts as [added, updated, removed] per kind. */
const countsOf = (body: Record<string, Counts>) => Object.fromEntries(KINDS.map((k) => [k, [body[k].added, body[k].updated, body[k].removed]]));

describe(`OneRoster import on ${backend}`, () => {
  let a: TestApp;
  beforeAll(async () => {
    a = await createTestApp();
  });
  afterAll(() => a.close());

  test('a school of 2,000 students, 80 classes and 12,000 enrolments imports; importing it again changes nothing', async () => {
    const zip = await zipBundle(makeSchool({ students: 2000, classes: 80, perStudent: 6 }));
    const first = await post(a, zip).expect(200);
    expect(first.body).toMatchObject({ dry_run: false, version: '1.1', modes: { classes: 'bulk', users: 'bulk', enrollments: 'bulk' } });
    expect(countsOf(first.body)).toEqual({ classes: [80, 0, 0], students: [2000, 0, 0], teachers: [40, 0, 0], memberships: [12000, 0, 0], assignments: [80, 0, 0] });
    const roster = await request(a.app).get('/api/v1/classes/MATH-7/students').set(auth).expect(200);
    expect(roster.body).toHaveLength(150);
    expect(roster.body[0]).toMatchObject({ student_id: expect.stringMatching(/^S\d+$/), name: expect.stringMatching(/^Student Number \d+$/) });
    const teacher = await a.services.users.byEmail('teacher7@school.example');
    expect([teacher.role, teacher.password_hash]).toEqual(['teacher', null]);
    expect((await a.services.users.me(teacher.id)).classes?.map((c) => c.code)).toEqual(['MATH-47', 'MATH-7']);
    // Without a password, signing in is refused like any wrong password until SSO or an admin's reset.
    await request(a.app).post('/api/v1/auth/login').send({ email: 'teacher7@school.example', password: 'anything at all here' }).expect(401);

    const before = await tableCounts(a);
    const again = await post(a, zip).expect(200);
    expect(Object.values(countsOf(again.body))).toEqual(KINDS.map(() => [0, 0, 0]));
    expect(await tableCounts(a)).toEqual({ ...before, audit: before.audit + 1 });
  });

  test('quirks of real exports: BOM, quoted commas and line breaks, extra and empty columns, files marked absent', async () => {
    const files = makeSchool({ students: 3, classes: 2, perStudent: 1 });
    prefix(files, 'q-');
    files['classes.csv'][1][3] = 'Algebra, part 1\nSection "A"';
    files['classes.csv'][1][6] = ''; // no classCode: the sourcedId becomes the code
    files['users.csv'][0].push('metadata.nickname');
    for (const r of files['users.csv'].slice(1)) r.push('Nick, "the" one');
    files['users.csv'][2][9] = 'Núñez, Jr.';
    setMode(files, 'courses', 'absent');
    delete files['courses.csv'];
    setMode(files, 'orgs', 'absent'); // sent anyway, broken: a file marked absent is not read
    const users = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(toCsv(files['users.csv']))]);
    const orgs = 'sourcedId,name\n"never closed';
    const { 'users.csv': _, 'orgs.csv': __, ...rest } = files;
    const res = await post(a, await zipBundle(rest, { 'users.csv': users, 'orgs.csv': orgs })).expect(200);
    expect(res.body).toMatchObject({ classes: { added: 2 }, students: { added: 3 }, teachers: { added: 1 }, memberships: { added: 3 } });
    const cls = await request(a.app).get('/api/v1/classes/q-c-0').set(auth).expect(200);
    expect(cls.body).toMatchObject({ code: 'q-c-0', name: 'Algebra, part 1 Section "A"', students: 2 });
    const s = await request(a.app).get('/api/v1/students/q-S1000').set(auth).expect(200);
    expect(s.body).toMatchObject({ name: 'Student Núñez, Jr.', email: null });
  });

  test('a OneRoster 1.2 bundle takes roles from roles.csv; a dry run counts and changes nothing', async () => {
    const files = makeSchool({ students: 4, classes: 2, perStudent: 2, version: '1.2' });
    prefix(files, 'v12-');
    const before = await tableCounts(a);
    const dry = await post(a, await zipBundle(files), '?dry_run=true').expect(200);
    expect(dry.body).toMatchObject({ dry_run: true, version: '1.2', students: { added: 4 }, teachers: { added: 1 }, memberships: { added: 8 }, assignments: { added: 2 } });
    expect(await tableCounts(a)).toEqual(before);
    await post(a, await zipBundle(files)).expect(200);
    expect((await request(a.app).get('/api/v1/classes/v12-MATH-1/students').set(auth).expect(200)).body).toHaveLength(4);
  });

  test('records made by hand are linked, not duplicated; an admin stays admin', async () => {
    const files = makeSchool({ students: 2, classes: 1, perStudent: 1 });
    prefix(files, 'hand-');
    await a.services.classes.create({ code: 'hand-MATH-0', name: 'Old name' });
    await a.services.students.create({ student_id: 'hand-S1000', name: 'Old Name' });
    await a.services.users.create({ email: 'hand-teacher0@school.example', name: 'Head', role: 'admin', password: 'correct horse battery', classes: [] }, CLI_ACTOR);
    const res = await post(a, await zipBundle(files)).expect(200);
    expect(res.body).toMatchObject({ classes: { added: 0, updated: 1 }, students: { added: 1, updated: 1 }, teachers: { added: 0, updated: 1 } });
    const user = await a.services.users.byEmail('hand-teacher0@school.example');
    expect([user.role, user.name, user.password_hash !== null]).toEqual(['admin', 'Teacher Number 0', true]);
    expect((await a.services.classes.show('hand-MATH-0')).name).toBe('Mathematics 0');
  });

  test('bulk drops the enrolments it made that the bundle leaves out; delta honours tobedeleted', async () => {
    const files = makeSchool({ students: 4, classes: 2, perStudent: 1 });
    prefix(files, 'd-');
    await post(a, await zipBundle(files)).expect(200);
    // A membership made by hand is not the import's to remove.
    const extra = await a.services.students.create({ student_id: 'd-manual', name: 'By Hand' });
    await request(a.app).post('/api/v1/classes/d-MATH-0/roster').set(auth).attach('file', Buffer.from('Student ID,Name\nd-manual,By Hand\nd-S1000,Student Number 0\nd-S1002,Student Number 2\n'), 'r.csv').expect(200);
    expect(extra.student_id).toBe('d-manual');

    files['enrollments.csv'] = files['enrollments.csv'].filter((r) => r[0] !== 'd-e-s-2-0');
    const bulk = await post(a, await zipBundle(files)).expect(200);
    expect(bulk.body.memberships).toEqual({ added: 0, updated: 0, removed: 1 });
    const roster = async (code: string) => (await request(a.app).get(`/api/v1/classes/${code}/students`).set(auth).expect(200)).body.map((s: { student_id: string }) => s.student_id);
    expect(await roster('d-MATH-0')).toEqual(['d-S1000', 'd-manual']);

    const delta: Files = {
      'manifest.csv': [['propertyName', 'value'], ['oneroster.version', '1.1'], ['file.classes', 'delta'], ['file.users', 'delta'], ['file.enrollments', 'delta']],
      'classes.csv': [['sourcedId', 'status', 'dateLastModified', 'title', 'courseSourcedId', 'classCode', 'schoolSourcedId'], ['d-c-2', 'active', '2026-12-01T10:00:00Z', 'Physics', 'd-course-1', 'd-PHY', 'd-org-1']],
      'users.csv': [
        ['sourcedId', 'status', 'dateLastModified', 'role', 'givenName', 'familyName', 'identifier', 'email'],
        ['d-s-1', 'active', '2026-12-01T10:00:00Z', 'student', 'Renamed', 'Student', 'd-S1001', ''],
        ['d-s-3', 'tobedeleted', '2026-12-01T10:00:00Z', '', '', '', '', ''],
        ['d-t-0', 'tobedeleted', '2026-12-01T10:00:00Z', '', '', '', '', ''],
      ],
      'enrollments.csv': [
        ['sourcedId', 'status', 'dateLastModified', 'classSourcedId', 'userSourcedId', 'role'],
        ['d-e-s-0-0', 'tobedeleted', '2026-12-01T10:00:00Z', '', '', ''], // nothing but its sourcedId
        ['d-e-new', 'active', '2026-12-01T10:00:00Z', 'd-c-2', 'd-s-1', 'student'],
      ],
    };
    const res = await post(a, await zipBundle(delta)).expect(200);
    expect(res.body.modes).toEqual({ classes: 'delta', users: 'delta', enrollments: 'delta' });
    expect(countsOf(res.body)).toEqual({ classes: [1, 0, 0], students: [0, 1, 1], teachers: [0, 0, 1], memberships: [1, 0, 1], assignments: [0, 0, 2] });
    expect(await roster('d-MATH-0')).toEqual(['d-manual']);
    expect(await roster('d-PHY')).toEqual(['d-S1001']);
    await request(a.app).get('/api/v1/students/d-S1003').set(auth).expect(404);
    expect((await a.services.students.get('d-S1001')).name).toBe('Renamed Student');
    expect((await a.services.users.byEmail('d-teacher0@school.example')).disabled).toBe(true);
  });

  test('a bad bundle answers 422 with every problem by file, row and column, and changes nothing', async () => {
    const files = makeSchool({ students: 3, classes: 2, perStudent: 1 });
    prefix(files, 'bad-');
    files['users.csv'].push([...files['users.csv'][2]]); // a duplicate sourcedId (and student ID)
    files['enrollments.csv'].push(['bad-e-x', '', '', 'bad-c-missing', 'bad-org-1', 'bad-s-0', 'student', '', '', '']);
    files['enrollments.csv'].push(['bad-e-y', '', '', 'bad-c-0', 'bad-org-1', 'bad-s-nobody', 'student', '', '', '']);
    files['enrollments.csv'].push(['bad-e-z', '', '', 'bad-c-0', 'bad-org-1', 'bad-t-0', 'student', '', '', '']);
    files['classes.csv'][1][5] = 'bad-course-nope';
    const before = await tableCounts(a);
    const res = await post(a, await zipBundle(files)).expect(422);
    expect(res.body.error.code).toBe('invalid_oneroster');
    expect(res.body.error.details).toEqual(
      expect.arrayContaining([
        { file: 'users.csv', row: 6, column: 'sourcedId', problem: 'sourcedId "bad-s-0" is also on row 3' },
        { file: 'classes.csv', row: 2, column: 'courseSourcedId', problem: '"bad-course-nope" is not a sourcedId in courses.csv' },
      ]),
    );
    expect(await tableCounts(a)).toEqual(before);

    files['classes.csv'][1][5] = 'bad-course-1';
    files['users.csv'].pop();
    const refs = await post(a, await zipBundle(files)).expect(422);
    expect(refs.body.error.details).toEqual([
      { file: 'enrollments.csv', row: 7, column: 'classSourcedId', problem: 'no class has sourcedId "bad-c-missing" (in classes.csv or from an earlier import)' },
      { file: 'enrollments.csv', row: 8, column: 'userSourcedId', problem: 'no student has sourcedId "bad-s-nobody" (in users.csv or from an earlier import)' },
      { file: 'enrollments.csv', row: 9, column: 'role', problem: 'user "bad-t-0" is not a student' },
    ]);
    expect(await tableCounts(a)).toEqual(before);
  });

  test('not a bundle: not a zip, no manifest, a file the manifest sends missing, a delta row without status', async () => {
    const problemsOf = async (zip: Buffer) => {
      const res = await post(a, zip).expect(422);
      expect(res.body.error.code).toBe('invalid_oneroster');
      return res.body.error.details;
    };
    expect(await problemsOf(Buffer.from('sourcedId,name\n'))).toEqual([{ file: 'bundle.zip', row: null, column: null, problem: expect.stringMatching(/^not a readable zip file/) }]);
    expect(await problemsOf(await zipBundle({ 'users.csv': [['sourcedId']] }))).toEqual([{ file: 'manifest.csv', row: null, column: null, problem: 'manifest.csv is missing: this zip is not a OneRoster CSV bundle' }]);
    const files = makeSchool({ students: 1, classes: 1, perStudent: 1 });
    delete files['users.csv'];
    expect(await problemsOf(await zipBundle(files))).toEqual([{ file: 'manifest.csv', row: 16, column: 'value', problem: 'users.csv is marked bulk but is not in the zip' }]);
    const delta = makeSchool({ students: 1, classes: 1, perStudent: 1 });
    setMode(delta, 'enrollments', 'delta');
    expect(await problemsOf(await zipBundle(delta))).toEqual(
      expect.arrayContaining([{ file: 'enrollments.csv', row: 2, column: 'status', problem: 'a delta file needs a status on every row' }]),
    );
  });

  test('only admins may import', async () => {
    await a.services.users.create({ email: 'plain@school.example', name: 'T', role: 'teacher', password: 'correct horse battery', classes: [] }, CLI_ACTOR);
    const login = await request(a.app).post('/api/v1/auth/login').send({ email: 'plain@school.example', password: 'correct horse battery' }).expect(200);
    const res = await request(a.app)
      .post('/api/v1/oneroster')
      .set({ Cookie: String(login.headers['set-cookie']).split(';')[0], 'X-CSRF-Token': login.body.csrf_token })
      .attach('file', await zipBundle(makeSchool({ students: 1, classes: 1, perStudent: 1 })), 'bundle.zip');
    expect([res.status, res.body.error.code]).toEqual([403, 'forbidden']);
  });
});

/** Gives every sourcedId, code, identifier and email of a school a prefix, so that several schools share one database. */
function prefix(files: Files, p: string): void {
  const idColumns = new Set(['sourcedId', 'classSourcedId', 'userSourcedId', 'schoolSourcedId', 'courseSourcedId', 'termSourcedIds', 'orgSourcedIds', 'orgSourcedId', 'schoolYearSourcedId', 'classCode', 'identifier', 'email']);
  for (const [name, rows] of Object.entries(files)) {
    if (name === 'manifest.csv') continue;
    const cols = rows[0].map((h, i) => (idColumns.has(h) ? i : -1)).filter((i) => i >= 0);
    for (const r of rows.slice(1)) for (const i of cols) if (r[i]) r[i] = `${p}${r[i]}`;
  }
}
