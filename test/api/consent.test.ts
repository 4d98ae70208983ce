import fs from 'node:fs';
import JSZip from 'jszip';
import request from 'supertest';
import { auth, createTestApp, type TestApp } from '../helpers/test-app';
import { backend } from '../helpers/test-db';
import { grantConsent } from '../helpers/consent';
import { fixturePath } from '../helpers/fixtures';

const OBAMA = ['people/obama/obama.jpg', 'people/obama/obama2.jpg'];
const BIDEN = ['people/biden/biden.jpg', 'people/biden/biden2.jpg'];
const KIT = ['people/kit_harington/john1.jpeg', 'people/kit_harington/john2.jpeg'];

function enrol(a: TestApp, studentId: string, files: string[]) {
  const req = request(a.app).post(`/api/v1/students/${studentId}/faces`).set(auth);
  for (const f of files) req.attach('images', fixturePath(f));
  return req;
}

const createStudent = (a: TestApp, studentId: string, name: string) =>
  request(a.app).post('/api/v1/students').set(auth).send({ student_id: studentId, name }).expect(201);

async function facesOf(a: TestApp, studentId: string): Promise<{ n: number; crops: number }> {
  const [row] = await a.t.db.query<{ n: number; crops: number }>(
    `SELECT count(*)::int AS n, count(e.crop)::int AS crops FROM face_embeddings e JOIN students s ON s.id = e.student_pk WHERE s.student_id = $1`,
    [studentId],
  );
  return row;
}

const auditOf = (a: TestApp, studentId: string) =>
  a.t.db.query<{ actor: string; action: string; before: unknown; after: unknown; note: string | null }>(
    `SELECT actor, action, before, after, note FROM audit_log WHERE entity = 'student' AND entity_id = $1 ORDER BY id`,
    [studentId],
  );

describe(`biometric consent on ${backend}`, () => {
  let a: TestApp;
  beforeAll(async () => {
    a = await createTestApp({ STORE_FACE_CROPS: 'true' });
  });
  afterAll(() => a.close());

  test('a new student has no consent; POST records it, bad bodies are 400, an unknown student 404', async () => {
    const created = await createStudent(a, 'S-a', 'Barack Obama');
    expect(created.body.consent).toEqual({ state: 'unknown', recorded_at: null, recorded_by: null, note: null });
    for (const body of [{}, { state: 'maybe' }, { state: 'unknown' }, { state: 'granted', note: 'x'.repeat(1001) }]) {
      const bad = await request(a.app).post('/api/v1/students/S-a/consent').set(auth).send(body).expect(400);
      expect(bad.body.error.code).toBe('validation_error');
    }
    expect((await request(a.app).post('/api/v1/students/NOPE/consent').set(auth).send({ state: 'granted' }).expect(404)).body.error.code).toBe('not_found');
    expect(await a.t.db.query('SELECT 1 FROM consent_records')).toHaveLength(0);

    const res = await request(a.app).post('/api/v1/students/S-a/consent').set(auth).send({ state: 'granted', note: 'form signed by a parent' }).expect(200);
    expect(res.body).toEqual({ student_id: 'S-a', state: 'granted', recorded_at: expect.any(String), recorded_by: 'env-1', note: 'form signed by a parent', erased_faces: 0 });
    const shown = (await request(a.app).get('/api/v1/students/S-a').set(auth).expect(200)).body;
    expect(shown.consent).toEqual({ state: 'granted', recorded_at: res.body.recorded_at, recorded_by: 'env-1', note: 'form signed by a parent' });
    expect(await auditOf(a, 'S-a')).toEqual([
      { actor: 'env-1', action: 'record_consent', before: { state: 'unknown' }, after: { state: 'granted', source: 'api' }, note: 'form signed by a parent' },
    ]);
  });

  test('enrolment without granted consent is 409 consent_required and stores nothing, in bulk per student', async () => {
    await createStudent(a, 'S-b', 'Joe Biden');
    const refused = await enrol(a, 'S-b', BIDEN).expect(409);
    expect(refused.body.error).toMatchObject({ code: 'consent_required', details: { student_id: 'S-b', consent: 'unknown' } });
    expect(await facesOf(a, 'S-b')).toEqual({ n: 0, crops: 0 });

    const zip = new JSZip();
    zip.file('S-a/1.jpg', fs.readFileSync(fixturePath(OBAMA[0])));
    zip.file('S-b/1.jpg', fs.readFileSync(fixturePath(BIDEN[0])));
    const bulk = await request(a.app).post('/api/v1/enrolments').set(auth).attach('file', await zip.generateAsync({ type: 'nodebuffer' }), 'faces.zip').expect(200);
    const by = Object.fromEntries(bulk.body.students.map((s: { student_id: string }) => [s.student_id, s]));
    expect(by['S-a'].enrolled).toBe(1);
    expect(by['S-b']).toMatchObject({ enrolled: 0, error: { code: 'consent_required' } });
    expect(await facesOf(a, 'S-b')).toEqual({ n: 0, crops: 0 });
  });

  test('refusing consent erases the embeddings and crops at once, audited; enrolment stays refused', async () => {
    await enrol(a, 'S-a', [OBAMA[1]]).expect(201);
    expect(await facesOf(a, 'S-a')).toEqual({ n: 2, crops: 2 });
    const res = await request(a.app).post('/api/v1/students/S-a/consent').set(auth).send({ state: 'refused', note: 'withdrawn by parent' }).expect(200);
    expect(res.body).toMatchObject({ state: 'refused', erased_faces: 2 });
    expect(await facesOf(a, 'S-a')).toEqual({ n: 0, crops: 0 });
    expect((await auditOf(a, 'S-a')).slice(-2)).toEqual([
      { actor: 'env-1', action: 'record_consent', before: { state: 'granted' }, after: { state: 'refused', source: 'api' }, note: 'withdrawn by parent' },
      { actor: 'env-1', action: 'delete_faces', before: null, after: { erased: 2, reason: 'consent_refused' }, note: null },
    ]);
    const again = await enrol(a, 'S-a', OBAMA).expect(409);
    expect(again.body.error).toMatchObject({ code: 'consent_required', details: { consent: 'refused' } });
    // The history keeps every decision.
    const history = await a.t.db.query<{ state: string }>(
      'SELECT c.state FROM consent_records c JOIN students s ON s.id = c.student_pk WHERE s.student_id = $1 ORDER BY c.id',
      ['S-a'],
    );
    expect(history.map((h) => h.state)).toEqual(['granted', 'refused']);
  });

  test("a roster's Consent column records consent in the import; a bad value is 422 naming row and column, nothing changed", async () => {
    const cls = (await request(a.app).post('/api/v1/classes').set(auth).send({ code: 'CON-1', name: 'Consent' }).expect(201)).body.id;
    const roster = (rows: string) => Buffer.from(`Student ID,Name,Biometric Consent\n${rows}`);
    const bad = await request(a.app)
      .post(`/api/v1/classes/${cls}/roster`)
      .set(auth)
      .attach('file', roster('R1,Joe Biden,yes\nR2,Ann Other,perhaps\n'), 'r.csv')
      .expect(422);
    expect(bad.body.error.code).toBe('invalid_roster');
    expect(bad.body.error.details).toEqual([{ row: 3, column: 'Biometric Consent', problem: expect.stringContaining('"perhaps"') }]);
    expect(await a.t.db.query("SELECT 1 FROM students WHERE student_id IN ('R1', 'R2')")).toHaveLength(0);

    const good = roster('R1,Joe Biden,Y\nR2,Ann Other,no\nR3,Cy Blank,\nR4,Di Granted,GRANTED\nR5,Ed True,true\nR6,Flo False,False\n');
    const dry = await request(a.app).post(`/api/v1/classes/${cls}/roster?dry_run=true`).set(auth).attach('file', good, 'r.csv').expect(200);
    expect(dry.body.changes.consent).toEqual([]);
    expect(await a.t.db.query('SELECT 1 FROM consent_records c JOIN students s ON s.id = c.student_pk WHERE s.student_id = $1', ['R1'])).toHaveLength(0);
    const res = await request(a.app).post(`/api/v1/classes/${cls}/roster`).set(auth).attach('file', good, 'r.csv').expect(200);
    expect(res.body.changes.consent).toEqual([
      { student_id: 'R1', state: 'granted', erased_faces: 0 },
      { student_id: 'R2', state: 'refused', erased_faces: 0 },
      { student_id: 'R4', state: 'granted', erased_faces: 0 },
      { student_id: 'R5', state: 'granted', erased_faces: 0 },
      { student_id: 'R6', state: 'refused', erased_faces: 0 },
    ]);
    const list = (await request(a.app).get(`/api/v1/classes/${cls}/students`).set(auth).expect(200)).body;
    const states = Object.fromEntries(list.map((s: { student_id: string; consent: { state: string; recorded_by: string | null } }) => [s.student_id, s.consent.state]));
    expect(states).toEqual({ R1: 'granted', R2: 'refused', R3: 'unknown', R4: 'granted', R5: 'granted', R6: 'refused' });

    // Importing the same roster again records nothing new; a "no" for an enrolled student erases their faces.
    await enrol(a, 'R1', BIDEN).expect(201);
    const same = await request(a.app).post(`/api/v1/classes/${cls}/roster`).set(auth).attach('file', good, 'r.csv').expect(200);
    expect(same.body.changes.consent).toEqual([]);
    const withdrawn = await request(a.app).post(`/api/v1/classes/${cls}/roster`).set(auth).attach('file', roster('R1,Joe Biden,n\n'), 'r.csv').expect(200);
    expect(withdrawn.body.changes.consent).toEqual([{ student_id: 'R1', state: 'refused', erased_faces: 2 }]);
    expect(await facesOf(a, 'R1')).toEqual({ n: 0, crops: 0 });
    expect((await auditOf(a, 'R1')).map((e) => [e.action, e.after])).toEqual([
      ['record_consent', { state: 'granted', source: 'roster' }],
      ['record_consent', { state: 'refused', source: 'roster' }],
      ['delete_faces', { erased: 2, reason: 'consent_refused' }],
    ]);
  });

  test('a student stored before consent existed (no consent row) reads as unknown and cannot be enrolled', async () => {
    await a.t.db.query("INSERT INTO students (student_id, name) VALUES ('OLD-1', 'Kit Harington')");
    expect((await request(a.app).get('/api/v1/students/OLD-1').set(auth).expect(200)).body.consent.state).toBe('unknown');
    expect((await enrol(a, 'OLD-1', KIT).expect(409)).body.error.code).toBe('consent_required');
  });

  test('absent students say whether they are enrolled, in the recognition and in the session', async () => {
    const cls = (await request(a.app).post('/api/v1/classes').set(auth).send({ code: 'CON-2', name: 'Enrolled' }).expect(201)).body.id;
    await request(a.app).post(`/api/v1/classes/${cls}/roster`).set(auth).attach('file', Buffer.from('ID,Name,Consent\nOLD-1,Kit Harington,yes\nE2,Never Enrolled,yes\nS-b,Joe Biden,yes\n'), 'r.csv').expect(200);
    await enrol(a, 'OLD-1', KIT).expect(201);
    await enrol(a, 'S-b', BIDEN).expect(201);
    const rec = await request(a.app).post('/api/v1/recognitions').set(auth).field('class_id', cls).field('record', 'true').attach('file', fixturePath('query/johnsnow_test1.jpg')).expect(200);
    expect(rec.body.present.map((p: { student_id: string }) => p.student_id)).toEqual(['OLD-1']);
    expect(rec.body.absent).toEqual([
      { student_id: 'E2', name: 'Never Enrolled', enrolled: false },
      { student_id: 'S-b', name: 'Joe Biden', enrolled: true },
    ]);
    const session = (await request(a.app).get(`/api/v1/sessions/${rec.body.session_id}`).set(auth).expect(200)).body;
    expect(session.attendance.map((r: { student_id: string; status: string; enrolled: boolean }) => [r.student_id, r.status, r.enrolled])).toEqual([
      ['E2', 'absent', false],
      ['OLD-1', 'present', true],
      ['S-b', 'absent', true],
    ]);
  });
});

describe(`CONSENT_REQUIRED=false on ${backend}`, () => {
  let a: TestApp;
  beforeAll(async () => {
    a = await createTestApp({ CONSENT_REQUIRED: 'false' });
  });
  afterAll(() => a.close());

  test('a student without recorded consent can be enrolled; a refusal still blocks enrolment', async () => {
    await createStudent(a, 'S-u', 'Barack Obama');
    expect((await enrol(a, 'S-u', OBAMA).expect(201)).body.enrolled).toBe(2);
    await createStudent(a, 'S-r', 'Joe Biden');
    await request(a.app).post('/api/v1/students/S-r/consent').set(auth).send({ state: 'refused' }).expect(200);
    expect((await enrol(a, 'S-r', BIDEN).expect(409)).body.error.code).toBe('consent_required');
    await grantConsent(a.app, 'S-r');
    await enrol(a, 'S-r', BIDEN).expect(201);
  });
});
