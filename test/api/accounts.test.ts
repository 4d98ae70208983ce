import crypto from 'node:crypto';
import request from 'supertest';
import { CLI_ACTOR } from '../../src/services/users';
import { MAX_FAILURES } from '../../src/services/sign-in';
import { createTestApp, type TestApp } from '../helpers/test-app';
import { backend, createTestDb } from '../helpers/test-db';
import { ApiKeys } from '../../src/services/api-keys';
import { MIGRATIONS_DIR } from '../../src/store/open';
import { migrate, readMigrations } from '../../src/store/migrate';

const PASSWORD = 'correct horse battery';

describe(`sign-in and accounts on ${backend}`, () => {
  let a: TestApp;

  beforeAll(async () => {
    a = await createTestApp({ LOGIN_IDLE_MINUTES: '30', LOGIN_MAX_HOURS: '8' });
    await a.services.classes.create({ code: 'A', name: 'Class A' });
    await a.services.users.create({ email: 'Head@School.example', name: 'Head', role: 'admin', password: PASSWORD, classes: [] }, CLI_ACTOR);
    await a.services.users.create({ email: 'ana@school.example', name: 'Ana', role: 'teacher', password: PASSWORD, classes: ['A'] }, CLI_ACTOR);
  });
  afterAll(() => a.close());

  // Every request here comes from one client address, counted like any account.
  const login = (email: string, password: string) => request(a.app).post('/api/v1/auth/login').send({ email, password });
  const signIn = async (email: string, password = PASSWORD) => {
    const res = await login(email, password).expect(200);
    return { Cookie: String(res.headers['set-cookie']).split(';')[0], 'X-CSRF-Token': res.body.csrf_token as string };
  };
  const audit = (action: string) => a.t.db.query<{ actor: string; actor_user_id: string | null }>('SELECT actor, actor_user_id FROM audit_log WHERE action = $1', [action]);

  test('sign-in sets an HttpOnly, SameSite=Lax session cookie stored hashed; email case does not matter', async () => {
    const res = await login('head@school.EXAMPLE', PASSWORD).expect(200);
    expect(res.body.user).toMatchObject({ email: 'Head@School.example', name: 'Head', role: 'admin' });
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/^rollcall_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=(28800|2879\d)$/);
    const token = cookie.split(';')[0].split('=')[1];
    const stored = await a.t.db.query<{ id_hash: string }>('SELECT id_hash FROM sign_in_sessions');
    expect(stored.length).toBeGreaterThan(0);
    expect(stored.map((r) => r.id_hash)).not.toContain(token);
    const me = await request(a.app).get('/api/v1/me').set('Cookie', `rollcall_session=${token}`).expect(200);
    expect(me.body).toMatchObject({ email: 'Head@School.example', role: 'admin', classes: [], csrf_token: res.body.csrf_token });
    expect((await audit('sign_in')).length).toBeGreaterThan(0);
  });

  test('COOKIE_SECURE=true marks the cookie Secure', async () => {
    const secure = await createTestApp({ COOKIE_SECURE: 'true' });
    try {
      await secure.services.users.create({ email: 'x@school.example', name: 'X', role: 'teacher', password: PASSWORD, classes: [] }, CLI_ACTOR);
      const res = await request(secure.app).post('/api/v1/auth/login').send({ email: 'x@school.example', password: PASSWORD }).expect(200);
      expect(String(res.headers['set-cookie'])).toMatch(/; Secure$/);
    } finally {
      await secure.close();
    }
  });

  test('an unknown email and a wrong password get the same 401', async () => {
    const unknown = await login('nobody@school.example', 'whatever it is here').expect(401);
    const wrong = await login('ana@school.example', 'not her password').expect(401);
    expect(unknown.body).toEqual(wrong.body);
    expect(wrong.body.error.code).toBe('unauthorized');
    const failed = await audit('sign_in_failed');
    expect(failed.map((f) => f.actor)).toEqual(expect.arrayContaining(['nobody@school.example', 'ana@school.example']));
  });

  test(`after ${MAX_FAILURES} failures for one account: 429 with Retry-After, even with the right password, audited`, async () => {
    await a.services.users.create({ email: 'target@school.example', name: 'T', role: 'teacher', password: PASSWORD, classes: [] }, CLI_ACTOR);
    await a.t.db.query('DELETE FROM sign_in_failures');
    for (let i = 0; i < MAX_FAILURES; i++) await login('target@school.example', `wrong password ${i}`).expect(401);
    const res = await login('TARGET@school.example', PASSWORD).expect(429);
    expect(res.body.error.code).toBe('rate_limited');
    const wait = Number(res.headers['retry-after']);
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(15 * 60);
    expect((await audit('sign_in_throttled')).map((r) => r.actor)).toContain('target@school.example');
    // Another account is not locked by this one's failures... unless the failures came from its address.
    await login('ana@school.example', PASSWORD).expect(429);
    await a.t.db.query("DELETE FROM sign_in_failures WHERE bucket LIKE 'address:%'");
    await login('ana@school.example', PASSWORD).expect(200);
    await login('target@school.example', PASSWORD).expect(429);
    // When the window has passed, sign-in works again.
    await a.t.db.query("UPDATE sign_in_failures SET window_start = now() - interval '16 minutes'");
    await login('target@school.example', PASSWORD).expect(200);
  });

  test('cookie requests that change something need the CSRF token or a same-origin Origin; keys do not', async () => {
    const h = await signIn('ana@school.example');
    const cookieOnly = { Cookie: h.Cookie };
    const none = await request(a.app).post('/api/v1/me/keys').set(cookieOnly).send({ name: 'k1' }).expect(403);
    expect(none.body.error.code).toBe('csrf_failed');
    const foreign = await request(a.app).post('/api/v1/me/keys').set(cookieOnly).set('Origin', 'https://evil.example').send({ name: 'k1' }).expect(403);
    expect(foreign.body.error.code).toBe('csrf_failed');
    const badToken = await request(a.app).post('/api/v1/me/keys').set(cookieOnly).set('X-CSRF-Token', 'x'.repeat(43)).send({ name: 'k1' }).expect(403);
    expect(badToken.body.error.code).toBe('csrf_failed');
    const sameOrigin = await request(a.app).post('/api/v1/me/keys').set(cookieOnly).set('Host', 'rollcall.school.example').set('Origin', 'https://rollcall.school.example').send({ name: 'k1' });
    expect(sameOrigin.status).toBe(201);
    // Reading needs no token.
    await request(a.app).get('/api/v1/me/keys').set(cookieOnly).expect(200);
    const key = (await request(a.app).post('/api/v1/me/keys').set(h).send({ name: 'k2' }).expect(201)).body.key as string;
    const byKey = await request(a.app).post('/api/v1/me/keys').set('Authorization', `Bearer ${key}`).set('Origin', 'https://evil.example').send({ name: 'k3' });
    expect(byKey.status).toBe(201);
  });

  test('a key carries its owner: teacher role and classes; a revoked key → 401', async () => {
    const h = await signIn('ana@school.example');
    const created = await request(a.app).post('/api/v1/me/keys').set(h).send({ name: 'laptop' }).expect(201);
    const key = { Authorization: `Bearer ${created.body.key}` };
    expect((await request(a.app).get('/api/v1/classes').set(key).expect(200)).body.map((c: { code: string }) => c.code)).toEqual(['A']);
    await request(a.app).get('/api/v1/users').set(key).expect(403);
    const list = await request(a.app).get('/api/v1/me/keys').set(key).expect(200);
    expect(list.body.map((k: { name: string }) => k.name)).toContain('laptop');
    expect(JSON.stringify(list.body)).not.toContain(created.body.key);
    await request(a.app).delete(`/api/v1/me/keys/${created.body.id}`).set(h).expect(204);
    await request(a.app).get('/api/v1/classes').set(key).expect(401);
  });

  test('an expired session answers 401 session_expired, idle or absolute', async () => {
    for (const expire of ["last_seen_at = now() - interval '31 minutes'", "expires_at = now() - interval '1 second'"]) {
      const h = await signIn('ana@school.example');
      await request(a.app).get('/api/v1/me').set(h).expect(200);
      await a.t.db.query(`UPDATE sign_in_sessions SET ${expire}`);
      const res = await request(a.app).get('/api/v1/me').set(h).expect(401);
      expect(res.body.error.code).toBe('session_expired');
      // And it is gone: the next request is plainly unauthorized.
      expect((await request(a.app).get('/api/v1/me').set(h).expect(401)).body.error.code).toBe('unauthorized');
    }
  });

  test('sign-out ends the session', async () => {
    const h = await signIn('ana@school.example');
    const out = await request(a.app).post('/api/v1/auth/logout').set(h).expect(204);
    expect(String(out.headers['set-cookie'])).toMatch(/rollcall_session=; .*Max-Age=0/);
    await request(a.app).get('/api/v1/me').set(h).expect(401);
  });

  test('admins manage users: bad input names the field; creation with classes is all or nothing', async () => {
    const admin = await signIn('head@school.example');
    const bad = async (body: object, field: string) => {
      const res = await request(a.app).post('/api/v1/users').set(admin).send(body).expect(400);
      expect([res.body.error.code, res.body.error.details?.[0]?.field]).toEqual(['validation_error', field]);
    };
    const ok = { email: 'new@school.example', name: 'New', role: 'teacher', password: 'a fine long password' };
    await bad({ ...ok, email: 'not-an-email' }, 'email');
    await bad({ ...ok, email: `${'x'.repeat(330)}@school.example` }, 'email');
    await bad({ ...ok, name: 'n'.repeat(201) }, 'name');
    await bad({ ...ok, role: 'principal' }, 'role');
    await bad({ ...ok, password: 'short' }, 'password');
    await bad({ ...ok, password: 'Password1234' }, 'password');
    await bad({ ...ok, password: 'p'.repeat(257) }, 'password');
    await bad({ ...ok, classes: ['A', 'NO-SUCH'] }, 'classes');
    expect(await a.t.db.query("SELECT 1 FROM users WHERE email = 'new@school.example'")).toEqual([]);
    const created = await request(a.app).post('/api/v1/users').set(admin).send({ ...ok, classes: ['A'] }).expect(201);
    expect(created.body.classes.map((c: { code: string }) => c.code)).toEqual(['A']);
    const dup = await request(a.app).post('/api/v1/users').set(admin).send({ ...ok, email: 'NEW@school.example' }).expect(409);
    expect(dup.body.error.code).toBe('user_exists');
    expect(await audit('create_user')).toEqual(expect.arrayContaining([expect.objectContaining({ actor: 'Head@School.example', actor_user_id: expect.any(String) })]));
  });

  test('admin reset forces a password change at the next sign-in; disabling signs out, refuses sign-in and the user\'s keys', async () => {
    const admin = await signIn('head@school.example');
    const u = await request(a.app).post('/api/v1/users').set(admin).send({ email: 'bo@school.example', name: 'Bo', role: 'teacher', password: PASSWORD }).expect(201);
    const bo = await signIn('bo@school.example');
    await request(a.app).patch(`/api/v1/users/${u.body.id}`).set(admin).send({ password: 'temporary password 1' }).expect(200);
    await request(a.app).get('/api/v1/me').set(bo).expect(401);
    const fresh = await signIn('bo@school.example', 'temporary password 1');
    const blocked = await request(a.app).get('/api/v1/classes').set(fresh).expect(403);
    expect(blocked.body.error.code).toBe('password_change_required');
    expect((await request(a.app).get('/api/v1/me').set(fresh).expect(200)).body.must_change_password).toBe(true);
    const common = await request(a.app).post('/api/v1/me/password').set(fresh).send({ current_password: 'temporary password 1', new_password: '123456789012' }).expect(400);
    expect(common.body.error.details[0]).toEqual({ field: 'new_password', problem: 'common' });
    await request(a.app).post('/api/v1/me/password').set(fresh).send({ current_password: 'temporary password 1', new_password: 'bo chose this one' }).expect(204);
    await request(a.app).get('/api/v1/classes').set(fresh).expect(200);
    await login('bo@school.example', 'temporary password 1').expect(401);

    const boKey = (await request(a.app).post('/api/v1/me/keys').set(fresh).send({ name: 'bo' }).expect(201)).body.key as string;
    await request(a.app).patch(`/api/v1/users/${u.body.id}`).set(admin).send({ disabled: true }).expect(200);
    await request(a.app).get('/api/v1/me').set(fresh).expect(401);
    await request(a.app).get('/api/v1/classes').set('X-API-Key', boKey).expect(401);
    await login('bo@school.example', 'bo chose this one').expect(401);
  });

  test('the last enabled admin cannot be demoted or disabled', async () => {
    const admin = await signIn('head@school.example');
    const me = (await request(a.app).get('/api/v1/me').set(admin).expect(200)).body;
    const res = await request(a.app).patch(`/api/v1/users/${me.id}`).set(admin).send({ role: 'teacher' }).expect(409);
    expect(res.body.error.code).toBe('last_admin');
  });

  test('teacher assignment: 201, listed in /me, 409 again, 404 unknown; a teacher sees the class only while assigned', async () => {
    const admin = await signIn('head@school.example');
    await a.services.classes.create({ code: 'B', name: 'Class B' });
    const ana = await signIn('ana@school.example');
    await request(a.app).get('/api/v1/classes/B').set(ana).expect(404);
    const assigned = await request(a.app).post('/api/v1/classes/B/teachers').set(admin).send({ email: 'ANA@school.example' }).expect(201);
    expect(assigned.body).toMatchObject({ class_code: 'B', email: 'ana@school.example' });
    expect((await request(a.app).get('/api/v1/me').set(ana).expect(200)).body.classes.map((c: { code: string }) => c.code)).toEqual(['A', 'B']);
    await request(a.app).get('/api/v1/classes/B').set(ana).expect(200);
    expect((await request(a.app).post('/api/v1/classes/B/teachers').set(admin).send({ email: 'ana@school.example' }).expect(409)).body.error.code).toBe('already_assigned');
    await request(a.app).post('/api/v1/classes/B/teachers').set(admin).send({ email: 'nobody@school.example' }).expect(404);
    expect((await request(a.app).post('/api/v1/classes/B/teachers').set(admin).send({ email: 'nope' }).expect(400)).body.error.details[0].field).toBe('email');
    await request(a.app).delete(`/api/v1/classes/B/teachers/${assigned.body.user_id}`).set(admin).expect(204);
    await request(a.app).get('/api/v1/classes/B').set(ana).expect(404);
  });

  test('first start: a one-time setup token creates the first admin, then never again', async () => {
    const fresh = await createTestApp();
    try {
      expect((await request(fresh.app).get('/api/v1/auth/setup').expect(200)).body).toEqual({ setup_needed: true });
      const first = await fresh.services.signIn.ensureSetupToken(fresh.config.dataDir);
      // A restart while no admin exists shows the same token.
      expect((await fresh.services.signIn.ensureSetupToken(fresh.config.dataDir))?.token).toBe(first!.token);
      const body = { setup_token: first!.token, email: 'boss@school.example', name: 'Boss', password: 'the first admin password' };
      const weak = await request(fresh.app).post('/api/v1/auth/setup').send({ ...body, password: 'short' }).expect(400);
      expect(weak.body.error.details[0].field).toBe('password');
      const res = await request(fresh.app).post('/api/v1/auth/setup').send(body).expect(201);
      expect(res.body.user).toMatchObject({ email: 'boss@school.example', role: 'admin' });
      const cookie = String(res.headers['set-cookie']).split(';')[0];
      await request(fresh.app).get('/api/v1/users').set('Cookie', cookie).expect(200);
      const again = await request(fresh.app).post('/api/v1/auth/setup').send({ ...body, email: 'two@school.example' }).expect(403);
      expect(again.body.error.code).toBe('setup_refused');
      expect((await request(fresh.app).get('/api/v1/auth/setup').expect(200)).body).toEqual({ setup_needed: false });
      expect(await fresh.services.signIn.ensureSetupToken(fresh.config.dataDir)).toBeNull();
    } finally {
      await fresh.close();
    }
  });

  test('a stored key without an owner (made before users existed, or by `rollcall keys`) is an admin service key', async () => {
    const { key } = await a.services.keys.create('integration');
    const h = { 'X-API-Key': key };
    await request(a.app).get('/api/v1/users').set(h).expect(200);
    const me = await request(a.app).get('/api/v1/me').set(h).expect(404);
    expect(me.body.error.code).toBe('not_found');
  });

  test('upgrade in place: a key stored before accounts existed keeps working, as an admin service key', async () => {
    const old = await createTestDb('003');
    try {
      // As the code before accounts stored it: a name and the key's sha256.
      const key = 'rc_stored-before-accounts-0123456789';
      await old.db.query('INSERT INTO api_keys (name, key_hash) VALUES ($1, $2)', ['from-2025', crypto.createHash('sha256').update(key).digest('hex')]);
      expect(await migrate(old.db, readMigrations(MIGRATIONS_DIR))).toContain('004_users');
      const p = await new ApiKeys(old.db, []).authenticate(key);
      expect(p).toMatchObject({ via: 'key', userId: null, role: 'admin', actor: 'from-2025' });
    } finally {
      await old.cleanup();
    }
  });
});
