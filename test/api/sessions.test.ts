import ExcelJS from 'exceljs';
import request from 'supertest';
import { auth, createTestApp, type TestApp } from '../helpers/test-app';
import { backend } from '../helpers/test-db';
import { grantConsent } from '../helpers/consent';
import { fixturePath, readIndex } from '../helpers/fixtures';

const index = readIndex();

async function rosterXlsx(rows: (string | number | null)[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Class list');
  ws.addRow(['Algebra I — roster 2026']);
  ws.addRow([]);
  ws.addRow(['Student No.', 'Full Name', 'E-mail']);
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const count = async (a: TestApp, table: string) => (await a.t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0].n;

describe(`rosters, sessions and exports on ${backend}`, () => {
  let a: TestApp;
  let classId: string;

  beforeAll(async () => {
    a = await createTestApp();
    classId = (await request(a.app).post('/api/v1/classes').set(auth).send({ code: 'HIST-2', name: 'History' }).expect(201)).body.id;
  });
  afterAll(() => a.close());

  test('roster import: all rows added, IDs kept as text, re-import updates and removes', async () => {
    const file = await rosterXlsx([
      ['00101', 'Barack Obama', 'barack@example.org'],
      ['00102', 'Joe Biden', null],
      ['00103', 'Kit Harington', null],
      ['00104', 'Rose Leslie', null],
    ]);
    const dry = await request(a.app).post(`/api/v1/classes/${classId}/roster?dry_run=true`).set(auth).attach('file', file, 'roster.xlsx').expect(200);
    expect(dry.body).toMatchObject({ dry_run: true, added: 4, total: 4 });
    expect(await count(a, 'students')).toBe(0);
    const res = await request(a.app).post(`/api/v1/classes/${classId}/roster`).set(auth).attach('file', file, 'roster.xlsx').expect(200);
    expect(res.body).toMatchObject({ added: 4, updated: 0, removed: 0, total: 4, header_row: 3 });
    const students = (await request(a.app).get(`/api/v1/classes/${classId}/students`).set(auth).expect(200)).body;
    expect(students.map((s: { student_id: string }) => s.student_id)).toEqual(['00101', '00102', '00103', '00104']);

    const again = await rosterXlsx([
      ['00101', 'Barack H. Obama', null],
      ['00102', 'Joe Biden', null],
      ['00103', 'Kit Harington', null],
      ['00105', 'Extra Student', null],
    ]);
    const r2 = await request(a.app).post(`/api/v1/classes/${classId}/roster`).set(auth).attach('file', again, 'roster.xlsx').expect(200);
    expect(r2.body).toMatchObject({ added: 1, updated: 1, removed: 1, total: 4 });
    expect(r2.body.changes.removed).toEqual(['00104']);
    // Removed from the class, not from the school.
    expect(await count(a, 'students')).toBe(5);
    // Back to the first roster (with the new name kept) for the rest of the tests.
    const restore = await rosterXlsx([
      ['00101', 'Barack Obama', null],
      ['00102', 'Joe Biden', null],
      ['00103', 'Kit Harington', null],
      ['00104', 'Rose Leslie', null],
    ]);
    await request(a.app).post(`/api/v1/classes/${classId}/roster`).set(auth).attach('file', restore, 'roster.xlsx').expect(200);
  });

  test('a bad roster → 422 with row numbers and the database unchanged', async () => {
    const before = [await count(a, 'students'), await count(a, 'class_members')];
    const bad = await rosterXlsx([
      ['00201', 'Ok Person', null],
      [null, 'No Id', null],
      ['00202', null, null],
      ['00201', 'Duplicate Id', null],
    ]);
    const res = await request(a.app).post(`/api/v1/classes/${classId}/roster`).set(auth).attach('file', bad, 'roster.xlsx').expect(422);
    expect(res.body.error.code).toBe('invalid_roster');
    expect(res.body.error.details.map((d: { row: number }) => d.row).sort()).toEqual([5, 6, 7]);
    expect([await count(a, 'students'), await count(a, 'class_members')]).toEqual(before);
    const xls = await request(a.app)
      .post(`/api/v1/classes/${classId}/roster`)
      .set(auth)
      .attach('file', Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0, 0]), 'old.xls')
      .expect(422);
    expect(xls.body.error.message).toMatch(/xlsx/);
    // An ID bound to another name outside this class is reported, never overwritten.
    const other = (await request(a.app).post('/api/v1/classes').set(auth).send({ code: 'OTHER', name: 'Other' })).body.id;
    const clash = await rosterXlsx([['00101', 'Somebody Else', null]]);
    const c = await request(a.app).post(`/api/v1/classes/${other}/roster`).set(auth).attach('file', clash, 'r.xlsx').expect(422);
    expect(c.body.error.details[0]).toMatchObject({ row: 4 });
    expect((await a.t.db.query('SELECT name FROM students WHERE student_id = $1', ['00101']))[0]).toEqual({ name: 'Barack Obama' });
    await request(a.app).post(`/api/v1/classes/${classId}/roster`).set(auth).expect(400);
  });

  test('record a session from two photos, correct it, export it', async () => {
    const ids: Record<string, string> = { obama: '00101', biden: '00102', kit_harington: '00103', rose_leslie: '00104' };
    await grantConsent(a.app, ...Object.values(ids));
    for (const [identity, sid] of Object.entries(ids)) {
      const req = request(a.app).post(`/api/v1/students/${sid}/faces`).set(auth);
      for (const f of index.files.filter((x) => x.kind === 'enroll' && x.identities![0] === identity)) req.attach('images', fixturePath(f.path));
      await req.expect(201);
    }
    const first = await request(a.app)
      .post('/api/v1/recognitions')
      .set(auth)
      .field('class_id', classId)
      .field('record', 'true')
      .attach('file', fixturePath('group/two_people.jpg'))
      .expect(200);
    const sessionId = first.body.session_id;
    expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);
    let s = (await request(a.app).get(`/api/v1/sessions/${sessionId}`).set(auth).expect(200)).body;
    const statuses = () => Object.fromEntries(s.attendance.map((r: { student_id: string; status: string }) => [r.student_id, r.status]));
    expect(statuses()).toEqual({ '00101': 'present', '00102': 'present', '00103': 'absent', '00104': 'absent' });

    // A second photo of the same lesson: Kit and Rose are seen now; Obama and Biden stay present.
    const second = await request(a.app).post(`/api/v1/sessions/${sessionId}/photos`).set(auth).attach('file', fixturePath('group/kit_with_rose.jpg')).expect(200);
    expect(second.body.session_id).toBe(sessionId);
    s = (await request(a.app).get(`/api/v1/sessions/${sessionId}`).set(auth).expect(200)).body;
    expect(statuses()).toEqual({ '00101': 'present', '00102': 'present', '00103': 'present', '00104': 'present' });
    expect(s.photos).toHaveLength(2);
    for (const p of s.photos) expect(p.timings_ms.total).toBeGreaterThan(0);

    const patched = await request(a.app).patch(`/api/v1/sessions/${sessionId}/attendance/00104`).set(auth).send({ status: 'late', note: 'came at 9:10' }).expect(200);
    expect(patched.body).toMatchObject({ status: 'late', source: 'manual' });
    const bad = await request(a.app).patch(`/api/v1/sessions/${sessionId}/attendance/00104`).set(auth).send({ status: 'sleeping' }).expect(400);
    expect(bad.body.error.code).toBe('validation_error');
    await request(a.app).patch(`/api/v1/sessions/${sessionId}/attendance/99999`).set(auth).send({ status: 'late' }).expect(404);
    const history = (await request(a.app).get(`/api/v1/sessions/${sessionId}/attendance/00104/history`).set(auth).expect(200)).body;
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ actor: 'env-1', before: { status: 'present' }, after: { status: 'late' }, note: 'came at 9:10' });

    const list = (await request(a.app).get(`/api/v1/classes/${classId}/sessions`).set(auth).expect(200)).body;
    expect(list).toEqual([expect.objectContaining({ id: sessionId, present: 4, absent: 0, photos: 2 })]);

    const x = await request(a.app).get(`/api/v1/sessions/${sessionId}/attendance.xlsx`).set(auth).buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    }).expect(200);
    expect(x.headers['content-type']).toMatch(/spreadsheetml/);
    expect(x.headers['content-disposition']).toMatch(/HIST-2_\d{4}-\d{2}-\d{2}\.xlsx/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(x.body);
    const ws = wb.worksheets[0];
    const header = (ws.getRow(1).values as unknown[]).slice(1, 7);
    expect(header).toEqual(['Student ID', 'Name', 'Status', 'Similarity', 'Source', 'Time']);
    const rows = [2, 3, 4, 5].map((r) => [ws.getCell(r, 1).value, ws.getCell(r, 3).value]);
    expect(rows).toEqual([['00101', expect.stringMatching(/present/i)], ['00102', expect.stringMatching(/present/i)], ['00103', expect.stringMatching(/present/i)], ['00104', expect.stringMatching(/late/i)]]);

    const csv = await request(a.app).get(`/api/v1/classes/${classId}/attendance.csv`).set(auth).expect(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.text.charCodeAt(0)).toBe(0xfeff);
    expect(csv.text).toMatch(/00104/);
    await request(a.app).get(`/api/v1/sessions/${sessionId}/attendance.pdf`).set(auth).expect(404);
  });

  test('record needs a class; unknown session → 404', async () => {
    const res = await request(a.app).post('/api/v1/recognitions').set(auth).field('record', 'true').attach('file', fixturePath('query/obama1.jpg')).expect(400);
    expect(res.body.error.code).toBe('validation_error');
    await request(a.app).get('/api/v1/sessions/not-a-session').set(auth).expect(404);
    await request(a.app).post('/api/v1/sessions/00000000-0000-0000-0000-000000000000/photos').set(auth).attach('file', fixturePath('query/obama1.jpg')).expect(404);
  });
});
