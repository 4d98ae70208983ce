import request from 'supertest';
import { auth, createTestApp, type TestApp } from '../helpers/test-app';
import { backend } from '../helpers/test-db';
import { fixturePath } from '../helpers/fixtures';

describe(`inference queue on ${backend}`, () => {
  let a: TestApp;
  beforeAll(async () => {
    // One photo at a time and nobody waiting: the second concurrent photo must be refused.
    a = await createTestApp({ INFERENCE_CONCURRENCY: '1', QUEUE_LIMIT: '0' });
  });
  afterAll(() => a.close());

  test('a full queue answers 503 busy with Retry-After, and /health answers during a recognition', async () => {
    const big = fixturePath('people/person_a/001_A.jpg');
    const order: string[] = [];
    const first = request(a.app).post('/api/v1/recognitions').set(auth).attach('file', big).then((r) => {
      order.push('recognition');
      return r;
    });
    // Let the first request reach the queue before the others arrive.
    while (a.services.queue.depth.running === 0) await new Promise((r) => setTimeout(r, 5));
    const [second, health] = await Promise.all([
      request(a.app).post('/api/v1/recognitions').set(auth).attach('file', fixturePath('query/obama1.jpg')),
      request(a.app).get('/health').then((r) => {
        order.push('health');
        return r;
      }),
    ]);
    expect(second.status).toBe(503);
    expect(second.body.error.code).toBe('busy');
    expect(second.headers['retry-after']).toBe('2');
    expect(health.status).toBe(200);
    expect(health.body.queue.running).toBe(1);
    expect((await first).status).toBe(200);
    expect(order).toEqual(['health', 'recognition']);
    expect(a.services.queue.depth).toEqual({ running: 0, waiting: 0 });
  });
});
