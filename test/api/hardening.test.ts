import fs from 'node:fs';
import express from 'express';
import request from 'supertest';
import { createApp } from '../../src/http/app';
import { requestTimeout } from '../../src/http/security';
import { createLogger } from '../../src/logger';
import { RateLimits } from '../../src/services/rate-limits';
import { createTestApp, type TestApp } from '../helpers/test-app';
import { backend } from '../helpers/test-db';
import { fixturePath } from '../helpers/fixtures';

const ORIGIN = 'https://school.example';
// One key per test below, so that each has a rate-limit bucket of its own.
const KEYS = ['rate-limit-key-000001', 'rate-limit-key-000002', 'upload-limits-key-0003', 'logging-key-00000004'];
const as = (key: string) => ({ 'X-API-Key': key });

describe(`hardening on ${backend}`, () => {
  let a: TestApp;
  let defaults: express.Express;

  beforeAll(async () => {
    a = await createTestApp({
      API_KEYS: KEYS.join(','),
      CORS_ORIGINS: `${ORIGIN},http://localhost:3000`,
      HSTS_MAX_AGE: '600',
      RATE_LIMIT_PER_MIN: '2',
      MAX_UPLOAD_MB: '1',
      MAX_FILES: '2',
    });
    // The same services with the default CORS and HSTS settings.
    defaults = createApp({ config: { ...a.config, corsOrigins: [], hstsMaxAge: 0 }, log: createLogger('silent'), services: a.services });
  });
  afterAll(() => a.close());

  test('security headers on answers and errors; HSTS only when configured', async () => {
    for (const res of [await request(defaults).get('/health'), await request(defaults).get('/api/v1/classes')]) {
      expect(res.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'referrer-policy': 'no-referrer',
        'cross-origin-resource-policy': 'same-origin',
        'content-security-policy': "default-src 'none';frame-ancestors 'none'",
        'cache-control': 'no-store',
        // What helmet adds to the headers Rollcall used to write itself.
        'cross-origin-opener-policy': 'same-origin',
        'origin-agent-cluster': '?1',
        'x-dns-prefetch-control': 'off',
        'x-permitted-cross-domain-policies': 'none',
        'x-xss-protection': '0',
      });
      expect(res.headers['strict-transport-security']).toBeUndefined();
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
    expect((await request(a.app).get('/health')).headers['strict-transport-security']).toBe('max-age=600');
    // The web page and its assets keep the policy they set for themselves, and revalidate.
    for (const path of ['/', '/web/styles.css']) {
      const page = await request(defaults).get(path).expect(200);
      expect(page.headers['content-security-policy']).toBe(
        "default-src 'none';script-src 'self';style-src 'self';img-src 'self' blob:;media-src mediastream:;connect-src 'self';base-uri 'none';form-action 'none';frame-ancestors 'none'",
      );
      expect(page.headers).toMatchObject({ 'cache-control': 'no-cache', 'x-frame-options': 'DENY', 'x-content-type-options': 'nosniff' });
    }
    // A name that is not an asset falls through to the API's JSON 404, with the API's policy.
    const missing = await request(defaults).get('/web/index.ts').expect(404);
    expect(missing.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
  });

  test('CORS is off by default and allows only the configured origins', async () => {
    const preflight = (app: express.Express, origin: string) =>
      request(app).options('/api/v1/recognitions').set('Origin', origin).set('Access-Control-Request-Method', 'POST').set('Access-Control-Request-Headers', 'authorization');
    const off = await preflight(defaults, ORIGIN);
    expect(off.headers['access-control-allow-origin']).toBeUndefined();
    expect((await request(defaults).get('/health').set('Origin', ORIGIN)).headers['access-control-allow-origin']).toBeUndefined();

    const ok = await preflight(a.app, ORIGIN).expect(204);
    expect(ok.headers).toMatchObject({ 'access-control-allow-origin': ORIGIN, 'access-control-allow-methods': expect.stringContaining('POST') });
    expect(ok.headers['access-control-allow-headers']).toMatch(/Authorization/);
    expect(ok.headers['access-control-allow-credentials']).toBeUndefined();
    const get = await request(a.app).get('/api/v1/classes').set(as(KEYS[0])).set('Origin', ORIGIN).expect(200);
    expect(get.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(get.headers.vary).toMatch(/Origin/);

    const other = await preflight(a.app, 'https://evil.example');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    expect((await request(a.app).get('/health').set('Origin', 'https://evil.example')).headers['access-control-allow-origin']).toBeUndefined();
  });

  test('429 rate_limited with Retry-After once a key has spent its photo requests', async () => {
    // Requests without a photo still spend a token: the limit is checked before the body is read.
    for (let i = 0; i < 2; i++) await request(a.app).post('/api/v1/recognitions').set(as(KEYS[0])).expect(400);
    const limited = await request(a.app).post('/api/v1/students/S1/faces').set(as(KEYS[0])).expect(429);
    expect(limited.body.error.code).toBe('rate_limited');
    const wait = Number(limited.headers['retry-after']);
    expect(Number.isInteger(wait) && wait >= 1 && wait <= 30).toBe(true);
    // Other routes, and other keys, are not affected.
    await request(a.app).get('/api/v1/classes').set(as(KEYS[0])).expect(200);
    await request(a.app).post('/recognize_faces').set(as(KEYS[1])).expect(400);
  });

  test('one bucket per key across processes: concurrent takes never overspend', async () => {
    // Two limiters on one database stand for two app processes behind a load balancer.
    const processes = [new RateLimits(a.t.db, 3), new RateLimits(a.t.db, 3)];
    const waits = await Promise.all(Array.from({ length: 6 }, (_, i) => processes[i % 2].take('key:shared')));
    expect(waits.filter((w) => w === 0)).toHaveLength(3);
    expect(waits.filter((w) => w > 0).every((w) => w <= 20)).toBe(true);
  });

  test('size and count limits: 413 payload_too_large, 413 file_too_large, 400 too_many_files', async () => {
    const key = as(KEYS[2]);
    const bigJson = await request(a.app).post('/api/v1/classes').set(key).send({ code: 'BIG', name: 'x'.repeat(150_000) }).expect(413);
    expect(bigJson.body.error.code).toBe('payload_too_large');
    // A photo route takes base64 up to MAX_UPLOAD_MB (1 MB here), and no more.
    const bigPhotoJson = await request(a.app).post('/api/v1/recognitions').set(key).send({ image: 'A'.repeat(1_600_000) }).expect(413);
    expect(bigPhotoJson.body.error.code).toBe('payload_too_large');
    const bigFile = await request(a.app).post('/api/v1/recognitions').set(as(KEYS[1])).attach('file', Buffer.alloc(1_100_000), 'big.jpg').expect(413);
    expect(bigFile.body.error.code).toBe('file_too_large');
    const many = request(a.app).post('/api/v1/students/S1/faces').set(key);
    for (let i = 0; i < 3; i++) many.attach('images', Buffer.from('x'), `${i}.jpg`);
    expect((await many.expect(400)).body.error.code).toBe('too_many_files');
  });

  test('logs carry no API keys and no image data', async () => {
    const lines: string[] = [];
    const app = createApp({ config: a.config, log: createLogger('debug', (line) => lines.push(line)), services: a.services });
    const base64 = fs.readFileSync(fixturePath('noface/cf_017_0.jpg')).toString('base64');
    await request(app).post('/recognize_faces').set('Authorization', `Bearer ${KEYS[3]}`).send({ file: base64 }).expect(200);
    await request(app).get(`/api/v1/classes?api_key=${KEYS[3]}`).set(as(KEYS[3])).expect(200);
    await request(app).get('/api/v1/classes').set('Authorization', 'Bearer not-a-key-but-secret-ish').expect(401);
    expect(lines).toHaveLength(3);
    expect(lines.map((l) => JSON.parse(l).actor)).toEqual(['env-4', 'env-4', undefined]);
    for (const line of lines) {
      for (const secret of [KEYS[3], 'not-a-key-but-secret-ish', base64.slice(0, 32), base64.slice(5000, 5032)]) expect(line).not.toContain(secret);
    }
  });
});

describe('request timeout', () => {
  test('503 timeout when a route takes too long; its late answer goes nowhere', async () => {
    let late: unknown = 'not yet';
    const app = express();
    app.use(requestTimeout(50));
    app.get('/slow', (_req, res) => {
      setTimeout(() => {
        try {
          res.json({ too: 'late' });
          late = 'ignored';
        } catch (e) {
          late = e;
        }
      }, 150);
    });
    app.get('/fast', (_req, res) => {
      res.json({ ok: true });
    });
    const res = await request(app).get('/slow').expect(503);
    expect(res.body.error.code).toBe('timeout');
    await new Promise((r) => setTimeout(r, 200));
    expect(late).toBe('ignored');
    await request(app).get('/fast').expect(200, { ok: true });
  });
});
