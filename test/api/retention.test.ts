import fs from 'node:fs';
import request from 'supertest';
import { auth, createTestApp, type TestApp } from '../helpers/test-app';
import { backend } from '../helpers/test-db';
import { fixturePath } from '../helpers/fixtures';

describe(`retention on ${backend}`, () => {
  let a: TestApp;
  beforeAll(async () => {
    a = await createTestApp({ STORE_PHOTOS: 'true', SESSION_RETENTION_DAYS: '365', PHOTO_RETENTION_DAYS: '30' });
  });
  afterAll(() => a.close());

  test('old photos are blanked, old sessions deleted, recent ones kept', async () => {
    const cls = (await request(a.app).post('/api/v1/classes').set(auth).send({ code: 'RET-1', name: 'Retention' })).body.id;
    const record = async () =>
      (await request(a.app).post('/api/v1/recognitions').set(auth).field('class_id', cls).field('record', 'true').attach('file', fixturePath('query/obama1.jpg')).expect(200)).body.session_id as string;
    const [old, middle, recent] = [await record(), await record(), await record()];
    expect(await a.t.db.query('SELECT 1 FROM session_photos WHERE photo IS NOT NULL')).toHaveLength(3);
    await a.t.db.query(`UPDATE attendance_sessions SET taken_at = now() - interval '400 days' WHERE id = $1`, [old]);
    await a.t.db.query(`UPDATE session_photos SET created_at = now() - interval '40 days' WHERE session_id = $1`, [middle]);

    // The unnamed face's embedding (kept for review) goes after REVIEW_RETENTION_DAYS (14).
    expect(await a.services.retention.purge()).toEqual({ sessions: 1, photos: 1, embeddings: 1 });
    const kept = await a.t.db.query<{ session_id: string }>(
      'SELECT p.session_id FROM detections d JOIN session_photos p ON p.id = d.photo_id WHERE d.embedding IS NOT NULL',
    );
    expect(kept).toEqual([{ session_id: recent }]);
    const left = await a.t.db.query<{ session_id: string; kept: boolean }>('SELECT session_id, photo IS NOT NULL AS kept FROM session_photos ORDER BY created_at');
    expect(left).toEqual([
      { session_id: middle, kept: false },
      { session_id: recent, kept: true },
    ]);
    await request(a.app).get(`/api/v1/sessions/${old}`).set(auth).expect(404);
    // The review page's crops come from the stored photo while it is kept.
    const photoOf = async (id: string) => (await request(a.app).get(`/api/v1/sessions/${id}`).set(auth).expect(200)).body.photos[0] as { id: string; stored: boolean };
    const stored = await photoOf(recent);
    expect(stored.stored).toBe(true);
    const bytes = await request(a.app).get(`/api/v1/sessions/${recent}/photos/${stored.id}`).set(auth).buffer(true).parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    }).expect(200);
    expect(Buffer.compare(bytes.body as Buffer, fs.readFileSync(fixturePath('query/obama1.jpg')))).toBe(0);
    const blanked = await photoOf(middle);
    expect(blanked.stored).toBe(false);
    await request(a.app).get(`/api/v1/sessions/${middle}/photos/${blanked.id}`).set(auth).expect(404);
    await request(a.app).get(`/api/v1/sessions/${middle}/photos/${stored.id}`).set(auth).expect(404);
    expect(await a.services.retention.purge()).toEqual({ sessions: 0, photos: 0, embeddings: 0 });
  });
});
