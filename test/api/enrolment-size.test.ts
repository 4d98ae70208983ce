import sharp from 'sharp';
import request from 'supertest';
import { auth, createTestApp, type TestApp } from '../helpers/test-app';
import { backend } from '../helpers/test-db';
import { grantConsent } from '../helpers/consent';
import { fixturePath } from '../helpers/fixtures';

/** ENROL_MIN_FACE_SIZE decides alone whether an enrolment face is big enough. */
describe(`enrolment face size on ${backend}`, () => {
  let a: TestApp;
  let small: Buffer;

  beforeAll(async () => {
    a = await createTestApp({ ENROL_MIN_FACE_SIZE: '24' });
    // An enrolment photo scaled down until its face is about 34 px wide: under quality's own 40-px mark.
    const photo = fixturePath('people/obama/obama.jpg');
    const found = await request(a.app).post('/api/v1/recognitions').set(auth).attach('file', photo).expect(200);
    const faceWidth: number = found.body.faces[0].box.width;
    const { width } = await sharp(photo).metadata();
    small = await sharp(photo).resize(Math.round((width * 34) / faceWidth)).jpeg({ quality: 95 }).toBuffer();
    await request(a.app).post('/api/v1/students').set(auth).send({ student_id: 'S-size', name: 'Size Test' }).expect(201);
    await grantConsent(a.app, 'S-size');
  });
  afterAll(() => a.close());

  test('a face above ENROL_MIN_FACE_SIZE is never refused for being small', async () => {
    const found = await request(a.app).post('/api/v1/recognitions').set(auth).attach('file', small, 'small.jpg').expect(200);
    expect(found.body.faces).toHaveLength(1);
    expect(found.body.faces[0].box.width).toBeGreaterThan(24);
    expect(found.body.faces[0].box.width).toBeLessThan(40);

    const res = await request(a.app).post('/api/v1/students/S-size/faces').set(auth).attach('images', small, 'small.jpg');
    const [result] = res.status === 201 ? res.body.results : res.body.error.details.results;
    expect(result.reason ?? null).not.toBe('face_too_small');
    expect(result.message ?? '').not.toMatch(/small/);
    // Its only weakness was its size, so it is enrolled, and its quality score is not zeroed by a 40-px mark.
    expect(res.status).toBe(201);
    expect(result.quality.score).toBeGreaterThan(0);
  });
});
