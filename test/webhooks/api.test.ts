import request from 'supertest';
import { createApp } from '../../src/http/app';
import { openApiDocument } from '../../src/http/openapi';
import { createLogger } from '../../src/logger';
import { WebhookDeliverer } from '../../src/services/webhook-delivery';
import { WebhooksService } from '../../src/services/webhooks';
import { auth, createTestApp, type TestApp } from '../helpers/test-app';
import { backend } from '../helpers/test-db';
import { fixturePath } from '../helpers/fixtures';
import { schemaErrors, type Schema } from '../helpers/schema-check';
import { verifyRollcallSignature } from '../helpers/webhook-verify';
import { startReceiver, until, type Receiver } from '../helpers/webhook-receiver';

const SECRET = 'whsec_known_test_secret_123456';
const silent = createLogger('silent');

const verifies = (r: { headers: Record<string, unknown>; body: string }, secret = SECRET) =>
  verifyRollcallSignature(secret, r.body, String(r.headers['x-rollcall-signature']));

describe(`webhooks on ${backend}`, () => {
  let a: TestApp;
  let deliverer: WebhookDeliverer;
  let receivers: Receiver[] = [];
  let doc: ReturnType<typeof openApiDocument>;
  const conforms = (name: string, value: unknown) => expect(schemaErrors(doc.components.schemas[name as keyof typeof doc.components.schemas] as Schema, value, doc)).toEqual([]);

  const receiver = async (...args: Parameters<typeof startReceiver>) => {
    const r = await startReceiver(...args);
    receivers.push(r);
    return r;
  };
  const register = async (url: string, events = ['student.erased'], secret: string | null = SECRET) =>
    (await request(a.app).post('/api/v1/webhooks').set(auth).send({ url, events, ...(secret ? { secret } : {}) }).expect(201)).body;
  let n = 0;
  /** A student created and erased: one student.erased event. */
  const eraseAStudent = async () => {
    const id = `W${++n}`;
    await request(a.app).post('/api/v1/students').set(auth).send({ student_id: id, name: 'Webhook Test' }).expect(201);
    await request(a.app).delete(`/api/v1/students/${id}`).set(auth).expect(204);
    return id;
  };
  const deliveries = async (id: string) => (await request(a.app).get(`/api/v1/webhooks/${id}/deliveries`).set(auth).expect(200)).body;
  const count = async (table: string) => (await a.t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0].n;

  beforeAll(async () => {
    a = await createTestApp({ WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_RETRY_BASE_MS: '50', WEBHOOK_TIMEOUT_MS: '500', WEBHOOK_POLL_MS: '20' });
    doc = openApiDocument(a.config);
    deliverer = new WebhookDeliverer(a.t.db, a.config, silent);
    deliverer.start();
  });
  afterEach(async () => {
    await a.t.db.query('DELETE FROM webhooks');
    await a.t.db.query('DELETE FROM webhook_events');
    await Promise.all(receivers.map((r) => r.close()));
    receivers = [];
  });
  afterAll(async () => {
    await deliverer.stop();
    await a.close();
  });

  test('admin routes: create (secret shown once), list, pause, resume, delete', async () => {
    const created = await register('http://127.0.0.1:9/hook', ['student.erased', 'session.recorded'], null);
    conforms('CreatedWebhook', created);
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(created).toMatchObject({ url: 'http://127.0.0.1:9/hook', events: ['student.erased', 'session.recorded'], paused: false });
    const list = (await request(a.app).get('/api/v1/webhooks').set(auth).expect(200)).body;
    expect(list).toHaveLength(1);
    conforms('Webhook', list[0]);
    expect(JSON.stringify(list)).not.toContain(created.secret);
    const paused = (await request(a.app).patch(`/api/v1/webhooks/${created.id}`).set(auth).send({ paused: true }).expect(200)).body;
    expect(paused.paused).toBe(true);
    expect((await request(a.app).patch(`/api/v1/webhooks/${created.id}`).set(auth).send({ paused: false }).expect(200)).body.paused).toBe(false);
    expect((await request(a.app).patch(`/api/v1/webhooks/${created.id}`).set(auth).send({ paused: 'yes' }).expect(400)).body.error.code).toBe('validation_error');
    await request(a.app).delete(`/api/v1/webhooks/${created.id}`).set(auth).expect(204);
    expect((await request(a.app).get('/api/v1/webhooks').set(auth).expect(200)).body).toEqual([]);
    for (const [method, path] of [
      ['delete', `/api/v1/webhooks/${created.id}`],
      ['patch', '/api/v1/webhooks/not-a-uuid'],
      ['get', '/api/v1/webhooks/00000000-0000-0000-0000-000000000000/deliveries'],
    ] as const) {
      const res = await request(a.app)[method](path).set(auth).send({ paused: true }).expect(404);
      expect(res.body.error.code).toBe('not_found');
    }
    await request(a.app).get('/api/v1/webhooks').expect(401);
  });

  test('bad registrations → 400 validation_error naming the field, nothing stored', async () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ events: ['student.erased'] }, 'url', 'missing'],
      [{ url: 'ftp://example.org/x', events: ['student.erased'] }, 'url', 'scheme'],
      [{ url: 'javascript:alert(1)', events: ['student.erased'] }, 'url', 'scheme'],
      [{ url: 'not a url', events: ['student.erased'] }, 'url', 'format'],
      [{ url: 'http://no-such-host.invalid/hook', events: ['student.erased'] }, 'url', 'unresolvable'],
      [{ url: 'http://127.0.0.1/hook', events: [] }, 'events', 'missing'],
      [{ url: 'http://127.0.0.1/hook', events: 'student.erased' }, 'events', 'missing'],
      [{ url: 'http://127.0.0.1/hook', events: ['student.erased', 'student.created'] }, 'events', 'enum'],
      [{ url: 'http://127.0.0.1/hook', events: ['student.erased'], secret: 'short' }, 'secret', 'length'],
    ];
    for (const [body, field, problem] of cases) {
      const res = await request(a.app).post('/api/v1/webhooks').set(auth).send(body).expect(400);
      expect(res.body.error).toMatchObject({ code: 'validation_error', details: [{ field, problem }] });
    }
    expect(await count('webhooks')).toBe(0);
  });

  test('loopback, private and link-local targets are refused without WEBHOOK_ALLOW_PRIVATE, at registration and at delivery', async () => {
    const strict = createApp({ config: a.config, log: silent, services: { ...a.services, webhooks: new WebhooksService(a.t.db, false) } });
    for (const url of ['http://127.0.0.1/hook', 'http://localhost:8080/', 'http://[::1]/', 'http://10.1.2.3/', 'https://192.168.0.10/', 'http://169.254.169.254/latest/meta-data', 'http://[::ffff:127.0.0.1]/', 'http://0.0.0.0/']) {
      const res = await request(strict).post('/api/v1/webhooks').set(auth).send({ url, events: ['student.erased'] }).expect(400);
      expect(res.body.error).toMatchObject({ code: 'validation_error', details: [{ field: 'url', problem: 'private_address' }] });
    }
    expect(await count('webhooks')).toBe(0);

    // Registered while allowed, then delivered by a process that does not allow it: refused after resolving.
    const r = await receiver();
    const hook = await register(r.url);
    await deliverer.stop();
    const strictDeliverer = new WebhookDeliverer(a.t.db, { ...a.config, webhookAllowPrivate: false }, silent);
    try {
      await eraseAStudent();
      await until('a refused attempt', async () => (await strictDeliverer.deliverDue()) > 0);
      const [d] = await deliveries(hook.id);
      expect(d).toMatchObject({ status: 'pending', attempts: 1, last_status_code: null });
      expect(d.last_error).toMatch(/private/);
      expect(r.received).toHaveLength(0);
    } finally {
      deliverer = new WebhookDeliverer(a.t.db, a.config, silent);
      deliverer.start();
    }
  });

  test('a delivery is signed, carries the event id, and is logged as delivered', async () => {
    const r = await receiver();
    // By name: the connection goes to the addresses the guard resolved and checked.
    const hook = await register(r.url.replace('127.0.0.1', 'localhost'));
    const studentId = await eraseAStudent();
    await until('the delivery', () => r.received.length === 1);
    const [got] = r.received;
    expect(verifies(got)).toBe(true);
    expect(verifies(got, 'whsec_some_other_secret_000000')).toBe(false);
    const body = JSON.parse(got.body);
    expect(body).toEqual({ id: got.headers['x-rollcall-event-id'], type: 'student.erased', created_at: expect.any(String), data: { student_id: studentId } });
    expect(got.headers['x-rollcall-event']).toBe('student.erased');
    expect(got.headers['content-type']).toBe('application/json');
    await until('the log', async () => (await deliveries(hook.id))[0]?.status === 'delivered');
    const [d] = await deliveries(hook.id);
    conforms('WebhookDelivery', d);
    expect(d).toMatchObject({ event_id: body.id, event: 'student.erased', status: 'delivered', attempts: 1, last_status_code: 200, last_error: null, next_attempt_at: null });
  });

  test('a receiver that answers 500 twice gets the same event again until it accepts', async () => {
    const r = await receiver((i) => ({ status: i <= 2 ? 500 : 204 }));
    const hook = await register(r.url);
    await eraseAStudent();
    await until('the third attempt', () => r.received.length === 3);
    await until('the log', async () => (await deliveries(hook.id))[0]?.status === 'delivered');
    expect(new Set(r.received.map((x) => x.headers['x-rollcall-event-id'])).size).toBe(1);
    expect(r.received.every((x) => verifies(x))).toBe(true);
    expect((await deliveries(hook.id))[0]).toMatchObject({ status: 'delivered', attempts: 3, last_status_code: 204 });
  });

  test('a receiver that is down, then up, gets the event once it is up', async () => {
    const gone = await startReceiver();
    await gone.close();
    const hook = await register(gone.url);
    await eraseAStudent();
    await until('a failed attempt', async () => (await deliveries(hook.id))[0]?.attempts >= 2);
    const [failing] = await deliveries(hook.id);
    expect(failing).toMatchObject({ status: 'pending', last_status_code: null });
    expect(failing.last_error).toMatch(/ECONNREFUSED/);
    expect(Date.parse(failing.next_attempt_at)).toBeGreaterThan(Date.parse(failing.last_attempt_at));
    const r = await receiver(undefined, gone.port);
    await until('the delivery', () => r.received.length >= 1);
    await until('the log', async () => (await deliveries(hook.id))[0]?.status === 'delivered');
  });

  test('a receiver that does not answer times out and never holds up the teacher', async () => {
    let hang = true;
    const r = await receiver(() => (hang ? 'hang' : { status: 200 }));
    const hook = await register(r.url);
    await eraseAStudent();
    await until('the first request', () => r.received.length >= 1);
    // While the receiver sits on the request, the API answers as usual.
    await eraseAStudent();
    await until('a timed-out attempt', async () => (await deliveries(hook.id)).some((d: { last_error: string | null }) => d.last_error !== null));
    expect((await deliveries(hook.id)).find((d: { last_error: string | null }) => d.last_error)).toMatchObject({ status: 'pending', last_error: 'no answer within 500 ms' });
    hang = false;
    r.release();
    await until('both delivered', async () => (await deliveries(hook.id)).every((d: { status: string }) => d.status === 'delivered'));
  });

  test('redirects are not followed', async () => {
    const elsewhere = await receiver();
    const r = await receiver(() => ({ status: 302, headers: { location: elsewhere.url } }));
    const hook = await register(r.url);
    await eraseAStudent();
    await until('an attempt', async () => (await deliveries(hook.id))[0]?.attempts >= 1);
    const [d] = await deliveries(hook.id);
    expect(d).toMatchObject({ status: 'pending', last_status_code: 302 });
    expect(d.last_error).toContain('not followed');
    expect(elsewhere.received).toHaveLength(0);
  });

  test('a change that fails leaves no event; a paused endpoint queues none', async () => {
    const r = await receiver();
    const hook = await register(r.url);
    await request(a.app).post('/api/v1/students').set(auth).send({ student_id: 'KEEP', name: 'Kept' }).expect(201);
    // The audit row is refused at commit, after the erasure and its event were written.
    await a.t.db.exec(`
      CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit refused'; END $$;
      CREATE CONSTRAINT TRIGGER refuse_audit AFTER INSERT ON audit_log DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_audit();`);
    try {
      const res = await request(a.app).delete('/api/v1/students/KEEP').set(auth).expect(500);
      expect(res.body.error.code).toBe('internal_error');
    } finally {
      await a.t.db.exec('DROP TRIGGER refuse_audit ON audit_log; DROP FUNCTION refuse_audit();');
    }
    await request(a.app).get('/api/v1/students/KEEP').set(auth).expect(200);
    expect(await count('webhook_events')).toBe(0);

    await request(a.app).patch(`/api/v1/webhooks/${hook.id}`).set(auth).send({ paused: true }).expect(200);
    await request(a.app).delete('/api/v1/students/KEEP').set(auth).expect(204);
    expect(await count('webhook_events')).toBe(0);
    await request(a.app).patch(`/api/v1/webhooks/${hook.id}`).set(auth).send({ paused: false }).expect(200);
    await eraseAStudent();
    await until('the delivery after resuming', () => r.received.length === 1);
    expect(JSON.parse(r.received[0].body).data.student_id).not.toBe('KEEP');
  });

  test('recording a session, adding a photo and correcting attendance send their events', async () => {
    const r = await receiver();
    await register(r.url, ['session.recorded', 'session.photo_added', 'attendance.corrected']);
    const cls = (await request(a.app).post('/api/v1/classes').set(auth).send({ code: 'HOOK-1', name: 'Hooks' }).expect(201)).body;
    const roster = Buffer.from('student_id,name\nH1,Ann Hook\nH2,Bob Hook\n');
    await request(a.app).post(`/api/v1/classes/${cls.id}/roster`).set(auth).attach('file', roster, 'roster.csv').expect(200);
    const first = await request(a.app).post('/api/v1/recognitions').set(auth).field('class_id', cls.id).field('record', 'true').attach('file', fixturePath('query/obama1.jpg')).expect(200);
    const sessionId = first.body.session_id;
    await request(a.app).post(`/api/v1/sessions/${sessionId}/photos`).set(auth).attach('file', fixturePath('query/obama1.jpg')).expect(200);
    await request(a.app).patch(`/api/v1/sessions/${sessionId}/attendance/H2`).set(auth).send({ status: 'excused', note: 'dentist' }).expect(200);
    await until('three events', () => r.received.length === 3);
    const bodies = r.received.map((x) => JSON.parse(x.body)).sort((x, y) => x.created_at.localeCompare(y.created_at));
    const attendance = [{ student_id: 'H1', status: 'absent' }, { student_id: 'H2', status: 'absent' }];
    expect(bodies.map((b) => b.type)).toEqual(['session.recorded', 'session.photo_added', 'attendance.corrected']);
    expect(bodies[0].data).toEqual({ session_id: sessionId, class_id: cls.id, class_code: 'HOOK-1', photo_id: expect.any(String), attendance });
    expect(bodies[1].data).toMatchObject({ session_id: sessionId, attendance });
    expect(bodies[1].data.photo_id).not.toBe(bodies[0].data.photo_id);
    // The note is the teacher's and stays out of the payload.
    expect(bodies[2].data).toEqual({ session_id: sessionId, class_id: cls.id, student_id: 'H2', status: 'excused', previous_status: 'absent', corrected_by: 'env-1' });
    expect(new Set(bodies.map((b) => b.id)).size).toBe(3);
    expect(r.received.every((x) => verifies(x))).toBe(true);
  });

  test('finished events are forgotten after the retention period; pending ones are kept', async () => {
    const r = await receiver(() => ({ status: 500 }));
    const hook = await register(r.url);
    await eraseAStudent();
    await until('an attempt', () => r.received.length >= 1);
    await a.t.db.query("UPDATE webhook_events SET created_at = now() - interval '40 days'");
    expect(await a.services.retention.purgeWebhookEvents()).toBe(0);
    await a.t.db.query(`UPDATE webhook_deliveries SET status = 'delivered' WHERE webhook_id = $1`, [hook.id]);
    expect(await a.services.retention.purgeWebhookEvents()).toBe(1);
    expect(await deliveries(hook.id)).toEqual([]);
  });
});
