import fs from 'node:fs';
import ExcelJS from 'exceljs';
import request from 'supertest';
import { auth, createTestApp, type TestApp } from '../helpers/test-app';
import { backend } from '../helpers/test-db';
import { grantConsent } from '../helpers/consent';
import { fixturePath } from '../helpers/fixtures';
import { prng } from '../helpers/prng';

/** Small real files to mutate: decoding stays cheap, so 200 requests take seconds. */
const SEEDS = ['query/obama-240p.jpg', 'bad/tiny-1x1.png', 'formats/obama.webp', 'bad/truncated.jpg'].map((p) => fs.readFileSync(fixturePath(p)));

/** One of several mutations: random bytes, truncation, bit flips, a splice of two files, a forged header. */
function mutate(rand: () => number, seeds: Buffer[]): Buffer {
  const base = seeds[Math.floor(rand() * seeds.length)];
  const kind = Math.floor(rand() * 5);
  if (kind === 0) return Buffer.from(Array.from({ length: Math.floor(rand() * 4096) }, () => Math.floor(rand() * 256)));
  if (kind === 1) return base.subarray(0, Math.floor(rand() * base.length));
  if (kind === 2) {
    const b = Buffer.from(base);
    for (let i = 0; i < 1 + rand() * 40; i++) b[Math.floor(rand() * b.length)] ^= 1 << Math.floor(rand() * 8);
    return b;
  }
  if (kind === 3) {
    const other = seeds[Math.floor(rand() * seeds.length)];
    return Buffer.concat([base.subarray(0, Math.floor(rand() * base.length)), other.subarray(Math.floor(rand() * other.length))]);
  }
  const b = Buffer.from(base);
  // Forge the dimensions in the header area: the decoder must refuse or cope, never crash.
  for (let i = 0; i < 8; i++) b[Math.min(b.length - 1, 16 + Math.floor(rand() * 16))] = 0xff;
  return b;
}

describe(`fuzz on ${backend}`, () => {
  let a: TestApp;
  let classId: string;
  let rosterSeed: Buffer;

  beforeAll(async () => {
    a = await createTestApp();
    classId = (await request(a.app).post('/api/v1/classes').set(auth).send({ code: 'FUZZ', name: 'Fuzz' })).body.id;
    await request(a.app).post('/api/v1/students').set(auth).send({ student_id: 'F1', name: 'Fuzz One' }).expect(201);
    await grantConsent(a.app, 'F1');
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('R').addRows([['ID', 'Name'], ['F1', 'Fuzz One'], ['F2', 'Fuzz Two']]);
    rosterSeed = Buffer.from(await wb.xlsx.writeBuffer());
  });
  afterAll(() => a.close());

  test('200 random and mutated files: only 2xx/4xx, the server alive, the database consistent', async () => {
    const rand = prng(20261123);
    const statuses = new Map<number, number>();
    for (let i = 0; i < 200; i++) {
      const target = i % 3;
      let res;
      if (target === 0) {
        res = await request(a.app).post('/api/v1/recognitions').set(auth).attach('file', mutate(rand, SEEDS), `f${i}.jpg`);
      } else if (target === 1) {
        res = await request(a.app).post('/api/v1/students/F1/faces').set(auth).attach('images', mutate(rand, SEEDS), `f${i}.jpg`);
      } else {
        res = await request(a.app).post(`/api/v1/classes/${classId}/roster`).set(auth).attach('file', mutate(rand, [rosterSeed]), `r${i}.xlsx`);
      }
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      expect([i, res.status < 500, res.status >= 500 ? res.body : null]).toEqual([i, true, null]);
      if (res.status >= 400) expect(typeof res.body.error?.code).toBe('string');
    }
    // Bad input was really exercised: most mutations must have been refused.
    expect([...statuses].filter(([s]) => s >= 400).reduce((n, [, c]) => n + c, 0)).toBeGreaterThan(50);
    await request(a.app).get('/health').expect(200);
    // Consistency: every embedding belongs to a student, every member to a class, no orphans.
    const orphans = await a.t.db.query<{ n: number }>(
      `SELECT (SELECT count(*) FROM face_embeddings e LEFT JOIN students s ON s.id = e.student_pk WHERE s.id IS NULL)
            + (SELECT count(*) FROM class_members m LEFT JOIN students s ON s.id = m.student_pk WHERE s.id IS NULL) AS n`,
    );
    expect(Number(orphans[0].n)).toBe(0);
    const members = await a.t.db.query<{ student_id: string }>(
      'SELECT s.student_id FROM class_members m JOIN students s ON s.id = m.student_pk WHERE m.class_id = $1 ORDER BY 1',
      [classId],
    );
    // The roster is all or nothing: either never imported or exactly the seed roster.
    expect([[], ['F1', 'F2']]).toContainEqual(members.map((m) => m.student_id));
  });
});
