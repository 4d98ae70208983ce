import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import sharp from 'sharp';
import { auth, createTestApp, type TestApp } from '../helpers/test-app';
import { backend } from '../helpers/test-db';
import { grantConsent } from '../helpers/consent';
import { fixturePath, heicPath, readIndex } from '../helpers/fixtures';

const index = readIndex();
const sid = (identity: string) => `S-${identity}`;
const nameOf = (identity: string) => index.identities.find((i) => i.id === identity)!.name;
const enrolFiles = index.files.filter((f) => f.kind === 'enroll');
const queryFiles = index.files.filter((f) => f.kind === 'query' || f.kind === 'group' || f.kind === 'noface');

describe(`enrolment and recognition on ${backend}`, () => {
  let a: TestApp;
  let classId: string;

  beforeAll(async () => {
    a = await createTestApp();
    for (const id of index.identities) {
      await request(a.app).post('/api/v1/students').set(auth).send({ student_id: sid(id.id), name: id.name }).expect(201);
      await grantConsent(a.app, sid(id.id));
    }
    for (const id of index.identities) {
      const req = request(a.app).post(`/api/v1/students/${sid(id.id)}/faces`).set(auth);
      for (const f of enrolFiles.filter((f) => f.identities![0] === id.id)) req.attach('images', fixturePath(f.path));
      const res = await req;
      expect(res.status).toBe(201);
      expect(res.body.results.every((r: { status: string }) => r.status === 'enrolled')).toBe(true);
    }
    // A class of everyone but Joe Biden, to check class scope.
    classId = (await request(a.app).post('/api/v1/classes').set(auth).send({ code: 'FIX-1', name: 'Fixtures' })).body.id;
    await a.t.db.query(
      `INSERT INTO class_members (class_id, student_pk) SELECT $1, id FROM students WHERE student_id <> $2`,
      [classId, sid('biden')],
    );
  });
  afterAll(() => a.close());

  test.each(queryFiles.map((f) => [f.path, f] as const))('%s: the right names and unknown count', async (_p, f) => {
    const res = await request(a.app).post('/api/v1/recognitions').set(auth).attach('file', fixturePath(f.path));
    if (f.notes?.includes('clear 4xx') && res.status !== 200) {
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.body.error.code).toBe('invalid_image');
      return;
    }
    expect(res.status).toBe(200);
    const body = res.body;
    expect(body.faces).toHaveLength(f.face_count!);
    const named = body.present.map((p: { student_id: string }) => p.student_id).sort();
    expect(named).toEqual(f.identities!.map(sid).sort());
    expect(body.unknown_faces).toBe(f.face_count! - f.identities!.length);
    for (const face of body.faces) {
      if (face.status === 'matched') expect(face.student.name).toBe(nameOf(face.student.student_id.slice(2)));
      expect(face.box.width).toBeGreaterThan(0);
      expect(face.landmarks).toHaveLength(5);
    }
    expect(Object.keys(body.timings_ms).sort()).toEqual(['align', 'decode', 'detect', 'embed', 'match', 'total']);
    expect(body.warnings).toEqual([]);
  });

  test('faces shrunk below NAME_MIN_FACE_SIZE are found and counted, never named, and the answer says to send the original', async () => {
    const photo = fs.readFileSync(fixturePath('group/obama_and_biden.jpg'));
    const full = (await request(a.app).post('/api/v1/recognitions').set(auth).attach('file', photo, 'full.jpg').expect(200)).body;
    expect(full.present).toHaveLength(2);
    // As a messaging app would send it: the widest face ends up 3 px under the naming limit.
    const widest = Math.max(...full.faces.map((f: { box: { width: number } }) => f.box.width));
    const factor = (a.config.nameMinFaceSize - 3) / widest;
    const small = await sharp(photo).resize(Math.round(full.image.width * factor)).jpeg({ quality: 80 }).toBuffer();
    const res = await request(a.app).post('/api/v1/recognitions').set(auth).attach('file', small, 'small.jpg').expect(200);
    // Both named people are still found (the third face, a bystander, shrinks to about 10 px).
    expect(res.body.faces.length).toBeGreaterThanOrEqual(2);
    for (const face of res.body.faces) {
      expect(face.box.width).toBeLessThan(a.config.nameMinFaceSize);
      expect(face).toMatchObject({ status: 'unknown', reason: 'too_small', student: null });
    }
    expect(res.body.present).toEqual([]);
    expect(res.body.unknown_faces).toBe(res.body.faces.length);
    expect(res.body.warnings).toEqual([{ code: 'small_faces', message: expect.stringContaining('send the original photo') }]);
    // The classic answer counts them as unknown faces.
    const classic = await request(a.app).post('/recognize_faces').set(auth).attach('file', small, 'small.jpg').expect(200);
    expect(classic.body).toEqual([{ unknown_faces: res.body.faces.length }]);
  });

  test('every supported format of an enrolled face is recognised', async () => {
    for (const f of index.files.filter((x) => x.path.startsWith('formats/'))) {
      const res = await request(a.app).post('/api/v1/recognitions').set(auth).attach('file', fixturePath(f.path));
      expect([f.path, res.status]).toEqual([f.path, 200]);
      expect([f.path, res.body.present.map((p: { student_id: string }) => p.student_id)]).toEqual([f.path, [sid('obama')]]);
    }
  });

  test('a HEIC photo (what iPhones save), stored upright or turned by irot, is recognised', async () => {
    for (const name of ['obama2.heic', 'obama2-irot.heic']) {
      const res = await request(a.app).post('/api/v1/recognitions').set(auth).attach('file', heicPath(name), { filename: name, contentType: 'image/heic' });
      expect([name, res.status]).toEqual([name, 200]);
      expect([name, res.body.image]).toEqual([name, { width: 626, height: 1200 }]);
      expect([name, res.body.present.map((p: { student_id: string }) => p.student_id)]).toEqual([name, [sid('obama')]]);
    }
    const heic = fs.readFileSync(heicPath('obama2.heic'));
    const cut = await request(a.app).post('/api/v1/recognitions').set(auth).attach('file', heic.subarray(0, heic.length >> 1), 'cut.heic');
    expect([cut.status, cut.body.error.code]).toEqual([400, 'invalid_image']);
  });

  test('the classic /recognize_faces keeps its exact shape (multipart and base64 JSON)', async () => {
    const photo = fixturePath('group/obama_and_biden.jpg');
    const multi = await request(a.app).post('/recognize_faces').set(auth).attach('file', photo).expect(200);
    // Named students in student ID order, then the unknown count.
    const expected = [
      { 'Student Name': 'Joe Biden', ID: sid('biden') },
      { 'Student Name': 'Barack Obama', ID: sid('obama') },
      { unknown_faces: 1 },
    ];
    expect(multi.body).toEqual(expected);
    const json = await request(a.app).post('/recognize_faces').set(auth).send({ file: fs.readFileSync(photo).toString('base64') }).expect(200);
    expect(json.body).toEqual(expected);
  });

  test('class scope: a student outside the class is never named, and absent lists the rest', async () => {
    const res = await request(a.app).post('/api/v1/recognitions').set(auth).field('class_id', classId).attach('file', fixturePath('group/two_people.jpg')).expect(200);
    expect(res.body.present.map((p: { student_id: string }) => p.student_id)).toEqual([sid('obama')]);
    expect(res.body.unknown_faces).toBe(1);
    const absent = res.body.absent.map((s: { student_id: string }) => s.student_id).sort();
    expect(absent).toEqual(index.identities.filter((i) => !['obama', 'biden'].includes(i.id)).map((i) => sid(i.id)).sort());
    const unknownClass = await request(a.app).post('/api/v1/recognitions').set(auth).field('class_id', '00000000-0000-0000-0000-000000000000').attach('file', fixturePath('group/two_people.jpg'));
    expect(unknownClass.status).toBe(404);
  });

  test('one student is never given to two faces', async () => {
    // The same face twice side by side: at most one of them may be named.
    const sharp = (await import('sharp')).default;
    const one = await sharp(fixturePath('query/obama1.jpg')).resize({ width: 400 }).toBuffer();
    const meta = await sharp(one).metadata();
    const twice = await sharp({ create: { width: 820, height: meta.height!, channels: 3, background: '#808080' } })
      .composite([{ input: one, left: 0, top: 0 }, { input: one, left: 420, top: 0 }])
      .jpeg()
      .toBuffer();
    const res = await request(a.app).post('/api/v1/recognitions').set(auth).attach('file', twice, 'twice.jpg').expect(200);
    expect(res.body.faces).toHaveLength(2);
    const named = res.body.faces.filter((f: { status: string }) => f.status === 'matched');
    expect(named.length).toBeLessThanOrEqual(1);
    expect(res.body.unknown_faces).toBe(2 - named.length);
  });

  test('?annotate=true answers a JPEG of the photo', async () => {
    const res = await request(a.app).post('/api/v1/recognitions?annotate=true').set(auth).attach('file', fixturePath('group/kit_with_rose.jpg')).expect(200);
    expect(res.headers['content-type']).toBe('image/jpeg');
    const meta = await (await import('sharp')).default(res.body as Buffer).metadata();
    expect(meta.format).toBe('jpeg');
  });

  test.each(index.files.filter((f) => f.kind === 'bad').map((f) => [f.path, f.expect!] as const))('bad input %s → 4xx %s', async (p, expectText) => {
    const res = await request(a.app).post('/api/v1/recognitions').set(auth).attach('file', fixturePath(p), path.basename(p));
    if (res.status === 200) {
      // Only files whose ground truth allows decoding the part present may succeed.
      expect(expectText).toMatch(/decode/);
      return;
    }
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    const allowed = expectText.match(/[a-z_]+_[a-z_]+/g)!;
    expect(allowed).toContain(res.body.error.code);
  });

  test('no file → 400 no_file; wrong field → 400; threshold out of range → 400', async () => {
    expect((await request(a.app).post('/api/v1/recognitions').set(auth).expect(400)).body.error.code).toBe('no_file');
    const wrongField = await request(a.app).post('/api/v1/recognitions').set(auth).attach('photo', fixturePath('query/obama1.jpg'));
    expect(wrongField.status).toBe(400);
    const badThr = await request(a.app).post('/api/v1/recognitions?threshold=7').set(auth).attach('file', fixturePath('query/obama1.jpg'));
    expect(badThr.status).toBe(400);
    expect(badThr.body.error.code).toBe('validation_error');
  });

  test('enrolment rejects with reasons and stores nothing for rejected images', async () => {
    await request(a.app).post('/api/v1/students').set(auth).send({ student_id: 'S-new', name: 'New Person' }).expect(201);
    await grantConsent(a.app, 'S-new');
    const before = await a.t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM face_embeddings');
    const res = await request(a.app)
      .post('/api/v1/students/S-new/faces')
      .set(auth)
      .attach('images', fixturePath('noface/cf_017_0.jpg'))
      .attach('images', fixturePath('group/two_people.jpg'))
      .attach('images', fixturePath('query/obama1.jpg'))
      .attach('images', fixturePath('bad/text.jpg'));
    expect(res.status).toBe(422);
    const reasons = res.body.error.details.results.map((r: { reason: string }) => r.reason);
    expect(reasons).toEqual(['no_face', 'multiple_faces', `looks_like:${sid('obama')}`, 'invalid_image']);
    expect(await a.t.db.query('SELECT count(*)::int AS n FROM face_embeddings')).toEqual(before);
    await request(a.app).post('/api/v1/students/NOPE/faces').set(auth).attach('images', fixturePath('query/obama1.jpg')).expect(404);
  });

  test('deleting a student erases every embedding (checked in SQL)', async () => {
    const [{ n }] = await a.t.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM face_embeddings e JOIN students s ON s.id = e.student_pk WHERE s.student_id = $1',
      [sid('rose_leslie')],
    );
    expect(n).toBeGreaterThan(0);
    const [{ id }] = await a.t.db.query<{ id: string }>('SELECT id FROM students WHERE student_id = $1', [sid('rose_leslie')]);
    await request(a.app).delete(`/api/v1/students/${sid('rose_leslie')}`).set(auth).expect(204);
    expect(await a.t.db.query('SELECT 1 FROM face_embeddings WHERE student_pk = $1', [id])).toHaveLength(0);
    expect(await a.t.db.query('SELECT 1 FROM students WHERE id = $1', [id])).toHaveLength(0);
    const res = await request(a.app).post('/api/v1/recognitions').set(auth).attach('file', fixturePath('group/kit_with_rose.jpg')).expect(200);
    expect(res.body.present.map((p: { student_id: string }) => p.student_id)).toEqual([sid('kit_harington')]);
  });
});
