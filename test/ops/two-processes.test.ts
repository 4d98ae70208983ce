import fs from 'node:fs';
import path from 'node:path';
import { backend, createTestDb, type TestDb } from '../helpers/test-db';
import { fixturePath } from '../helpers/fixtures';
import { startServe, type ServeProcess } from '../helpers/serve-process';

const KEY = 'ops-two-key-0123456789';
const ROUNDS = 3;

async function call(s: ServeProcess, method: string, route: string, body?: FormData | object) {
  const json = body !== undefined && !(body instanceof FormData);
  const res = await fetch(`${s.url}${route}`, {
    method,
    headers: { 'X-API-Key': KEY, ...(json ? { 'Content-Type': 'application/json' } : {}) },
    body: json ? JSON.stringify(body) : (body as FormData | undefined),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const form = (file: string, fields: Record<string, string> = {}, field = 'file') => {
  const f = new FormData();
  f.append(field, new Blob([fs.readFileSync(fixturePath(file))]), path.basename(file));
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  return f;
};

type Row = { student_id: string; status: string; source: string };

// PGlite admits one process per DATA_DIR; sharing a database between processes is what PostgreSQL is for.
(backend === 'postgres' ? describe : describe.skip)('two service processes on one PostgreSQL', () => {
  let t: TestDb;
  let a: ServeProcess;
  let b: ServeProcess;
  let classId: string;
  beforeAll(async () => {
    t = await createTestDb();
    await t.db.close();
    const env = { DATABASE_URL: t.options.databaseUrl!, API_KEYS: KEY, RATE_LIMIT_PER_MIN: '0' };
    [a, b] = await Promise.all([startServe({ ...env, DATA_DIR: `${t.options.dataDir}/a` }), startServe({ ...env, DATA_DIR: `${t.options.dataDir}/b` })]);
    classId = (await call(a, 'POST', '/api/v1/classes', { code: 'TWO-1', name: 'Two' })).body.id as string;
    const roster = new FormData();
    roster.append('file', new Blob(['Student ID,Name\nS-obama,Barack Obama\nS-biden,Joe Biden\nS-kit,Kit Harington\nS-rose,Rose Leslie\n']), 'roster.csv');
    expect((await call(b, 'POST', `/api/v1/classes/${classId}/roster`, roster)).status).toBe(200);
    const faces: [ServeProcess, string, string][] = [
      [a, 'S-obama', 'people/obama/obama.jpg'],
      [b, 'S-biden', 'people/biden/biden.jpg'],
      [a, 'S-kit', 'people/kit_harington/john1.jpeg'],
      [b, 'S-rose', 'people/rose_leslie/img1.jpg'],
    ];
    for (const [s, id] of faces) expect((await call(s, 'POST', `/api/v1/students/${id}/consent`, { state: 'granted' })).status).toBe(200);
    for (const [s, id, photo] of faces) expect((await call(s, 'POST', `/api/v1/students/${id}/faces`, form(photo, {}, 'images'))).status).toBe(201);
  });
  afterAll(async () => {
    for (const s of [a, b]) if (s && s.proc.exitCode === null) s.proc.kill('SIGKILL');
    await t.cleanup();
  });

  test(`photos of one session sent to both at once: attendance is the union (${ROUNDS} sessions)`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      // An empty session first: every roster student absent.
      const opened = await call(a, 'POST', '/api/v1/recognitions', form('noface/cf_017_0.jpg', { class_id: classId, record: 'true' }));
      const session = opened.body.session_id as string;
      // Alternate which process gets which photo, so neither always wins the race.
      const [p, q] = round % 2 ? [b, a] : [a, b];
      const results = await Promise.all([
        call(p, 'POST', `/api/v1/sessions/${session}/photos`, form('group/two_people.jpg')),
        call(q, 'POST', `/api/v1/sessions/${session}/photos`, form('group/kit_with_rose.jpg')),
      ]);
      expect(results.map((r) => r.status)).toEqual([200, 200]);
      for (const s of [a, b]) {
        const seen = (await call(s, 'GET', `/api/v1/sessions/${session}`)).body as { attendance: Row[]; photos: unknown[] };
        expect(seen.attendance.filter((r) => r.status === 'present').map((r) => r.student_id)).toEqual(['S-biden', 'S-kit', 'S-obama', 'S-rose']);
        expect(seen.photos).toHaveLength(3);
      }
    }
  });

  test('a correction made through one process is seen through the other, and kept by a later photo', async () => {
    const session = ((await call(b, 'GET', `/api/v1/classes/${classId}/sessions`)).body as unknown as { id: string }[])[0].id;
    expect((await call(a, 'PATCH', `/api/v1/sessions/${session}/attendance/S-kit`, { status: 'excused', note: 'left early' })).status).toBe(200);
    await call(b, 'POST', `/api/v1/sessions/${session}/photos`, form('group/kit_with_rose.jpg'));
    const kit = ((await call(b, 'GET', `/api/v1/sessions/${session}`)).body.attendance as Row[]).find((r) => r.student_id === 'S-kit');
    expect(kit).toMatchObject({ status: 'excused', source: 'manual' });
    expect(((await call(b, 'GET', `/api/v1/sessions/${session}/attendance/S-kit/history`)).body as unknown as unknown[]).length).toBe(1);
  });
});
