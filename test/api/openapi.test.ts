import fs from 'node:fs';
import JSZip from 'jszip';
import request, { type Response, type Test } from 'supertest';
import type { Express } from 'express';
import { auth, createTestApp, type TestApp } from '../helpers/test-app';
import { backend } from '../helpers/test-db';
import { grantConsent } from '../helpers/consent';
import { fixturePath } from '../helpers/fixtures';
import { schemaErrors, type Schema } from '../helpers/schema-check';
import { makeSchool, zipBundle } from '../helpers/oneroster-bundle';

interface DocOperation {
  operationId: string;
  security?: unknown[];
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
}
interface Doc {
  openapi: string;
  paths: Record<string, Record<string, DocOperation>>;
  components: { securitySchemes: Record<string, unknown>; schemas: Record<string, Schema> };
}

/** Express's router stack, as far as this walk needs it. */
interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** "get /api/v1/classes/{classId}" for every route registered on the app (all routers are mounted at /). */
function registeredRoutes(app: Express): string[] {
  const out: string[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) for (const m of Object.keys(layer.route.methods)) out.push(`${m} ${layer.route.path.replace(/:(\w+)/g, '{$1}')}`);
      else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((app.router as unknown as { stack: Layer[] }).stack);
  return out.sort();
}

const documentedRoutes = (doc: Doc) => Object.entries(doc.paths).flatMap(([p, item]) => Object.keys(item).map((m) => `${m} ${p}`)).sort();

/** The document's path template for a concrete path (written apart from the app's own matcher). */
function templateFor(doc: Doc, urlPath: string): string | undefined {
  return Object.keys(doc.paths).find((t) => new RegExp(`^${t.replace(/\./g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`).test(urlPath));
}

function refsIn(node: unknown): string[] {
  if (!node || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([k, v]) => (k === '$ref' && typeof v === 'string' ? [v] : refsIn(v)));
}

describe(`OpenAPI document on ${backend}`, () => {
  let a: TestApp;
  let doc: Doc;
  const exercised = new Set<string>();

  /**
   * A real answer must be documented: its status listed for its operation, its media type listed
   * for that status, and a JSON body valid against that schema.
   */
  async function documented(test: Test): Promise<Response> {
    const res = await test;
    const method = res.request.method.toLowerCase();
    const urlPath = new URL(res.request.url).pathname;
    const template = templateFor(doc, urlPath);
    const op = template ? doc.paths[template][method] : undefined;
    const call = `${method} ${urlPath} → ${res.status}`;
    expect({ call, documented: Boolean(op) }).toEqual({ call, documented: true });
    exercised.add(`${method} ${template}`);
    const response = op!.responses[String(res.status)];
    expect({ call, statusDocumented: Boolean(response) }).toEqual({ call, statusDocumented: true });
    if (res.status === 204) return res;
    const type = String(res.headers['content-type']).split(';')[0];
    const media = response.content?.[type];
    expect({ call, type, mediaDocumented: Boolean(media) }).toEqual({ call, type, mediaDocumented: true });
    if (type === 'application/json') expect({ call, errors: schemaErrors(media!.schema, res.body, doc) }).toEqual({ call, errors: [] });
    return res;
  }

  beforeAll(async () => {
    a = await createTestApp();
    doc = (await request(a.app).get('/openapi.json').expect(200)).body;
  });
  afterAll(() => a.close());

  test('documents exactly the routes registered on the app', () => {
    expect(documentedRoutes(doc)).toEqual(registeredRoutes(a.app));
  });

  test('is OpenAPI 3.1 with both key schemes and the cookie, unique operation ids and resolvable $refs', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components.securitySchemes).toEqual({
      bearer: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
      apiKey: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-API-Key' }),
      session: expect.objectContaining({ type: 'apiKey', in: 'cookie', name: 'rollcall_session' }),
    });
    const ids = Object.values(doc.paths).flatMap((item) => Object.values(item).map((op) => op.operationId));
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of refsIn(doc)) expect(r.replace('#/components/schemas/', '') in doc.components.schemas).toBe(true);
    expect(doc.paths['/health'].get.security).toEqual([]);
    expect(doc.paths['/api/v1/classes'].get.security).toBeUndefined();
  });

  test('meta routes, the web page and error answers', async () => {
    await documented(request(a.app).get('/health'));
    await documented(request(a.app).get('/health/live'));
    await documented(request(a.app).get('/health/ready'));
    // The embedded database is backed up; PostgreSQL answers 409 backup_unsupported (pg_dump).
    await documented(request(a.app).post('/api/v1/backups').set(auth).buffer(true));
    await documented(request(a.app).get('/openapi.json'));
    await documented(request(a.app).get('/metrics').set(auth));
    await documented(request(a.app).get('/metrics'));
    await documented(request(a.app).get('/'));
    await documented(request(a.app).get('/web/styles.css'));
    await documented(request(a.app).get('/web/no-such.css'));
    await documented(request(a.app).get('/api/v1/classes'));
  });

  let classId: string;
  let sessionId: string;

  test('classes, rosters and students', async () => {
    classId = (await documented(request(a.app).post('/api/v1/classes').set(auth).send({ code: 'API-1', name: 'Docs' }))).body.id;
    await documented(request(a.app).post('/api/v1/classes').set(auth).send({ code: 'API-1', name: 'Again' }));
    await documented(request(a.app).post('/api/v1/classes').set(auth).send({ name: 'No code' }));
    await documented(request(a.app).post('/api/v1/classes').set(auth).send({ code: 'BIG', name: 'x'.repeat(200_000) }));
    await documented(request(a.app).get('/api/v1/classes').set(auth));
    await documented(request(a.app).get(`/api/v1/classes/${classId}`).set(auth));
    await documented(request(a.app).get('/api/v1/classes/NO-SUCH').set(auth));
    const roster = Buffer.from('Student ID,Name\nS-obama,Barack Obama\nS-ada,Ada Lovelace\n');
    await documented(request(a.app).post(`/api/v1/classes/${classId}/roster`).set(auth).attach('file', roster, 'roster.csv'));
    await documented(request(a.app).post(`/api/v1/classes/${classId}/roster`).set(auth).attach('file', Buffer.from('a,b\n1,2\n'), 'roster.csv'));
    await documented(request(a.app).get(`/api/v1/classes/${classId}/students`).set(auth));
    await documented(request(a.app).post('/api/v1/students').set(auth).send({ student_id: 'S-solo', name: 'Solo', email: 'solo@example.org' }));
    await documented(request(a.app).post('/api/v1/students').set(auth).send({ student_id: 'a/b', name: 'Slash' }));
    await documented(request(a.app).get('/api/v1/students/S-solo').set(auth));
  });

  test('enrolment and recognition', async () => {
    const noFace = fixturePath('noface/cf_017_0.jpg');
    await documented(request(a.app).post('/api/v1/students/S-obama/faces').set(auth).attach('images', fixturePath('people/obama/obama.jpg')));
    await documented(request(a.app).post('/api/v1/students/S-obama/consent').set(auth).send({ state: 'granted', note: 'form signed' }));
    await documented(request(a.app).post('/api/v1/students/S-ada/consent').set(auth).send({ state: 'maybe' }));
    await grantConsent(a.app, 'S-ada');
    await documented(request(a.app).post('/api/v1/students/S-obama/faces').set(auth).attach('images', fixturePath('people/obama/obama.jpg')));
    await documented(request(a.app).post('/api/v1/students/S-ada/faces').set(auth).attach('images', noFace));
    const zip = await new JSZip().file('S-ada/1.jpg', fs.readFileSync(noFace)).generateAsync({ type: 'nodebuffer' });
    await documented(request(a.app).post('/api/v1/enrolments').set(auth).attach('file', zip, 'faces.zip'));
    const rec = await documented(
      request(a.app).post('/api/v1/recognitions').set(auth).field('class_id', classId).field('record', 'true').attach('file', fixturePath('group/two_people.jpg')),
    );
    expect(rec.body.faces).toHaveLength(2);
    sessionId = rec.body.session_id;
    const classic = await documented(request(a.app).post('/recognize_faces').set(auth).send({ file: fs.readFileSync(fixturePath('people/obama/obama.jpg')).toString('base64') }));
    expect(classic.body).toEqual([{ 'Student Name': 'Barack Obama', ID: 'S-obama' }, { unknown_faces: 0 }]);
    await documented(request(a.app).post('/api/v1/recognitions').set(auth).field('class_id', classId));
  });

  test('sessions, corrections and exports', async () => {
    await documented(request(a.app).get(`/api/v1/classes/${classId}/sessions`).set(auth));
    await documented(request(a.app).get(`/api/v1/sessions/${sessionId}`).set(auth));
    await documented(request(a.app).post(`/api/v1/sessions/${sessionId}/photos`).set(auth).attach('file', fixturePath('noface/cf_017_0.jpg')));
    await documented(request(a.app).patch(`/api/v1/sessions/${sessionId}/attendance/S-ada`).set(auth).send({ status: 'late', note: 'bus' }));
    await documented(request(a.app).patch(`/api/v1/sessions/${sessionId}/attendance/S-ada`).set(auth).send({ status: 'asleep' }));
    await documented(request(a.app).get(`/api/v1/sessions/${sessionId}/attendance/S-ada/history`).set(auth));
    const shown = (await documented(request(a.app).get(`/api/v1/sessions/${sessionId}`).set(auth))).body;
    const unnamed = shown.detections.find((d: { student_id: string | null }) => d.student_id === null);
    await documented(request(a.app).get(`/api/v1/sessions/${sessionId}/photos/${unnamed.photo_id}`).set(auth));
    const review = `/api/v1/sessions/${sessionId}/detections/${unnamed.id}`;
    await documented(request(a.app).post(review).set(auth).send({ student_id: 'S-ada', learn: false }));
    await documented(request(a.app).post(review).set(auth).send({ dismiss: true }));
    await documented(request(a.app).post(review).set(auth).send({ dismiss: 'yes' }));
    await documented(request(a.app).post(`/api/v1/sessions/${sessionId}/detections/999999`).set(auth).send({ dismiss: true }));
    await documented(request(a.app).get(`/api/v1/classes/${classId}/stats`).set(auth).query({ from: '2000-01-01' }));
    await documented(request(a.app).get(`/api/v1/classes/${classId}/stats`).set(auth).query({ from: 'soon' }));
    await documented(request(a.app).get('/api/v1/students/S-ada/attendance').set(auth));
    for (const format of ['xlsx', 'csv']) {
      await documented(request(a.app).get(`/api/v1/sessions/${sessionId}/attendance.${format}`).set(auth));
      await documented(request(a.app).get(`/api/v1/classes/${classId}/attendance.${format}`).set(auth));
    }
  });

  test('subject access and the audit log', async () => {
    await documented(request(a.app).get('/api/v1/students/S-obama/export').set(auth));
    await documented(request(a.app).get('/api/v1/students/NO-SUCH/export').set(auth));
    const page = await documented(request(a.app).get('/api/v1/audit?limit=2').set(auth));
    await documented(request(a.app).get(`/api/v1/audit?cursor=${page.body.next_cursor}&entity=student`).set(auth));
    await documented(request(a.app).get('/api/v1/audit?since=yesterday').set(auth));
  });

  test('accounts: setup, sign-in, own keys, users and assignments', async () => {
    const setup = await a.services.signIn.ensureSetupToken(a.config.dataDir);
    await documented(request(a.app).get('/api/v1/auth/setup'));
    const admin = request.agent(a.app);
    await documented(admin.post('/api/v1/auth/setup').send({ setup_token: 'wrong', email: 'head@school.example', name: 'Head', password: 'a long enough secret' }));
    const first = await documented(admin.post('/api/v1/auth/setup').send({ setup_token: setup!.token, email: 'head@school.example', name: 'Head', password: 'a long enough secret' }));
    await documented(request(a.app).post('/api/v1/auth/login').send({ email: 'head@school.example', password: 'not the password' }));
    await documented(request(a.app).post('/api/v1/auth/login').send({ email: 'head@school.example' }));
    const csrf = { 'X-CSRF-Token': first.body.csrf_token as string };
    await documented(admin.get('/api/v1/me'));
    await documented(request(a.app).get('/api/v1/me').set(auth));
    const teacher = await documented(admin.post('/api/v1/users').set(csrf).send({ email: 'ana@school.example', name: 'Ana', role: 'teacher', password: 'another long secret', classes: ['API-1'] }));
    await documented(admin.post('/api/v1/users').set(csrf).send({ email: 'ana@school.example', name: 'Ana', role: 'teacher', password: 'another long secret' }));
    await documented(admin.post('/api/v1/users').set(csrf).send({ email: 'bo@school.example', name: 'Bo', role: 'teacher', password: 'password1234' }));
    await documented(admin.get('/api/v1/users'));
    await documented(admin.patch(`/api/v1/users/${teacher.body.id}`).set(csrf).send({ name: 'Ana B.' }));
    await documented(admin.patch(`/api/v1/users/${teacher.body.id}`).set(csrf).send({ role: 'pope' }));
    await documented(admin.patch('/api/v1/users/00000000-0000-0000-0000-000000000000').set(csrf).send({ name: 'Nobody' }));
    await documented(admin.patch(`/api/v1/users/${first.body.user.id}`).set(csrf).send({ disabled: true }));
    await documented(admin.delete(`/api/v1/classes/${classId}/teachers/${teacher.body.id}`).set(csrf));
    await documented(admin.delete(`/api/v1/classes/${classId}/teachers/${teacher.body.id}`).set(csrf));
    await documented(admin.post(`/api/v1/classes/${classId}/teachers`).set(csrf).send({ email: 'ana@school.example' }));
    await documented(admin.post(`/api/v1/classes/${classId}/teachers`).set(csrf).send({ email: 'ana@school.example' }));
    await documented(admin.post(`/api/v1/classes/${classId}/teachers`).send({ email: 'ana@school.example' }));
    const key = await documented(admin.post('/api/v1/me/keys').set(csrf).send({ name: 'phone' }));
    await documented(admin.post('/api/v1/me/keys').set(csrf).send({ name: 'phone' }));
    await documented(admin.get('/api/v1/me/keys'));
    await documented(admin.delete(`/api/v1/me/keys/${key.body.id}`).set(csrf));
    await documented(admin.delete(`/api/v1/me/keys/${key.body.id}`).set(csrf));
    await documented(admin.post('/api/v1/me/password').set(csrf).send({ current_password: 'wrong', new_password: 'a brand new secret' }));
    await documented(admin.post('/api/v1/me/password').set(csrf).send({ current_password: 'a long enough secret', new_password: 'a brand new secret' }));
    const ana = await documented(request(a.app).post('/api/v1/auth/login').send({ email: 'ana@school.example', password: 'another long secret' }));
    const anaCookie = String(ana.headers['set-cookie']).split(';')[0];
    await documented(request(a.app).get('/api/v1/users').set('Cookie', anaCookie));
    await documented(admin.post('/api/v1/auth/logout').set(csrf));
    await documented(admin.get('/api/v1/me'));
  });

  test('single sign-on, here not configured', async () => {
    const config = await documented(request(a.app).get('/api/v1/auth/config'));
    expect(config.body).toEqual({ password: true, sso: null });
    for (const leg of ['start', 'callback?code=c&state=s']) {
      const res = await documented(request(a.app).get(`/api/v1/auth/oidc/${leg}`));
      expect([res.status, res.body.error.code]).toEqual([404, 'sso_not_configured']);
    }
  });

  test('OneRoster import: counts, and problems by file, row and column', async () => {
    const files = makeSchool({ students: 2, classes: 1, perStudent: 1 });
    await documented(request(a.app).post('/api/v1/oneroster?dry_run=true').set(auth).attach('file', await zipBundle(files), 'bundle.zip'));
    files['enrollments.csv'].push(['e-x', '', '', 'c-9', 'org-1', 's-0', 'student', '', '', '']);
    const bad = await documented(request(a.app).post('/api/v1/oneroster').set(auth).attach('file', await zipBundle(files), 'bundle.zip'));
    expect(bad.body.error.details[0]).toEqual({ file: 'enrollments.csv', row: 5, column: 'classSourcedId', problem: expect.any(String) });
    await documented(request(a.app).post('/api/v1/oneroster').set(auth));
  });

  test('erasure', async () => {
    await documented(request(a.app).delete('/api/v1/students/S-obama/faces').set(auth));
    await documented(request(a.app).delete('/api/v1/students/S-solo').set(auth));
    await documented(request(a.app).delete('/api/v1/students/S-solo').set(auth));
  });

  test('webhooks', async () => {
    // A documentation address (TEST-NET-3): public, and nothing is delivered in this test.
    const hook = (await documented(request(a.app).post('/api/v1/webhooks').set(auth).send({ url: 'https://203.0.113.10/hook', events: ['student.erased'] }))).body;
    await documented(request(a.app).post('/api/v1/webhooks').set(auth).send({ url: 'http://127.0.0.1/hook', events: ['student.erased'] }));
    await documented(request(a.app).get('/api/v1/webhooks').set(auth));
    await documented(request(a.app).patch(`/api/v1/webhooks/${hook.id}`).set(auth).send({ paused: true }));
    await documented(request(a.app).patch(`/api/v1/webhooks/${hook.id}`).set(auth).send({}));
    await documented(request(a.app).get(`/api/v1/webhooks/${hook.id}/deliveries`).set(auth));
    await documented(request(a.app).delete(`/api/v1/webhooks/${hook.id}`).set(auth));
    await documented(request(a.app).delete(`/api/v1/webhooks/${hook.id}`).set(auth));
  });

  test('every documented operation was exercised above', () => {
    expect([...exercised].sort()).toEqual(expect.arrayContaining(documentedRoutes(doc)));
  });
});
