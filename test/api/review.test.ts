import fs from 'node:fs';
import request from 'supertest';
import { grantConsent } from '../helpers/consent';
import { auth, createTestApp, type TestApp } from '../helpers/test-app';
import { backend } from '../helpers/test-db';
import { fixturePath, readIndex } from '../helpers/fixtures';
import { facesRepo } from '../../src/store/repos/faces';
import { pipelineOptions } from '../../src/config';

interface Detection {
  id: string;
  photo_id: string;
  status: string;
  student_id: string | null;
  candidates: { student_id: string; similarity: number }[];
  learnable: boolean;
  reviewed: boolean;
}

const cosine = (a: Float32Array, b: Float32Array) => {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / Math.sqrt(na * nb);
};

const count = async (a: TestApp, sql: string, params: unknown[] = []) => (await a.t.db.query<{ n: number }>(sql, params))[0].n;

describe(`review of unnamed faces on ${backend}`, () => {
  let a: TestApp;
  const index = readIndex();
  /** Fixture identities with three or more single-face photos: one to enrol, two to review and recognise. */
  const people = index.identities.map((p) => ({
    id: p.id,
    files: index.files.filter((f) => f.kind === 'enroll' || (f.kind === 'query' && f.path.startsWith('query/'))).filter((f) => f.identities?.length === 1 && f.identities[0] === p.id && f.face_count === 1),
  })).filter((p) => p.files.length >= 3);
  let classId: string;

  const embedding = async (file: string) => {
    const pixels = await a.pipeline.run(fs.readFileSync(fixturePath(file)), pipelineOptions(a.config));
    return [...pixels.faces].sort((x, y) => y.box.width - x.box.width)[0];
  };
  const session = async (id: string) => (await request(a.app).get(`/api/v1/sessions/${id}`).set(auth).expect(200)).body as { detections: Detection[]; attendance: { student_id: string; status: string; source: string }[] };
  const review = (sessionId: string, detectionId: string) => request(a.app).post(`/api/v1/sessions/${sessionId}/detections/${detectionId}`).set(auth);
  const record = async (cls: string, file: string, threshold?: number) => {
    const req = request(a.app).post('/api/v1/recognitions').set(auth).field('class_id', cls).field('record', 'true');
    if (threshold !== undefined) req.field('threshold', String(threshold));
    return (await req.attach('file', fixturePath(file)).expect(200)).body;
  };

  beforeAll(async () => {
    a = await createTestApp();
    classId = (await request(a.app).post('/api/v1/classes').set(auth).send({ code: 'REV-1', name: 'Review' }).expect(201)).body.id;
    const roster = `Student ID,Name\n${people.map((p) => `${p.id},${p.id}`).join('\n')}\n`;
    await request(a.app).post(`/api/v1/classes/${classId}/roster`).set(auth).attach('file', Buffer.from(roster), 'roster.csv').expect(200);
  });
  afterAll(() => a.close());

  test('a face unnamed in one photo is named in another photo of the same person once a review has learnt it', async () => {
    // The setup comes from the data. Each person is enrolled with one photo: for one person, the
    // enrolment photo E and photos A and B such that E names neither A nor B at a threshold t,
    // while A would name B. No other student may reach t for B, nor the look-alike guard for A.
    const faces = new Map<string, Awaited<ReturnType<typeof embedding>>>();
    for (const p of people) for (const f of p.files) faces.set(f.path, await embedding(f.path));
    const emb = (file: string) => faces.get(file)!.embedding;
    let best: { person: string; e: string; a: string; b: string; t: number; gap: number } | null = null;
    for (const p of people) {
      const others = people.filter((o) => o.id !== p.id).map((o) => emb(o.files[0].path));
      const rival = (file: string) => Math.max(...others.map((o) => cosine(emb(file), o)));
      for (const { path: e } of p.files) {
        for (const { path: x } of p.files) {
          const fx = faces.get(x)!;
          if (x === e || fx.quality.reasons.length > 0 || fx.box.width < a.config.enrolMinFaceSize || rival(x) >= a.config.matchThreshold) continue;
          for (const { path: y } of p.files) {
            if (y === e || y === x) continue;
            const floor = Math.max(cosine(emb(x), emb(e)), cosine(emb(y), emb(e)), rival(y));
            const gap = cosine(emb(x), emb(y)) - floor;
            if (gap > 0.1 && (!best || gap > best.gap)) best = { person: p.id, e, a: x, b: y, t: floor + gap / 2, gap };
          }
        }
      }
    }
    expect(best).not.toBeNull();
    const { person, e, a: photoA, b: photoB, t } = best!;
    await grantConsent(a.app, ...people.map((p) => p.id));
    for (const p of people) {
      await request(a.app).post(`/api/v1/students/${p.id}/faces`).set(auth).attach('images', fixturePath(p.id === person ? e : p.files[0].path)).expect(201);
    }

    const first = await record(classId, photoA, t);
    expect(first.faces[0].status).not.toBe('matched');
    const before = await request(a.app).post('/api/v1/recognitions').set(auth).field('class_id', classId).field('threshold', String(t)).attach('file', fixturePath(photoB)).expect(200);
    expect(before.body.present.map((s: { student_id: string }) => s.student_id)).not.toContain(person);

    const det = (await session(first.session_id)).detections[0];
    expect(det).toMatchObject({ status: first.faces[0].status, student_id: null, learnable: true, reviewed: false });
    const res = await review(first.session_id, det.id).send({ student_id: person, learn: true }).expect(200);
    expect(res.body).toMatchObject({ learned: true, attendance: { student_id: person, status: 'present', source: 'review' }, detection: { student_id: person, reviewed: true, learnable: false } });
    expect(await count(a, `SELECT count(*)::int AS n FROM face_embeddings e JOIN students s ON s.id = e.student_pk WHERE s.student_id = $1 AND e.source = 'review'`, [person])).toBe(1);
    const after = await session(first.session_id);
    expect(after.attendance.find((r) => r.student_id === person)).toMatchObject({ status: 'present', source: 'review' });
    const history = (await request(a.app).get(`/api/v1/sessions/${first.session_id}/attendance/${person}/history`).set(auth).expect(200)).body;
    expect(history).toEqual([expect.objectContaining({ actor: 'env-1', action: 'review_assign' })]);

    const second = await request(a.app).post(`/api/v1/sessions/${first.session_id}/photos`).set(auth).field('threshold', String(t)).attach('file', fixturePath(photoB)).expect(200);
    expect(second.body.present.map((s: { student_id: string }) => s.student_id)).toContain(person);

    // Erasing the student's faces erases what was learnt too.
    await request(a.app).delete(`/api/v1/students/${person}/faces`).set(auth).expect(204);
    expect(await count(a, `SELECT count(*)::int AS n FROM face_embeddings e JOIN students s ON s.id = e.student_pk WHERE s.student_id = $1`, [person])).toBe(0);
  });

  test('one student per face per photo, dismissal, and bad input answered without changing anything', async () => {
    // A class whose students have no faces: both faces of the photo stay unknown.
    const cls = (await request(a.app).post('/api/v1/classes').set(auth).send({ code: 'REV-2', name: 'Review 2' }).expect(201)).body.id;
    await request(a.app).post(`/api/v1/classes/${cls}/roster`).set(auth).attach('file', Buffer.from('Student ID,Name\nR-1,One\nR-2,Two\n'), 'roster.csv').expect(200);
    await request(a.app).post('/api/v1/students').set(auth).send({ student_id: 'R-out', name: 'Not in class' }).expect(201);
    const r = await record(cls, 'group/two_people.jpg');
    const [d1, d2] = (await session(r.session_id)).detections;
    expect([d1.student_id, d2.student_id]).toEqual([null, null]);

    const snapshot = async () => [
      await count(a, 'SELECT count(*)::int AS n FROM face_embeddings'),
      await count(a, `SELECT count(*)::int AS n FROM attendance_records WHERE session_id = $1 AND status = 'present'`, [r.session_id]),
      await count(a, 'SELECT count(*)::int AS n FROM detections WHERE review IS NOT NULL'),
      await count(a, 'SELECT count(*)::int AS n FROM audit_log'),
    ];
    const unchanged = await snapshot();
    const bad = async (status: number, code: string, sessionId: string, detId: string, body: unknown) => {
      const res = await review(sessionId, detId).send(body as object).expect(status);
      expect(res.body.error.code).toBe(code);
    };
    await bad(400, 'validation_error', r.session_id, d1.id, {});
    await bad(400, 'validation_error', r.session_id, d1.id, { dismiss: true, student_id: 'R-1' });
    await bad(400, 'validation_error', r.session_id, d1.id, { student_id: 'R-1', learn: 'maybe' });
    await bad(400, 'validation_error', r.session_id, d1.id, { student_id: 'R-out' });
    await bad(404, 'not_found', r.session_id, d1.id, { student_id: 'R-nobody' });
    await bad(404, 'not_found', r.session_id, '99999999', { dismiss: true });
    await bad(404, 'not_found', r.session_id, 'abc', { dismiss: true });
    await bad(404, 'not_found', '00000000-0000-0000-0000-000000000000', d1.id, { dismiss: true });
    const otherSession = (await record(cls, 'query/obama1.jpg')).session_id;
    await bad(400, 'validation_error', otherSession, d1.id, { dismiss: true });
    expect(await snapshot()).toEqual([unchanged[0], unchanged[1], unchanged[2], unchanged[3]]);

    await review(r.session_id, d1.id).send({ student_id: 'R-1', learn: false }).expect(200);
    await bad(409, 'already_assigned', r.session_id, d2.id, { student_id: 'R-1' });
    await bad(409, 'already_reviewed', r.session_id, d1.id, { student_id: 'R-2' });
    const dismissed = await review(r.session_id, d2.id).send({ dismiss: true }).expect(200);
    expect(dismissed.body).toMatchObject({ attendance: null, learned: false, detection: { reviewed: true, review: { action: 'dismissed', by: 'env-1' }, learnable: false } });
    await bad(409, 'already_reviewed', r.session_id, d2.id, { dismiss: true });
    // Reviewed faces no longer count as unknown.
    expect(r.unknown_faces).toBe(2);
    expect((await request(a.app).get(`/api/v1/sessions/${r.session_id}`).set(auth).expect(200)).body.unknown_faces).toBe(0);
    const rows = (await session(r.session_id)).attendance;
    expect(rows.map((x) => [x.student_id, x.status, x.source])).toEqual([['R-1', 'present', 'review'], ['R-2', 'absent', 'auto']]);
  });

  test('after REVIEW_RETENTION_DAYS the embedding is gone: naming still works, learning answers 409 embedding_expired', async () => {
    const cls = (await request(a.app).post('/api/v1/classes').set(auth).send({ code: 'REV-3', name: 'Review 3' }).expect(201)).body.id;
    await request(a.app).post(`/api/v1/classes/${cls}/roster`).set(auth).attach('file', Buffer.from('Student ID,Name\nE-1,Expired\n'), 'roster.csv').expect(200);
    const r = await record(cls, 'query/obama1.jpg');
    const [d] = (await session(r.session_id)).detections;
    expect(d.learnable).toBe(true);
    await a.t.db.query(`UPDATE session_photos SET created_at = now() - interval '15 days' WHERE session_id = $1`, [r.session_id]);
    expect((await a.services.retention.purge()).embeddings).toBeGreaterThanOrEqual(1);
    expect((await session(r.session_id)).detections[0].learnable).toBe(false);
    const res = await review(r.session_id, d.id).send({ student_id: 'E-1', learn: true }).expect(409);
    expect(res.body.error.code).toBe('embedding_expired');
    await review(r.session_id, d.id).send({ student_id: 'E-1', learn: false }).expect(200);
  });

  test('REVIEW_RETENTION_DAYS=0 keeps no embedding of an unnamed face', async () => {
    const b = await createTestApp({ REVIEW_RETENTION_DAYS: '0' });
    try {
      const cls = (await request(b.app).post('/api/v1/classes').set(auth).send({ code: 'REV-0', name: 'None kept' }).expect(201)).body.id;
      const r = (await request(b.app).post('/api/v1/recognitions').set(auth).field('class_id', cls).field('record', 'true').attach('file', fixturePath('query/obama1.jpg')).expect(200)).body;
      expect(r.faces[0].status).toBe('unknown');
      expect((await request(b.app).get(`/api/v1/sessions/${r.session_id}`).set(auth).expect(200)).body.detections[0]).toMatchObject({ student_id: null, learnable: false });
      expect(await count(b, 'SELECT count(*)::int AS n FROM detections WHERE embedding IS NOT NULL')).toBe(0);
    } finally {
      await b.close();
    }
  });

  test('learning refuses a face that looks like another student (the enrolment guard)', async () => {
    const cls = (await request(a.app).post('/api/v1/classes').set(auth).send({ code: 'REV-4', name: 'Review 4' }).expect(201)).body.id;
    const obama = people.find((p) => p.id === 'obama')!;
    await request(a.app).post(`/api/v1/classes/${cls}/roster`).set(auth).attach('file', Buffer.from('Student ID,Name\nL-1,Impostor\n'), 'roster.csv').expect(200);
    await grantConsent(a.app, obama.id);
    await request(a.app).post(`/api/v1/students/${obama.id}/faces`).set(auth).attach('images', fixturePath(obama.files[0].path)).expect(201);
    // Obama is not in this class, so his face stays unknown here; naming it L-1 and learning would teach a wrong face.
    const r = await record(cls, obama.files[1].path);
    const [d] = (await session(r.session_id)).detections;
    const faces = await count(a, 'SELECT count(*)::int AS n FROM face_embeddings');
    const res = await review(r.session_id, d.id).send({ student_id: 'L-1', learn: true }).expect(409);
    expect(res.body.error).toMatchObject({ code: 'looks_like', details: { student_id: obama.id } });
    expect(await count(a, 'SELECT count(*)::int AS n FROM face_embeddings')).toBe(faces);
    expect((await session(r.session_id)).detections[0]).toMatchObject({ reviewed: false, learnable: true });
  });

  test('MAX_TEMPLATES keeps the newest: review-learnt templates are dropped first, oldest first', async () => {
    await request(a.app).post('/api/v1/students').set(auth).send({ student_id: 'T-1', name: 'Templates' }).expect(201);
    const [{ id: pk }] = await a.t.db.query<{ id: string }>(`SELECT id FROM students WHERE student_id = 'T-1'`);
    const add = async (source: 'enrolment' | 'review', quality: number) => {
      const v = new Float32Array(512);
      v[Math.round(quality * 100)] = 1;
      await facesRepo.insert(a.t.db, pk, { embedding: v, quality, detectionScore: 0.9, faceWidth: 80, crop: null, source });
    };
    await add('enrolment', 0.1);
    await add('review', 0.2);
    await add('enrolment', 0.3);
    await add('review', 0.4);
    await add('enrolment', 0.5);
    const left = async () => (await a.t.db.query<{ q: number }>('SELECT round(quality::numeric, 1)::float8 AS q FROM face_embeddings WHERE student_pk = $1 ORDER BY id', [pk])).map((r) => r.q);
    expect(await facesRepo.trim(a.t.db, pk, 4)).toBe(1);
    expect(await left()).toEqual([0.1, 0.3, 0.4, 0.5]);
    expect(await facesRepo.trim(a.t.db, pk, 2)).toBe(2);
    expect(await left()).toEqual([0.3, 0.5]);
  });
});
