import fs from 'node:fs';
import JSZip from 'jszip';
import request from 'supertest';
import { auth, createTestApp, type TestApp } from '../helpers/test-app';
import { backend } from '../helpers/test-db';
import { grantConsent } from '../helpers/consent';
import { fixturePath } from '../helpers/fixtures';
import { groupZipEntries } from '../../src/services/bulk-enrolment';
import { makeZip } from '../roster/helpers';

async function zipOf(files: Record<string, Buffer | string>): Promise<Buffer> {
  const z = new JSZip();
  for (const [name, data] of Object.entries(files)) z.file(name, data);
  return z.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}

describe('zip layout', () => {
  test('groups images by their folder, under an optional top folder, skipping junk', () => {
    const g = groupZipEntries(['class/S1/a.jpg', 'class/S1/b.PNG', 'class/S2/c.jpeg', 'class/S2/d.HEIC', 'class/S2/notes.txt', '__MACOSX/class/S1/._a.jpg', 'class/', 'loose.jpg']);
    expect(Object.fromEntries(g)).toEqual({ S1: ['class/S1/a.jpg', 'class/S1/b.PNG'], S2: ['class/S2/c.jpeg', 'class/S2/d.HEIC'] });
  });
  test.each(['../evil/a.jpg', 'S1/../../a.jpg', '/abs/S1/a.jpg', 'S1\\a.jpg'])('refuses the unsafe path %s', (name) => {
    expect(() => groupZipEntries([name])).toThrow(/unsafe path/);
  });
});

describe(`POST /api/v1/enrolments on ${backend}`, () => {
  let a: TestApp;
  beforeAll(async () => {
    a = await createTestApp({ MAX_ZIP_MB: '5' });
    for (const [id, name] of [['S-obama', 'Barack Obama'], ['S-biden', 'Joe Biden']]) {
      await request(a.app).post('/api/v1/students').set(auth).send({ student_id: id, name }).expect(201);
      await grantConsent(a.app, id);
    }
  });
  afterAll(() => a.close());

  test('enrols each folder as a student and reports per image', async () => {
    const zip = await zipOf({
      'class/S-obama/1.jpg': fs.readFileSync(fixturePath('people/obama/obama.jpg')),
      'class/S-obama/2.jpg': fs.readFileSync(fixturePath('people/obama/obama2.jpg')),
      'class/S-biden/1.jpg': fs.readFileSync(fixturePath('people/biden/biden.jpg')),
      'class/S-biden/none.jpg': fs.readFileSync(fixturePath('noface/cf_017_0.jpg')),
      'class/S-nobody/1.jpg': fs.readFileSync(fixturePath('people/kit_harington/john1.jpeg')),
    });
    const res = await request(a.app).post('/api/v1/enrolments').set(auth).attach('file', zip, 'class.zip').expect(200);
    expect(res.body.enrolled).toBe(3);
    const by = Object.fromEntries(res.body.students.map((s: { student_id: string }) => [s.student_id, s]));
    expect(by['S-obama'].enrolled).toBe(2);
    expect(by['S-biden'].results.map((r: { reason?: string }) => r.reason ?? 'ok')).toEqual(['ok', 'no_face']);
    expect(by['S-nobody'].error.code).toBe('not_found');
    const [{ n }] = await a.t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM face_embeddings');
    expect(n).toBe(3);
  });

  test('a zip bomb, a non-zip and an unsafe path are refused with 4xx and store nothing', async () => {
    const before = await a.t.db.query('SELECT count(*)::int AS n FROM face_embeddings');
    // 20 MB of zeros compresses to ~20 KB but exceeds MAX_ZIP_MB=5 once inflated.
    const bomb = await zipOf({ 'S-obama/zeros.jpg': Buffer.alloc(20 * 1024 * 1024) });
    const b = await request(a.app).post('/api/v1/enrolments').set(auth).attach('file', bomb, 'bomb.zip');
    expect([b.status, b.body.error.code]).toEqual([413, 'zip_too_large']);
    // The same zeros declared as 1 KB: refused as soon as inflating passes what the entry declares.
    const liar = makeZip([{ name: 'S-obama/zeros.jpg', data: Buffer.alloc(20 * 1024 * 1024), declaredSize: 1024 }]);
    const l = await request(a.app).post('/api/v1/enrolments').set(auth).attach('file', liar, 'liar.zip');
    expect([l.status, l.body.error.code]).toEqual([413, 'zip_too_large']);
    const notZip = await request(a.app).post('/api/v1/enrolments').set(auth).attach('file', Buffer.from('hello'), 'x.zip');
    expect([notZip.status, notZip.body.error.code]).toEqual([400, 'invalid_zip']);
    const evil = await zipOf({ '../S-obama/1.jpg': fs.readFileSync(fixturePath('people/obama/obama.jpg')) });
    const e = await request(a.app).post('/api/v1/enrolments').set(auth).attach('file', evil, 'evil.zip');
    expect([e.status, e.body.error.code]).toEqual([400, 'invalid_zip']);
    expect(await a.t.db.query('SELECT count(*)::int AS n FROM face_embeddings')).toEqual(before);
  });
});

describe(`face crops on ${backend}`, () => {
  test('STORE_FACE_CROPS=true keeps a 112×112 JPEG crop with each embedding, erased with the faces', async () => {
    const a = await createTestApp({ STORE_FACE_CROPS: 'true' });
    try {
      await request(a.app).post('/api/v1/students').set(auth).send({ student_id: 'S-crop', name: 'Crop' }).expect(201);
      await grantConsent(a.app, 'S-crop');
      await request(a.app).post('/api/v1/students/S-crop/faces').set(auth).attach('images', fixturePath('people/obama/obama.jpg')).expect(201);
      const [row] = await a.t.db.query<{ crop: Uint8Array }>('SELECT crop FROM face_embeddings');
      const meta = await (await import('sharp')).default(Buffer.from(row.crop)).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 112, 112]);
      await request(a.app).delete('/api/v1/students/S-crop/faces').set(auth).expect(204);
      expect(await a.t.db.query('SELECT 1 FROM face_embeddings')).toHaveLength(0);
    } finally {
      await a.close();
    }
  });
});
