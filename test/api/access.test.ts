import crypto from 'node:crypto';
import fs from 'node:fs';
import request, { type Response } from 'supertest';
import { operations, type Operation } from '../../src/http/openapi';
import { classesRepo } from '../../src/store/repos/classes';
import { CLI_ACTOR } from '../../src/services/users';
import { API_KEY, createTestApp, type TestApp } from '../helpers/test-app';
import { backend } from '../helpers/test-db';
import { fixturePath } from '../helpers/fixtures';

/**
 * The role × route matrix, written out here apart from the policy: every operation of the OpenAPI
 * document must be listed, so a route added later without a decision fails this test.
 * - public: anyone; user: anyone signed in or with a key;
 * - admin: admins only (a teacher gets 403 forbidden);
 * - class: admins, and teachers of the class the request is about (another teacher gets 404).
 */
const MATRIX: Record<string, 'public' | 'user' | 'admin' | 'class'> = {
  health: 'public',
  live: 'public',
  ready: 'public',
  createBackup: 'admin',
  openapi: 'public',
  metrics: 'admin',
  webPage: 'public',
  webAsset: 'public',
  login: 'public',
  logout: 'user',
  setupStatus: 'public',
  setup: 'public',
  authConfig: 'public',
  ssoStart: 'public',
  ssoCallback: 'public',
  me: 'user',
  changePassword: 'user',
  createKey: 'user',
  listKeys: 'user',
  revokeKey: 'user',
  createUser: 'admin',
  listUsers: 'admin',
  updateUser: 'admin',
  assignTeacher: 'admin',
  unassignTeacher: 'admin',
  createClass: 'admin',
  listClasses: 'user',
  showClass: 'class',
  classRoster: 'class',
  importRoster: 'class',
  classSessions: 'class',
  exportClass: 'class',
  createStudent: 'admin',
  showStudent: 'class',
  enrolFaces: 'class',
  eraseFaces: 'admin',
  eraseStudent: 'admin',
  bulkEnrol: 'admin',
  importOneRoster: 'admin',
  recognizeClassic: 'class',
  recognize: 'class',
  showSession: 'class',
  addSessionPhoto: 'class',
  correctAttendance: 'class',
  attendanceHistory: 'class',
  exportSession: 'class',
  sessionPhoto: 'class',
  reviewDetection: 'class',
  classStats: 'class',
  studentAttendance: 'class',
  recordConsent: 'class',
  exportStudent: 'admin',
  auditLog: 'admin',
  createWebhook: 'admin',
  listWebhooks: 'admin',
  pauseWebhook: 'admin',
  deleteWebhook: 'admin',
  webhookDeliveries: 'admin',
};

type Who = 'nobody' | 'teacher' | 'otherTeacher' | 'adminCookie' | 'adminKey' | 'teacherKey' | 'serviceKey';
const WHO: Who[] = ['nobody', 'teacher', 'otherTeacher', 'adminCookie', 'adminKey', 'teacherKey', 'serviceKey'];
const PASSWORD = 'correct horse battery';

describe(`access matrix on ${backend}`, () => {
  let a: TestApp;
  const headers = {} as Record<Who, Record<string, string>>;
  const role: Record<Who, 'none' | 'admin' | 'teacher' | 'other'> = {
    nobody: 'none',
    teacher: 'teacher',
    otherTeacher: 'other',
    adminCookie: 'admin',
    adminKey: 'admin',
    teacherKey: 'teacher',
    serviceKey: 'admin',
  };
  let classA: string;
  let sessionA: string;
  let photoA: string;
  let detectionA: string;
  let otherTeacherId: string;

  async function cookieFor(email: string): Promise<Record<string, string>> {
    const res = await request(a.app).post('/api/v1/auth/login').send({ email, password: PASSWORD }).expect(200);
    return { Cookie: String(res.headers['set-cookie']).split(';')[0], 'X-CSRF-Token': res.body.csrf_token };
  }

  async function keyFor(cookie: Record<string, string>): Promise<Record<string, string>> {
    const res = await request(a.app).post('/api/v1/me/keys').set(cookie).send({ name: 'matrix' }).expect(201);
    return { Authorization: `Bearer ${res.body.key}` };
  }

  /** A student on class A's roster, made again before each request that may erase them. */
  async function studentInA(id: string): Promise<void> {
    if (!(await a.services.students.get(id).catch(() => null))) await a.services.students.create({ student_id: id, name: id });
    const s = await a.services.students.get(id);
    await classesRepo.addMembers(a.t.db, classA, [s.id]);
  }

  beforeAll(async () => {
    a = await createTestApp({ STORE_PHOTOS: 'true' });
    const u = (email: string, r: 'admin' | 'teacher', classes: string[] = []) =>
      a.services.users.create({ email, name: email, role: r, password: PASSWORD, classes }, CLI_ACTOR);
    classA = (await a.services.classes.create({ code: 'A', name: 'Class A' })).id;
    await a.services.classes.create({ code: 'B', name: 'Class B' });
    await u('admin@school.example', 'admin');
    await u('teacher@school.example', 'teacher', ['A']);
    otherTeacherId = (await u('other@school.example', 'teacher', ['B'])).id;
    await studentInA('S-A');
    // A recorded photo (kept: STORE_PHOTOS) with one face to review: the routes about a photo or a face.
    const { result } = await a.services.recognition.recognize(fs.readFileSync(fixturePath('people/obama/obama.jpg')), { classId: 'A', record: true, actor: 'test' });
    sessionA = result.session_id!;
    photoA = result.photo_id!;
    [{ id: detectionA }] = await a.t.db.query<{ id: string }>('SELECT id::text AS id FROM detections WHERE photo_id = $1', [photoA]);
    headers.nobody = {};
    headers.teacher = await cookieFor('teacher@school.example');
    headers.otherTeacher = await cookieFor('other@school.example');
    headers.adminCookie = await cookieFor('admin@school.example');
    headers.adminKey = await keyFor(headers.adminCookie);
    headers.teacherKey = await keyFor(await cookieFor('teacher@school.example'));
    headers.serviceKey = { Authorization: `Bearer ${API_KEY}` };
  });
  afterAll(() => a.close());

  /** A request for `op` about class A (or its session and student), with a body that passes the policy. */
  async function call(op: Operation, who: Who): Promise<Response> {
    const unique = crypto.randomBytes(4).toString('hex');
    const url = op.path
      .replace('{classId}', 'A')
      .replace('{sessionId}', sessionA)
      .replace('{studentId}', op.id === 'eraseStudent' || op.id === 'eraseFaces' ? 'S-X' : 'S-A')
      .replace('{format}', 'csv')
      .replace('{file}', 'styles.css')
      .replace('{userId}', op.id === 'updateUser' ? otherTeacherId : crypto.randomUUID())
      .replace('{keyId}', crypto.randomUUID())
      .replace('{photoId}', photoA)
      .replace('{detectionId}', detectionA)
      .replace('{webhookId}', crypto.randomUUID());
    if (op.id === 'eraseStudent' || op.id === 'eraseFaces') await studentInA('S-X');
    const bodies: Record<string, unknown> = {
      login: { email: 'teacher@school.example', password: PASSWORD },
      setup: { setup_token: 'none', email: 'x@school.example', name: 'X', password: PASSWORD },
      changePassword: { current_password: 'not it', new_password: 'a new long password' },
      createKey: { name: `k-${unique}` },
      createUser: { email: `u-${unique}@school.example`, name: 'U', role: 'teacher', password: PASSWORD },
      updateUser: { name: 'Other Teacher' },
      assignTeacher: { email: 'teacher@school.example' },
      createClass: { code: `C-${unique}`, name: 'C' },
      createStudent: { student_id: `S-${unique}`, name: 'S' },
      correctAttendance: { status: 'asleep' },
      recognize: { class_id: 'A' },
      recognizeClassic: { class_id: 'A' },
    };
    const req = request(a.app)[op.method](url).set(headers[who]);
    return op.method === 'get' || op.method === 'delete' ? req : req.send((bodies[op.id] ?? {}) as object);
  }

  test('every operation of the document has a row in the matrix, and declares that access', () => {
    const ops = operations(a.config);
    const missing = ops.filter((op) => !(op.id in MATRIX)).map((op) => op.id);
    expect(missing).toEqual([]);
    for (const op of ops) expect([op.id, op.access.split(':')[0]]).toEqual([op.id, MATRIX[op.id]]);
  });

  test('class lists are filtered; a teacher recognition must name one of their classes', async () => {
    const names = async (who: Who) => (await request(a.app).get('/api/v1/classes').set(headers[who]).expect(200)).body.map((c: { code: string }) => c.code);
    expect(await names('teacher')).toEqual(['A']);
    expect(await names('teacherKey')).toEqual(['A']);
    expect(await names('otherTeacher')).toEqual(['B']);
    expect(await names('adminCookie')).toEqual(expect.arrayContaining(['A', 'B']));
    const school = await request(a.app).post('/api/v1/recognitions').set(headers.teacher).attach('file', Buffer.from('x'), 'x.jpg');
    expect([school.status, school.body.error.code]).toEqual([403, 'forbidden']);
    // The class named in a multipart field is read before the decision.
    const other = await request(a.app).post('/api/v1/recognitions').set(headers.teacherKey).field('class_id', 'B').attach('file', Buffer.from('x'), 'x.jpg');
    expect([other.status, other.body.error.code]).toEqual([404, 'not_found']);
    const own = await request(a.app).post('/api/v1/recognitions').set(headers.teacherKey).field('class_id', 'A').attach('file', Buffer.from('x'), 'x.jpg');
    expect([own.status, own.body.error.code]).toEqual([400, 'invalid_image']);
  });

  test.each(WHO)('every route × %s', async (who) => {
    // Sign-out ends the cookie's session: last.
    const ops = operations(a.config).sort((x, y) => Number(x.id === 'logout') - Number(y.id === 'logout'));
    const wrong: string[] = [];
    for (const op of ops) {
      const access = MATRIX[op.id];
      const res = await call(op, who);
      const code = res.body?.error?.code as string | undefined;
      const r = role[who];
      let expected: string;
      if (access === 'public') expected = 'allowed';
      else if (r === 'none') expected = '401';
      else if (access === 'user') expected = 'allowed';
      else if (r === 'admin') expected = 'allowed';
      else if (access === 'admin') expected = '403';
      else expected = r === 'teacher' ? 'allowed' : '404';
      const got =
        res.status === 401 ? '401' : code === 'forbidden' || code === 'csrf_failed' ? '403' : res.status === 404 && access === 'class' ? '404' : 'allowed';
      if (got !== expected) wrong.push(`${op.method} ${op.path} as ${who}: ${res.status} ${code ?? ''}, expected ${expected}`);
    }
    expect(wrong).toEqual([]);
  });

});
