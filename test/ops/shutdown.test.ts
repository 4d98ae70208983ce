import fs from 'node:fs';
import path from 'node:path';
import { backend, createTestDb, type TestDb } from '../helpers/test-db';
import { fixturePath } from '../helpers/fixtures';
import { startServe, type ServeProcess } from '../helpers/serve-process';

const KEY = 'ops-shutdown-key-0123456789';
const PHOTO = fs.readFileSync(fixturePath('group/cf_000_5.jpg'));

function recognise(s: ServeProcess): Promise<Response> {
  const form = new FormData();
  form.append('file', new Blob([PHOTO]), 'class.jpg');
  return fetch(`${s.url}/api/v1/recognitions`, { method: 'POST', headers: { 'X-API-Key': KEY }, body: form });
}

async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 20));
}

/** Photos in the server's inference queue, running or waiting. */
async function queued(s: ServeProcess): Promise<number> {
  const { queue } = (await (await fetch(`${s.url}/health`)).json()) as { queue: { running: number; waiting: number } };
  return queue.running + queue.waiting;
}

describe(`graceful shutdown under load on ${backend}`, () => {
  let t: TestDb;
  let env: Record<string, string>;
  beforeAll(async () => {
    t = await createTestDb();
    await t.db.close();
    env = { DATA_DIR: t.options.dataDir, DATABASE_URL: t.options.databaseUrl ?? '', API_KEYS: KEY, RATE_LIMIT_PER_MIN: '0', INFERENCE_CONCURRENCY: '1' };
  });
  const started: ServeProcess[] = [];
  const start = async (extra: Record<string, string> = {}) => {
    const s = await startServe({ ...env, ...extra });
    started.push(s);
    return s;
  };
  afterAll(async () => {
    for (const s of started) if (s.proc.exitCode === null && s.proc.signalCode === null) s.proc.kill('SIGKILL');
    await t.cleanup();
  });

  test('SIGTERM while photos are recognised: they finish, new requests get 503 shutting_down, exit 0, database closed', async () => {
    const s = await start();
    const inFlight = [recognise(s), recognise(s), recognise(s)];
    await until(async () => (await queued(s)) === 3);
    s.proc.kill('SIGTERM');
    await until(async () => (await fetch(`${s.url}/health/ready`)).status === 503);
    const ready = (await (await fetch(`${s.url}/health/ready`)).json()) as { error: { code: string } };
    expect(ready.error.code).toBe('shutting_down');
    expect((await fetch(`${s.url}/health/live`)).status).toBe(200);
    for (const late of [await recognise(s), await fetch(`${s.url}/api/v1/classes`, { headers: { 'X-API-Key': KEY } })]) {
      expect(late.status).toBe(503);
      expect(((await late.json()) as { error: { code: string } }).error.code).toBe('shutting_down');
      expect(late.headers.get('retry-after')).toBe('1');
    }
    for (const res of await Promise.all(inFlight)) {
      expect(res.status).toBe(200);
      expect(((await res.json()) as { faces: unknown[] }).faces.length).toBeGreaterThan(0);
    }
    expect(await s.exited).toBe(0);
    expect(s.stdout()).toContain('"msg":"stopped"');
    expect(s.stderr()).toBe('');
    // Closed cleanly: the embedded database's lock and the service address are gone.
    expect(fs.existsSync(path.join(t.options.dataDir, 'rollcall.lock'))).toBe(false);
    expect(fs.existsSync(path.join(t.options.dataDir, 'serve.json'))).toBe(false);
  });

  test('requests longer than SHUTDOWN_TIMEOUT_MS do not hold the exit: it warns and still exits 0', async () => {
    const s = await start({ SHUTDOWN_TIMEOUT_MS: '1000' });
    const inFlight = Array.from({ length: 6 }, () => recognise(s).catch(() => null));
    await until(async () => (await queued(s)) === 6);
    s.proc.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    expect(s.stderr()).toContain('"msg":"shutdown timeout: closing with requests still in flight"');
    await Promise.all(inFlight);
    // The next start finds the database in order.
    const again = await start();
    expect((await fetch(`${again.url}/health`)).status).toBe(200);
    again.proc.kill('SIGINT');
    expect(await again.exited).toBe(0);
  });
});
