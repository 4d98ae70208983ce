import fs from 'node:fs';
import path from 'node:path';
import { backend, createTestDb, type TestDb } from '../helpers/test-db';
import { startServe, type ServeProcess } from '../helpers/serve-process';

const KEY = 'ops-crash-key-0123456789';
const headers = { 'X-API-Key': KEY, 'Content-Type': 'application/json' };
const ROUNDS = 3;
const WRITERS = 4;
/** Acknowledged writes per round before the kill; the writers keep going until it lands. */
const WRITES_BEFORE_KILL = 30;

/** Creates students from several writers at once until the server dies; returns the acknowledged IDs. */
function writeUntilDead(s: ServeProcess, round: number, acked: string[]): Promise<void> {
  let next = 0;
  const writer = async () => {
    for (;;) {
      const id = `R${round}-${next++}`;
      try {
        const res = await fetch(`${s.url}/api/v1/students`, { method: 'POST', headers, body: JSON.stringify({ student_id: id, name: `Student ${id}` }) });
        if (res.status === 201) acked.push(id);
      } catch {
        return; // the connection died with the process
      }
    }
  };
  return Promise.all(Array.from({ length: WRITERS }, writer)).then(() => undefined);
}

async function missing(s: ServeProcess, ids: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const id of ids) if ((await fetch(`${s.url}/api/v1/students/${id}`, { headers })).status !== 200) out.push(id);
  return out;
}

describe(`crash safety on ${backend}: SIGKILL during writes`, () => {
  let t: TestDb;
  let current: ServeProcess | undefined;
  beforeAll(async () => {
    t = await createTestDb();
    await t.db.close();
  });
  afterAll(async () => {
    if (current && current.proc.exitCode === null && current.proc.signalCode === null) current.proc.kill('SIGKILL');
    await t.cleanup();
  });

  test(`${ROUNDS} kills: every acknowledged write survives and a stale lock file does not stop the next start`, async () => {
    const env = { DATA_DIR: t.options.dataDir, DATABASE_URL: t.options.databaseUrl ?? '', API_KEYS: KEY, RATE_LIMIT_PER_MIN: '0' };
    const acked: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      current = await startServe(env);
      expect(await missing(current, acked)).toEqual([]);
      const target = acked.length + WRITES_BEFORE_KILL;
      const writing = writeUntilDead(current, round, acked);
      while (acked.length < target) await new Promise((r) => setTimeout(r, 5));
      current.proc.kill('SIGKILL');
      await writing;
      expect(await current.exited).toBeNull();
      if (backend === 'pglite') {
        // The lock file of the killed process is left behind, naming a pid that is gone.
        expect(fs.readFileSync(path.join(t.options.dataDir, 'rollcall.lock'), 'utf8')).toBe(String(current.proc.pid));
      }
    }
    current = await startServe(env);
    expect(await missing(current, acked)).toEqual([]);
    expect(acked.length).toBeGreaterThanOrEqual(ROUNDS * WRITES_BEFORE_KILL);
    current.proc.kill('SIGTERM');
    expect(await current.exited).toBe(0);
  });
});
