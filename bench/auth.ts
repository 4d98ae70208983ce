import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { loadConfig } from '../src/config';
import { table } from '../src/cli/open-services';
import { ApiKeys } from '../src/services/api-keys';
import { hashPassword, verifyPassword, ARGON2_PARAMS } from '../src/services/passwords';
import { Policy } from '../src/services/policy';
import { SignInService } from '../src/services/sign-in';
import { CLI_ACTOR, UsersService } from '../src/services/users';
import { ClassesService } from '../src/services/classes';
import type { Db } from '../src/store/db';
import { openDatabase } from '../src/store/open';
import { median, percentile, timeRuns } from './measure';

/**
 * What accounts cost (node dist/bench/auth.js): one argon2id hash and verify (target 50–250 ms on
 * the 2-core machines), and the per-request check of a session cookie and of a user's API key,
 * each followed by the policy's decision for a class route (target ≤ 2 ms at the median), on the
 * embedded database and on a real Postgres (DATABASE_URL, or the local server).
 */

const HASH_TARGET_MS: [number, number] = [50, 250];
const CHECK_TARGET_MS = 2;
const HASH_RUNS = 10;
const CHECK_RUNS = 500;
const ADMIN_URL = process.env.DATABASE_URL || 'postgres://root@127.0.0.1:5432/postgres';

async function withDatabase<T>(backend: 'pglite' | 'postgres', fn: (db: Db) => Promise<T>): Promise<T> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rollcall-bench-auth-'));
  const name = `rollcall_bench_auth_${process.pid}`;
  let url: string | null = null;
  const admin = async (sql: string) => {
    const c = new Client({ connectionString: ADMIN_URL });
    await c.connect();
    await c.query(sql).finally(() => c.end());
  };
  if (backend === 'postgres') {
    await admin(`CREATE DATABASE ${name}`);
    const u = new URL(ADMIN_URL);
    u.pathname = `/${name}`;
    url = u.toString();
  }
  const db = await openDatabase({ databaseUrl: url, dataDir });
  try {
    return await fn(db);
  } finally {
    await db.close();
    if (url) await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Two decimals: a check takes well under a millisecond. */
const round2 = (x: number) => Math.round(x * 100) / 100;
const stats = (ms: number[]) => ({ median: round2(median(ms)), p90: round2(percentile(ms, 90)) });

/** Session and key checks with the policy's decision for a teacher's class route. */
async function checks(db: Db) {
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
  const users = new UsersService(db);
  const signIn = new SignInService(db, config, users);
  const keys = new ApiKeys(db, []);
  const policy = new Policy(db);
  await new ClassesService(db).create({ code: 'BENCH', name: 'Bench' });
  const teacher = await users.create({ email: 'bench@school.example', name: 'Bench', role: 'teacher', password: 'a bench password', classes: ['BENCH'] }, CLI_ACTOR);
  const { token } = await signIn.startSession(teacher.id);
  const principal = await signIn.authenticate(token);
  const { key } = await keys.createOwn(principal!, { name: 'bench' });
  const target = { params: { classId: 'BENCH' } };
  const bySession = async () => policy.authorize(await signIn.authenticate(token), 'showClass', 'class:classId', target);
  const byKey = async () => policy.authorize(await keys.authenticate(key), 'showClass', 'class:classId', target);
  // Interleaved, so that neither is measured while the other's warm-up or a GC after the hashes runs.
  const session: number[] = [];
  const apiKey: number[] = [];
  for (let i = 0; i < CHECK_RUNS; i++) {
    session.push((await timeRuns(1, bySession))[0].ms);
    apiKey.push((await timeRuns(1, byKey))[0].ms);
  }
  return { session: stats(session), key: stats(apiKey) };
}

async function main() {
  const hashes = await timeRuns(HASH_RUNS, () => hashPassword('correct horse battery staple'));
  const stored = hashes[0].value;
  const verifies = await timeRuns(HASH_RUNS, () => verifyPassword(stored, 'correct horse battery staple'));
  const hash = stats(hashes.map((s) => s.ms));
  const verify = stats(verifies.map((s) => s.ms));
  process.stdout.write(`argon2id m=${ARGON2_PARAMS.memoryCost} KiB t=${ARGON2_PARAMS.timeCost} p=${ARGON2_PARAMS.parallelism}, ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(2)}\n`);
  const rows: (string | number)[][] = [['measure', 'median ms', 'p90 ms', 'target', 'met']];
  const inRange = (x: number) => x >= HASH_TARGET_MS[0] && x <= HASH_TARGET_MS[1];
  rows.push(['password hash', hash.median, hash.p90, `${HASH_TARGET_MS[0]}-${HASH_TARGET_MS[1]}`, inRange(hash.median) ? 'yes' : 'NO']);
  rows.push(['password verify', verify.median, verify.p90, `${HASH_TARGET_MS[0]}-${HASH_TARGET_MS[1]}`, inRange(verify.median) ? 'yes' : 'NO']);
  for (const backend of ['pglite', 'postgres'] as const) {
    const r = await withDatabase(backend, checks).catch((e: Error) => {
      process.stdout.write(`${backend}: skipped (${e.message})\n`);
      return null;
    });
    if (!r) continue;
    rows.push([`session check + policy (${backend})`, r.session.median, r.session.p90, `≤ ${CHECK_TARGET_MS}`, r.session.median <= CHECK_TARGET_MS ? 'yes' : 'NO']);
    rows.push([`key check + policy (${backend})`, r.key.median, r.key.p90, `≤ ${CHECK_TARGET_MS}`, r.key.median <= CHECK_TARGET_MS ? 'yes' : 'NO']);
  }
  process.stdout.write(table(rows));
}

void main();
