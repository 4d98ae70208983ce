import request from 'supertest';
import type { Express } from 'express';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { createApp } from '../../src/http/app';
import { createServices, type Services } from '../../src/services/services';
import type { Db } from '../../src/store/db';
import { openDatabase } from '../../src/store/open';
import { FacePipeline } from '../../src/vision/pipeline';
import { API_KEY, auth } from '../helpers/test-app';
import { backend, createTestDb, type TestDb } from '../helpers/test-db';
import { fixturePath } from '../helpers/fixtures';
import { grantConsent } from '../helpers/consent';
import { FaultProxy } from '../helpers/fault-proxy';

// The outage is made with a TCP proxy in front of PostgreSQL; the embedded database has no connection to lose.
const describePostgres = backend === 'postgres' ? describe : describe.skip;

describePostgres('a PostgreSQL outage, through a fault-injecting proxy', () => {
  let t: TestDb;
  let proxy: FaultProxy;
  let db: Db;
  let services: Services;
  let app: Express;
  let classId: string;
  const logged: { level: string; msg: string }[] = [];

  beforeAll(async () => {
    t = await createTestDb();
    const direct = new URL(t.options.databaseUrl!);
    proxy = await FaultProxy.open({ host: direct.hostname, port: Number(direct.port || 5432) });
    const proxied = new URL(direct);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    const log = createLogger('info', (line) => logged.push(JSON.parse(line)));
    const config = loadConfig({ ...process.env, API_KEYS: API_KEY, DATABASE_URL: proxied.toString(), DATA_DIR: t.options.dataDir, RATE_LIMIT_PER_MIN: '0' });
    db = await openDatabase(config, log);
    services = createServices(config, db, await FacePipeline.load(config.modelsDir));
    services.lifecycle.ready();
    app = createApp({ config, log, services });
  });
  afterAll(async () => {
    await db?.close();
    await proxy?.close();
    await t?.cleanup();
  });

  const warnings = () => logged.filter((l) => l.msg === 'database unavailable');

  test('healthy: a class with an enrolled student', async () => {
    expect((await request(app).get('/health')).status).toBe(200);
    expect((await request(app).get('/health/ready')).body).toEqual({ status: 'ready' });
    classId = (await request(app).post('/api/v1/classes').set(auth).send({ code: 'OUT-1', name: 'Outage' }).expect(201)).body.id;
    await request(app).post(`/api/v1/classes/${classId}/roster`).set(auth).attach('file', Buffer.from('Student ID,Name\nS-obama,Barack Obama\nS-biden,Joe Biden\n'), 'roster.csv').expect(200);
    await grantConsent(app, 'S-obama');
    await request(app).post('/api/v1/students/S-obama/faces').set(auth).attach('images', fixturePath('people/obama/obama.jpg')).expect(201);
  });

  test('cut: every request is 503 database_unavailable with Retry-After, warned once; /health names the database', async () => {
    await proxy.cut();
    for (const call of [
      () => request(app).get('/api/v1/classes').set(auth),
      () => request(app).get(`/api/v1/classes/${classId}/sessions`).set(auth),
      () => request(app).post('/api/v1/students').set(auth).send({ student_id: 'S-new', name: 'New' }),
      () => request(app).get('/api/v1/classes').set(auth),
    ]) {
      const res = await call();
      expect({ status: res.status, code: res.body.error?.code, retryAfter: res.headers['retry-after'] }).toEqual({ status: 503, code: 'database_unavailable', retryAfter: '5' });
    }
    const health = await request(app).get('/health');
    expect(health.status).toBe(503);
    expect(health.body.error).toMatchObject({ code: 'database_unavailable', details: { down: ['database'] } });
    expect(health.headers['retry-after']).toBeDefined();
    expect((await request(app).get('/health/ready')).status).toBe(503);
    expect((await request(app).get('/health/live')).body).toEqual({ status: 'ok', phase: 'ready' });
    expect(warnings()).toHaveLength(1);
    expect(logged.filter((l) => l.level === 'error')).toEqual([]);
  });

  test('restored: the pool reconnects by itself and the recovery is logged once', async () => {
    await proxy.restore();
    expect((await request(app).get('/api/v1/classes').set(auth)).status).toBe(200);
    expect((await request(app).get('/health/ready')).status).toBe(200);
    expect(logged.filter((l) => l.msg === 'database available again')).toHaveLength(1);
  });

  test('an outage while a photo is being analysed: 503 after inference, and nothing recorded', async () => {
    const pending = request(app).post('/api/v1/recognitions').set(auth).field('class_id', classId).field('record', 'true').attach('file', fixturePath('group/two_people.jpg')).then((r) => r);
    // The class was looked up before inference began; cut while the models run.
    while (services.queue.depth.running === 0) await new Promise((r) => setTimeout(r, 2));
    await proxy.cut();
    const res = await pending;
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('database_unavailable');
    await proxy.restore();
    expect((await request(app).get(`/api/v1/classes/${classId}/sessions`).set(auth).expect(200)).body).toEqual([]);
    const [{ n }] = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM session_photos');
    expect(n).toBe(0);
    expect(warnings()).toHaveLength(2);
    expect(logged.filter((l) => l.level === 'error')).toEqual([]);
    // And once it is back, the same photo is recorded.
    const ok = await request(app).post('/api/v1/recognitions').set(auth).field('class_id', classId).field('record', 'true').attach('file', fixturePath('group/two_people.jpg')).expect(200);
    expect(ok.body.present.map((p: { student_id: string }) => p.student_id)).toEqual(['S-obama']);
  });
});
