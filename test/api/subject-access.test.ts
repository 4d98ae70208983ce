import JSZip from 'jszip';
import sharp from 'sharp';
import request from 'supertest';
import { API_KEY, auth, createTestApp, type TestApp } from '../helpers/test-app';
import { backend } from '../helpers/test-db';
import { grantConsent } from '../helpers/consent';
import { fixturePath } from '../helpers/fixtures';

const SECOND_KEY = 'second-key-0123456789abcdef';
const second = { Authorization: `Bearer ${SECOND_KEY}` };

/** The answer's bytes, for a binary body supertest would otherwise try to read as text. */
const asBuffer = (res: request.Response, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};

describe(`subject-access export on ${backend}`, () => {
  let a: TestApp;
  let sessionId: string;

  beforeAll(async () => {
    a = await createTestApp({ STORE_FACE_CROPS: 'true', API_KEYS: `${API_KEY},${SECOND_KEY}` });
    const cls = (await request(a.app).post('/api/v1/classes').set(auth).send({ code: 'SAR-1', name: 'Subject access' }).expect(201)).body.id;
    await request(a.app).post(`/api/v1/classes/${cls}/roster`).set(auth).attach('file', Buffer.from('ID,Name,Email\nS-obama,Barack Obama,b@example.org\nS-biden,Joe Biden,\n'), 'r.csv').expect(200);
    await grantConsent(a.app, 'S-obama');
    await request(a.app)
      .post('/api/v1/students/S-obama/faces')
      .set(auth)
      .attach('images', fixturePath('people/obama/obama.jpg'))
      .attach('images', fixturePath('people/obama/obama2.jpg'))
      .expect(201);
    sessionId = (await request(a.app).post('/api/v1/recognitions').set(auth).field('class_id', cls).field('record', 'true').attach('file', fixturePath('query/obama1.jpg')).expect(200)).body.session_id;
    await request(a.app).patch(`/api/v1/sessions/${sessionId}/attendance/S-obama`).set(second).send({ status: 'late', note: 'came at 9:10' }).expect(200);
  });
  afterAll(() => a.close());

  test('a zip of JSON files with everything stored about the student, embeddings and crops included', async () => {
    const res = await request(a.app).get('/api/v1/students/S-obama/export').set(auth).buffer(true).parse(asBuffer).expect(200);
    expect(res.headers['content-type']).toBe('application/zip');
    expect(res.headers['content-disposition']).toBe('attachment; filename="student-S-obama.zip"');
    const zip = await JSZip.loadAsync(res.body as Buffer);
    const read = async (name: string) => JSON.parse(await zip.file(name)!.async('string'));
    const faces = await read('faces.json');
    expect(Object.keys(zip.files).filter((n) => !zip.files[n].dir).sort()).toEqual(
      ['attendance.json', 'audit.json', 'classes.json', 'consent.json', 'detections.json', 'faces.json', 'profile.json', ...faces.map((f: { id: string }) => `faces/${f.id}.jpg`)].sort(),
    );

    expect(await read('profile.json')).toMatchObject({ student_id: 'S-obama', name: 'Barack Obama', email: 'b@example.org', consent: { state: 'granted', recorded_by: 'env-1' }, exported_by: 'env-1' });
    expect(await read('classes.json')).toEqual([{ class_id: expect.any(String), code: 'SAR-1', name: 'Subject access', added_at: expect.any(String) }]);
    expect(await read('consent.json')).toEqual([{ state: 'granted', recorded_at: expect.any(String), recorded_by: 'env-1', source: 'api', note: null }]);

    const [attendance] = await read('attendance.json');
    expect(attendance).toMatchObject({ session_id: sessionId, class_code: 'SAR-1', status: 'late', source: 'manual', note: 'came at 9:10' });
    expect(attendance.corrections).toEqual([
      expect.objectContaining({ actor: 'env-2', action: 'correct_attendance', before: expect.objectContaining({ status: 'present', source: 'auto' }), after: expect.objectContaining({ status: 'late' }) }),
    ]);
    const [detection] = await read('detections.json');
    expect(detection).toMatchObject({ session_id: sessionId, status: 'matched' });
    expect(detection.similarity).toBeGreaterThan(0.4);

    // The embeddings are the stored ones, number for number.
    const stored = await a.t.db.query<{ id: string; embedding: string }>(
      'SELECT e.id::text, e.embedding::text FROM face_embeddings e JOIN students s ON s.id = e.student_pk WHERE s.student_id = $1 ORDER BY e.id',
      ['S-obama'],
    );
    expect(faces.map((f: { id: string; embedding: number[] }) => [f.id, f.embedding])).toEqual(stored.map((r) => [r.id, JSON.parse(r.embedding)]));
    for (const f of faces) {
      expect(f.embedding).toHaveLength(512);
      expect(Math.hypot(...f.embedding)).toBeCloseTo(1, 3);
      expect(f).toMatchObject({ enrolled_at: expect.any(String), crop: `faces/${f.id}.jpg` });
      const meta = await sharp(await zip.file(f.crop)!.async('nodebuffer')).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 112, 112]);
    }
    expect((await read('audit.json')).map((e: { action: string }) => e.action)).toEqual(['record_consent']);
  });

  test('the export is audited; an unknown student is 404', async () => {
    const [last] = await a.t.db.query<{ actor: string; action: string; entity_id: string }>('SELECT actor, action, entity_id FROM audit_log ORDER BY id DESC LIMIT 1');
    expect(last).toEqual({ actor: 'env-1', action: 'export_student', entity_id: 'S-obama' });
    expect((await request(a.app).get('/api/v1/students/NOPE/export').set(auth).expect(404)).body.error.code).toBe('not_found');
  });

  test('a student with nothing recorded exports empty lists, and no crops', async () => {
    const res = await request(a.app).get('/api/v1/students/S-biden/export').set(auth).buffer(true).parse(asBuffer).expect(200);
    const zip = await JSZip.loadAsync(res.body as Buffer);
    expect(JSON.parse(await zip.file('faces.json')!.async('string'))).toEqual([]);
    expect(JSON.parse(await zip.file('consent.json')!.async('string'))).toEqual([]);
    expect(zip.folder('faces')!.file(/./)).toEqual([]);
  });
});

describe(`GET /api/v1/audit on ${backend}`, () => {
  let a: TestApp;
  beforeAll(async () => {
    a = await createTestApp({ API_KEYS: `${API_KEY},${SECOND_KEY}` });
    for (let i = 1; i <= 5; i++) {
      await request(a.app).post('/api/v1/students').set(auth).send({ student_id: `A${i}`, name: `Audit ${i}` }).expect(201);
      await request(a.app).post(`/api/v1/students/A${i}/consent`).set(i % 2 ? auth : second).send({ state: i === 5 ? 'refused' : 'granted' }).expect(200);
    }
    await request(a.app).delete('/api/v1/students/A1').set(second).expect(204);
  });
  afterAll(() => a.close());

  const audit = (query: string) => request(a.app).get(`/api/v1/audit${query}`).set(auth);

  test('newest first, filtered by actor, action, entity and entity_id', async () => {
    const all = (await audit('').expect(200)).body;
    expect(all.next_cursor).toBeNull();
    expect(all.items.map((e: { action: string; entity_id: string }) => `${e.action} ${e.entity_id}`)).toEqual([
      'erase_student A1',
      'record_consent A5',
      'record_consent A4',
      'record_consent A3',
      'record_consent A2',
      'record_consent A1',
    ]);
    expect(all.items[1]).toEqual({ id: expect.any(String), at: expect.any(String), actor: 'env-1', action: 'record_consent', entity: 'student', entity_id: 'A5', before: { state: 'unknown' }, after: { state: 'refused', source: 'api' }, note: null });
    const bySecond = (await audit('?actor=env-2').expect(200)).body.items;
    expect(bySecond.map((e: { action: string; entity_id: string }) => `${e.action} ${e.entity_id}`)).toEqual(['erase_student A1', 'record_consent A4', 'record_consent A2']);
    expect((await audit('?action=record_consent&entity=student&entity_id=A3').expect(200)).body.items).toHaveLength(1);
    expect((await audit('?actor=nobody').expect(200)).body).toEqual({ items: [], next_cursor: null });
  });

  test('pages with a cursor in a stable order, and by time', async () => {
    const all = (await audit('').expect(200)).body.items.map((e: { id: string }) => e.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { id: string }[]; next_cursor: string | null } = (await audit(`?limit=4${cursor ? `&cursor=${cursor}` : ''}`).expect(200)).body;
      expect(page.items.length).toBeLessThanOrEqual(4);
      seen.push(...page.items.map((e) => e.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toEqual(all);

    const [{ at }] = await a.t.db.query<{ at: Date }>('SELECT max(at) AS at FROM audit_log');
    const later = new Date(at.getTime() + 1000).toISOString();
    expect((await audit(`?since=${later}`).expect(200)).body.items).toEqual([]);
    expect((await audit(`?until=${later}`).expect(200)).body.items).toHaveLength(all.length);
    expect((await audit('?until=2000-01-01').expect(200)).body.items).toEqual([]);
  });

  test.each([
    ['?since=yesterday', 'since'],
    ['?until=2026-13-45', 'until'],
    ['?limit=0', 'limit'],
    ['?limit=501', 'limit'],
    ['?limit=2.5', 'limit'],
    ['?cursor=abc', 'cursor'],
    ['?cursor=-1', 'cursor'],
    ['?actor=env-1&actor=env-2', 'actor'],
    ['?entity=', 'entity'],
    ['?who=env-1', 'who'],
  ])('%s is 400 validation_error naming %s', async (query, field) => {
    const res = await audit(query).expect(400);
    expect(res.body.error).toMatchObject({ code: 'validation_error', details: [{ field }] });
  });
});
