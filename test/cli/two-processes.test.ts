import { backend, createTestDb, type TestDb } from '../helpers/test-db';
import { startServe, type ServeProcess } from '../helpers/serve-process';
import { MAX_FAILURES } from '../../src/services/sign-in';

/**
 * Sessions and sign-in throttling live in the database, so two service processes on one Postgres
 * accept each other's cookies and count the same failures. PGlite is embedded in one process
 * (a second process on its DATA_DIR is refused), so there is nothing to share there.
 */
const onPostgres = backend === 'postgres' ? describe : describe.skip;

onPostgres('two serve processes on one Postgres', () => {
  let t: TestDb;
  const servers: ServeProcess[] = [];
  const url = (i: number, p: string) => `http://127.0.0.1:${servers[i].port}${p}`;

  beforeAll(async () => {
    t = await createTestDb();
    await t.db.close();
    const env = { DATABASE_URL: t.options.databaseUrl! };
    servers.push(await startServe({ ...env, DATA_DIR: `${t.options.dataDir}/one` }));
    servers.push(await startServe({ ...env, DATA_DIR: `${t.options.dataDir}/two` }));
  });
  afterAll(async () => {
    for (const s of servers) {
      s.proc.kill('SIGTERM');
      await s.exited;
    }
    await t.cleanup();
  });

  const post = (i: number, p: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(url(i, p), { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });

  test('a cookie from one process works on the other, and signing out on one ends it on both', async () => {
    const token = servers[1].stdout().match(/\s(setup_[A-Za-z0-9_-]{43})\s/)?.[1] ?? servers[0].stdout().match(/\s(setup_[A-Za-z0-9_-]{43})\s/)?.[1];
    const setup = await post(0, '/api/v1/auth/setup', { setup_token: token, email: 'head@school.example', name: 'Head', password: 'two processes, one school' });
    expect(setup.status).toBe(201);
    const login = await post(0, '/api/v1/auth/login', { email: 'head@school.example', password: 'two processes, one school' });
    expect(login.status).toBe(200);
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    const csrf = ((await login.json()) as { csrf_token: string }).csrf_token;
    const me = await fetch(url(1, '/api/v1/me'), { headers: { Cookie: cookie } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { email: string }).email).toBe('head@school.example');
    expect((await post(1, '/api/v1/auth/logout', {}, { Cookie: cookie, 'X-CSRF-Token': csrf })).status).toBe(204);
    expect((await fetch(url(0, '/api/v1/me'), { headers: { Cookie: cookie } })).status).toBe(401);
  });

  test('failed sign-ins on one process count on the other', async () => {
    for (let i = 0; i < MAX_FAILURES; i++) {
      expect((await post(i % 2, '/api/v1/auth/login', { email: 'head@school.example', password: `wrong ${i}` })).status).toBe(401);
    }
    for (const i of [0, 1]) {
      const res = await post(i, '/api/v1/auth/login', { email: 'head@school.example', password: 'two processes, one school' });
      expect(res.status).toBe(429);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    }
  });
});
