import request from 'supertest';
import { auth, createTestApp, type TestApp } from '../helpers/test-app';
import { backend } from '../helpers/test-db';
import { fixturePath } from '../helpers/fixtures';
import { grantConsent } from '../helpers/consent';

/** The class CSV export: header, then one line per student (quoted cells are not used by these names). */
const csvRows = (text: string) => text.trim().split(/\r?\n/).map((l) => l.split(','));

describe(`attendance insight on ${backend}`, () => {
  let a: TestApp;
  let classId: string;
  beforeAll(async () => {
    a = await createTestApp();
  });
  afterAll(() => a.close());

  test('class stats and student attendance agree with the class export', async () => {
    classId = (await request(a.app).post('/api/v1/classes').set(auth).send({ code: 'INS-1', name: 'Insight' }).expect(201)).body.id;
    const roster = 'Student ID,Name\nI-obama,Barack Obama\nI-biden,Joe Biden\nI-kit,Kit Harington\n';
    await request(a.app).post(`/api/v1/classes/${classId}/roster`).set(auth).attach('file', Buffer.from(roster), 'roster.csv').expect(200);
    await grantConsent(a.app, 'I-obama', 'I-biden');
    await request(a.app).post('/api/v1/students/I-obama/faces').set(auth).attach('images', fixturePath('people/obama/obama.jpg')).expect(201);
    await request(a.app).post('/api/v1/students/I-biden/faces').set(auth).attach('images', fixturePath('people/biden/biden.jpg')).expect(201);
    const take = async (file: string) =>
      (await request(a.app).post('/api/v1/recognitions').set(auth).field('class_id', classId).field('record', 'true').attach('file', fixturePath(file)).expect(200)).body.session_id as string;
    const s1 = await take('group/two_people.jpg');
    const s2 = await take('query/obama1.jpg');
    const s3 = await take('noface/cf_017_0.jpg');
    await request(a.app).patch(`/api/v1/sessions/${s3}/attendance/I-kit`).set(auth).send({ status: 'late' }).expect(200);
    await request(a.app).patch(`/api/v1/sessions/${s2}/attendance/I-biden`).set(auth).send({ status: 'excused' }).expect(200);
    // Spread over three days so that from/to can pick some.
    for (const [id, day] of [[s1, '2026-09-01'], [s2, '2026-09-02'], [s3, '2026-09-03']]) {
      await a.t.db.query(`UPDATE attendance_sessions SET taken_at = $2::timestamptz WHERE id = $1`, [id, `${day}T09:00:00Z`]);
    }

    const stats = (await request(a.app).get(`/api/v1/classes/${classId}/stats`).set(auth).expect(200)).body;
    const csv = csvRows((await request(a.app).get(`/api/v1/classes/${classId}/attendance.csv`).set(auth).expect(200)).text);
    const header = csv[0];
    const col = (name: string) => header.indexOf(name);
    for (const st of stats.students) {
      const line = csv.find((r) => r[0] === st.student_id)!;
      expect({ id: st.student_id, present: st.present, absent: st.absent, late: st.late, excused: st.excused }).toEqual({
        id: st.student_id,
        present: Number(line[col('Present')]),
        absent: Number(line[col('Absent')]),
        late: Number(line[col('Late')]),
        excused: Number(line[col('Excused')]),
      });
      expect(st.rate * 100).toBeCloseTo(Number(line[col('Attendance %')].replace('%', '')), 0);
    }
    expect(stats.students.map((s: { student_id: string; statuses: string[]; chronically_absent: boolean }) => [s.student_id, s.statuses, s.chronically_absent])).toEqual([
      ['I-biden', ['present', 'excused', 'absent'], true],
      ['I-kit', ['absent', 'absent', 'late'], true],
      ['I-obama', ['present', 'present', 'absent'], true],
    ]);
    expect(stats.sessions.map((s: { id: string; rate: number }) => [s.id, s.rate])).toEqual([[s1, 0.6667], [s2, 0.3333], [s3, 0.3333]]);

    const ranged = (await request(a.app).get(`/api/v1/classes/${classId}/stats`).set(auth).query({ from: '2026-09-02', to: '2026-09-02' }).expect(200)).body;
    expect(ranged.sessions.map((s: { id: string }) => s.id)).toEqual([s2]);
    expect(ranged.students.map((s: { statuses: string[] }) => s.statuses)).toEqual([['excused'], ['absent'], ['present']]);

    const obama = (await request(a.app).get('/api/v1/students/I-obama/attendance').set(auth).expect(200)).body;
    const mine = stats.students.find((s: { student_id: string }) => s.student_id === 'I-obama');
    expect(obama.classes).toHaveLength(1);
    expect(obama.classes[0]).toMatchObject({ class_id: classId, present: mine.present, absent: mine.absent, rate: mine.rate, chronically_absent: true });
    expect(obama.classes[0].records.map((r: { status: string }) => r.status)).toEqual(mine.statuses);
  });

  test('bad input', async () => {
    const bad = async (q: Record<string, string>) => (await request(a.app).get(`/api/v1/classes/${classId}/stats`).set(auth).query(q).expect(400)).body.error.code;
    expect(await bad({ from: 'yesterday' })).toBe('validation_error');
    expect(await bad({ from: '2026-09-03', to: '2026-09-01' })).toBe('validation_error');
    await request(a.app).get('/api/v1/classes/NOPE/stats').set(auth).expect(404);
    await request(a.app).get('/api/v1/students/NOPE/attendance').set(auth).expect(404);
  });
});
