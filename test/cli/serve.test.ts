import fs from 'node:fs';
import path from 'node:path';
import { backend, createTestDb, type TestDb } from '../helpers/test-db';
import { startServe as start } from '../helpers/serve-process';

describe(`rollcall serve on ${backend}`, () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
    await t.db.close();
  });
  afterAll(() => t.cleanup());

  test('first start creates and prints one API key; SIGTERM shuts down cleanly; restart keeps the key', async () => {
    const env = { DATA_DIR: t.options.dataDir, DATABASE_URL: t.options.databaseUrl ?? '' };
    const s = await start(env);
    const key = s.stdout().match(/\s(rc_[A-Za-z0-9_-]+)\s/)?.[1];
    expect(key).toBeDefined();
    expect(fs.readFileSync(path.join(t.options.dataDir, 'api-key.txt'), 'utf8').trim()).toBe(key);
    // No user yet: a one-time token for the first admin, printed and saved beside the key.
    const setupToken = s.stdout().match(/\s(setup_[A-Za-z0-9_-]{43})\s/)?.[1];
    expect(fs.readFileSync(path.join(t.options.dataDir, 'setup-token.txt'), 'utf8').trim()).toBe(setupToken);
    const health = await fetch(`http://127.0.0.1:${s.port}/health`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { database: string }).database).toBe(backend);
    expect((await fetch(`http://127.0.0.1:${s.port}/api/v1/classes`)).status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${s.port}/api/v1/classes`, { headers: { Authorization: `Bearer ${key}` } })).status).toBe(200);
    // One structured line per request, with its duration.
    const lines = s.stdout().split('\n').filter((l) => l.includes('"msg":"request"')).map((l) => JSON.parse(l));
    expect(lines).toEqual(expect.arrayContaining([expect.objectContaining({ method: 'GET', path: '/health', status: 200, ms: expect.any(Number) })]));
    expect(s.stdout()).not.toContain(`"${key}"`);

    if (backend === 'pglite') {
      // A second process on the same DATA_DIR is refused while the first runs.
      await expect(start(env)).rejects.toThrow(/in use by process/);
    }
    s.proc.kill('SIGTERM');
    expect(await s.exited).toBe(0);

    const again = await start(env);
    expect(again.stdout()).not.toMatch(/rc_/);
    expect((await fetch(`http://127.0.0.1:${again.port}/api/v1/classes`, { headers: { 'X-API-Key': key! } })).status).toBe(200);
    again.proc.kill('SIGINT');
    expect(await again.exited).toBe(0);
  });
});
