import request from 'supertest';
import { auth, createTestApp, type TestApp } from '../helpers/test-app';
import { backend } from '../helpers/test-db';
import { operations } from '../../src/http/openapi';

describe(`HTTP basics on ${backend}`, () => {
  let a: TestApp;
  beforeAll(async () => {
    a = await createTestApp();
  });
  afterAll(() => a.close());

  test('GET /health answers without a key and names the database', async () => {
    const res = await request(a.app).get('/health').expect(200);
    expect(res.body).toMatchObject({ status: 'ok', database: backend, models: { detector: 'yunet_n_dynamic.onnx', embedder: 'fr_feature.onnx' } });
  });

  test('every other route needs a valid key', async () => {
    const none = await request(a.app).get('/api/v1/classes').expect(401);
    expect(none.body.error.code).toBe('unauthorized');
    const wrong = await request(a.app).get('/api/v1/classes').set('X-API-Key', 'not-the-key').expect(401);
    expect(wrong.body.error.code).toBe('unauthorized');
    await request(a.app).get('/api/v1/classes').set('X-API-Key', 'test-key-0123456789abcdef').expect(200);
  });

  test('unknown route → 404 JSON', async () => {
    const res = await request(a.app).get('/api/v1/nothing-here').set(auth).expect(404);
    expect(res.body.error).toMatchObject({ code: 'not_found' });
    expect(typeof res.body.error.message).toBe('string');
  });

  test('malformed JSON → 400 invalid_json', async () => {
    const res = await request(a.app).post('/api/v1/classes').set(auth).set('Content-Type', 'application/json').send('{"code": ').expect(400);
    expect(res.body.error.code).toBe('invalid_json');
  });

  test('classes: create, duplicate code 409, list, show, validation', async () => {
    const created = await request(a.app).post('/api/v1/classes').set(auth).send({ code: 'MATH-101', name: 'Algebra I' }).expect(201);
    expect(created.body).toMatchObject({ code: 'MATH-101', name: 'Algebra I' });
    expect(created.body.id).toMatch(/^[0-9a-f-]{36}$/);
    const dup = await request(a.app).post('/api/v1/classes').set(auth).send({ code: 'MATH-101', name: 'Again' }).expect(409);
    expect(dup.body.error.code).toBe('class_exists');
    const bad = await request(a.app).post('/api/v1/classes').set(auth).send({ name: 'No code' }).expect(400);
    expect(bad.body.error.code).toBe('validation_error');
    const list = await request(a.app).get('/api/v1/classes').set(auth).expect(200);
    expect(list.body.map((c: { code: string }) => c.code)).toEqual(['MATH-101']);
    const one = await request(a.app).get(`/api/v1/classes/${created.body.id}`).set(auth).expect(200);
    expect(one.body).toMatchObject({ id: created.body.id, students: 0 });
    await request(a.app).get('/api/v1/classes/00000000-0000-0000-0000-000000000000').set(auth).expect(404);
  });

  test('students: create, duplicate 409, unknown 404', async () => {
    await request(a.app).post('/api/v1/students').set(auth).send({ student_id: 'S1001', name: 'Ada Lovelace' }).expect(201);
    const dup = await request(a.app).post('/api/v1/students').set(auth).send({ student_id: 'S1001', name: 'Ada' }).expect(409);
    expect(dup.body.error.code).toBe('student_exists');
    const bad = await request(a.app).post('/api/v1/students').set(auth).send({ student_id: 'a/b', name: 'Slash' }).expect(400);
    expect(bad.body.error.code).toBe('validation_error');
    await request(a.app).get('/api/v1/students/NOPE').set(auth).expect(404);
    await request(a.app).delete('/api/v1/students/NOPE').set(auth).expect(404);
  });
});

describe(`every route needs a key on ${backend}`, () => {
  let a: TestApp;
  beforeAll(async () => {
    a = await createTestApp();
  });
  afterAll(() => a.close());

  test('each documented route that is not open answers 401 JSON without a key, or with a wrong one', async () => {
    const ops = operations(a.config).filter((o) => o.access !== 'public');
    expect(ops.length).toBeGreaterThan(15);
    for (const op of ops) {
      // Any value fills a path parameter: the key check comes before the route looks at it.
      const url = op.path.replace(/\{format\}/g, 'xlsx').replace(/\{[^}]+\}/g, 'x1');
      for (const headers of [{}, { 'X-API-Key': 'wrong-key-0123456789' }]) {
        const res = await request(a.app)[op.method](url).set(headers);
        expect([op.method, url, res.status, res.body?.error?.code]).toEqual([op.method, url, 401, 'unauthorized']);
      }
    }
  });
});
