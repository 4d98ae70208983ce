import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { backend } from '../helpers/test-db';
import { fixturePath } from '../helpers/fixtures';
import { runCli, startServe, type ServeProcess } from '../helpers/serve-process';

const KEY = 'ops-backup-key-0123456789';
const headers = { 'X-API-Key': KEY };
const tmp = (name: string) => fs.mkdtempSync(path.join(os.tmpdir(), `rollcall-${name}-`));

async function call(s: ServeProcess, method: string, route: string, body?: unknown): Promise<{ status: number; body: unknown; text: string }> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)['Content-Type'] = 'application/json';
  }
  const res = await fetch(`${s.url}${route}`, init);
  const text = await res.text();
  const json = res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : null;
  return { status: res.status, body: json, text };
}

const photoForm = (file: string, fields: Record<string, string> = {}, field = 'file') => {
  const f = new FormData();
  f.append(field, new Blob([fs.readFileSync(fixturePath(file))]), path.basename(file));
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  return f;
};

/** Everything a school would compare after a restore, read through the API. */
async function snapshot(s: ServeProcess, classId: string) {
  const sessions = (await call(s, 'GET', `/api/v1/classes/${classId}/sessions`)).body as { id: string }[];
  const perSession = [];
  for (const { id } of sessions) {
    perSession.push({
      session: (await call(s, 'GET', `/api/v1/sessions/${id}`)).body,
      csv: (await call(s, 'GET', `/api/v1/sessions/${id}/attendance.csv`)).text,
    });
  }
  const recognised = (await call(s, 'POST', '/api/v1/recognitions', photoForm('people/obama/obama2.jpg'))).body as { faces: unknown[] };
  return {
    classes: (await call(s, 'GET', '/api/v1/classes')).body,
    students: (await call(s, 'GET', `/api/v1/classes/${classId}/students`)).body,
    sessions,
    perSession,
    matrix: (await call(s, 'GET', `/api/v1/classes/${classId}/attendance.csv`)).text,
    // Same embeddings → the same faces, names and similarities.
    faces: recognised.faces,
  };
}

const describeEmbedded = backend === 'pglite' ? describe : describe.skip;

describeEmbedded('backup and restore of the embedded database (PostgreSQL uses pg_dump; see the test below)', () => {
  const dataDir = tmp('live');
  const backupDir = tmp('scheduled');
  const work = tmp('files');
  const file = path.join(work, 'school.rcbackup');
  let live: ServeProcess;
  let classId: string;
  afterAll(() => {
    for (const d of [dataDir, backupDir, work]) fs.rmSync(d, { recursive: true, force: true });
  });

  test('a school at work: enrolled students, recorded sessions, a correction; a scheduled backup at start', async () => {
    live = await startServe({ DATA_DIR: dataDir, API_KEYS: KEY, RATE_LIMIT_PER_MIN: '0', BACKUP_DIR: backupDir, BACKUP_KEEP: '2' });
    classId = ((await call(live, 'POST', '/api/v1/classes', { code: 'OPS-1', name: 'Backups' })).body as { id: string }).id;
    const roster = new FormData();
    roster.append('file', new Blob(['Student ID,Name\nS-obama,Barack Obama\nS-biden,Joe Biden\nS-kit,Kit Harington\n']), 'roster.csv');
    expect((await call(live, 'POST', `/api/v1/classes/${classId}/roster`, roster)).status).toBe(200);
    for (const [id, photo] of [['S-obama', 'people/obama/obama.jpg'], ['S-biden', 'people/biden/biden.jpg']]) {
      expect((await call(live, 'POST', `/api/v1/students/${id}/consent`, { state: 'granted' })).status).toBe(200);
      expect((await call(live, 'POST', `/api/v1/students/${id}/faces`, photoForm(photo, {}, 'images'))).status).toBe(201);
    }
    const first = await call(live, 'POST', '/api/v1/recognitions', photoForm('group/two_people.jpg', { class_id: classId, record: 'true' }));
    expect((first.body as { present: unknown[] }).present).toHaveLength(2);
    await call(live, 'POST', '/api/v1/recognitions', photoForm('people/obama/obama2.jpg', { class_id: classId, record: 'true' }));
    const session = (first.body as { session_id: string }).session_id;
    expect((await call(live, 'PATCH', `/api/v1/sessions/${session}/attendance/S-kit`, { status: 'excused', note: 'dentist' })).status).toBe(200);
    expect(live.stdout()).toContain('"msg":"backup written"');
    expect(fs.readdirSync(backupDir).filter((f) => f.endsWith('.rcbackup'))).toHaveLength(1);
  });

  test('rollcall backup while serve holds DATA_DIR asks the service; verify-backup counts what it holds', async () => {
    const out = await runCli(['backup', file], { DATA_DIR: dataDir, API_KEYS: KEY });
    expect(out.stderr).toBe('');
    expect(out.stdout).toMatch(/from the service at http:\/\/127\.0\.0\.1/);
    const verified = await runCli(['verify-backup', file], {});
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/1 classes, 3 students, 2 face embeddings, 2 sessions/);
  });

  test('a truncated, damaged or foreign file is refused naming the problem, and the target stays as it was', async () => {
    const whole = fs.readFileSync(file);
    const truncated = path.join(work, 'truncated.rcbackup');
    fs.writeFileSync(truncated, whole.subarray(0, Math.floor(whole.length / 2)));
    const damaged = path.join(work, 'damaged.rcbackup');
    const flipped = Buffer.from(whole);
    flipped[flipped.length - 100] ^= 0xff;
    fs.writeFileSync(damaged, flipped);
    const cases: [string, RegExp][] = [
      [truncated, /invalid_backup: .*truncated: \d+ of \d+ payload bytes/],
      [damaged, /invalid_backup: .*checksum does not match/],
      [fixturePath('people/obama/obama.jpg'), /invalid_backup: .*not a Rollcall backup/],
      [path.join(work, 'missing.rcbackup'), /backup_unreadable: .*ENOENT/],
    ];
    const target = tmp('target');
    try {
      for (const [bad, problem] of cases) {
        const verified = await runCli(['verify-backup', bad], {});
        expect({ bad, code: verified.code, stderr: verified.stderr }).toEqual({ bad, code: 1, stderr: expect.stringMatching(problem) });
        const restored = await runCli(['restore', bad], { DATA_DIR: target });
        expect({ bad, code: restored.code, stderr: restored.stderr }).toEqual({ bad, code: 1, stderr: expect.stringMatching(problem) });
        expect(fs.readdirSync(target)).toEqual([]);
      }
      expect(fs.readdirSync(path.dirname(target)).filter((f) => f.startsWith(`${path.basename(target)}.restoring`))).toEqual([]);
    } finally {
      fs.rmSync(target, { recursive: true, force: true });
    }
    // A non-empty DATA_DIR (here the live one) is never restored into.
    const before = fs.readdirSync(dataDir).sort();
    const refused = await runCli(['restore', file], { DATA_DIR: dataDir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/data_dir_not_empty: DATA_DIR .* is not empty/);
    expect(fs.readdirSync(dataDir).sort()).toEqual(before);
  });

  test('restored into a new DATA_DIR and started: the same students, embeddings, sessions and exports', async () => {
    const restoredDir = path.join(work, 'restored');
    const out = await runCli(['restore', file], { DATA_DIR: restoredDir });
    expect(out.stderr).toBe('');
    expect(out.stdout).toMatch(/restored into .*3 students, 2 face embeddings, 2 sessions/);
    const copy = await startServe({ DATA_DIR: restoredDir, API_KEYS: KEY, RATE_LIMIT_PER_MIN: '0' });
    try {
      const [expected, actual] = [await snapshot(live, classId), await snapshot(copy, classId)];
      expect(actual).toEqual(expected);
      expect((actual.students as { faces: number }[]).map((s) => s.faces)).toEqual([1, 0, 1]); // S-biden, S-kit, S-obama
    } finally {
      copy.proc.kill('SIGTERM');
      expect(await copy.exited).toBe(0);
    }
  });

  test('with the service stopped, rollcall backup reads DATA_DIR itself', async () => {
    live.proc.kill('SIGTERM');
    expect(await live.exited).toBe(0);
    const offline = path.join(work, 'offline.rcbackup');
    const out = await runCli(['backup', offline], { DATA_DIR: dataDir, API_KEYS: KEY });
    expect(out.stdout).toMatch(new RegExp(`from ${dataDir}`));
    expect((await runCli(['verify-backup', offline], {})).stdout).toMatch(/3 students, 2 face embeddings, 2 sessions/);
  });
});

(backend === 'postgres' ? describe : describe.skip)('backups on PostgreSQL', () => {
  test('rollcall backup points to pg_dump, and BACKUP_DIR is refused at start', async () => {
    const out = await runCli(['backup', path.join(os.tmpdir(), 'never.rcbackup')], {});
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/backup_unsupported: .*pg_dump/);
    const serve = await runCli(['serve'], { BACKUP_DIR: os.tmpdir() });
    expect(serve.code).toBe(1);
    expect(serve.stderr).toMatch(/invalid setting BACKUP_DIR: .*pg_dump/);
  });
});
