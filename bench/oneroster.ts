import os from 'node:os';
import { table } from '../src/cli/open-services';
import { readOneRosterBundle } from '../src/roster/oneroster/read-bundle';
import { OneRosterService } from '../src/services/oneroster';
import { CLI_ACTOR } from '../src/services/users';
import { createTestDb } from '../test/helpers/test-db';
import { makeSchool, zipBundle } from '../test/helpers/oneroster-bundle';
import { median, round1 } from './measure';

/**
 * OneRoster import at the size the issue promises (node dist/bench/oneroster.js): a school of
 * 2,000 students, 80 classes and 12,000 enrolments imports in at most 5 s on the 2-core machines.
 * Timed on the embedded database and on a real Postgres (DATABASE_URL, or the local server): the
 * bundle read and checked alone, a first import into an empty database (a fresh one per run),
 * the same bundle again (nothing to change) and a dry run.
 */

const TARGET_MS = 5000;
const RUNS = 3;
const LIMIT = 200 * 1024 * 1024;
const POSTGRES = process.env.DATABASE_URL || 'postgres://root@127.0.0.1:5432/postgres';

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function backendRows(backend: 'pglite' | 'postgres', zip: Buffer): Promise<(string | number)[][]> {
  // createTestDb makes a fresh database on the server named by DATABASE_URL, else an embedded one.
  if (backend === 'postgres') process.env.DATABASE_URL = POSTGRES;
  else delete process.env.DATABASE_URL;
  const first: number[] = [];
  const again: number[] = [];
  const dry: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = await createTestDb();
    try {
      const service = new OneRosterService(t.db, LIMIT);
      first.push(await timed(() => service.import(zip, 'bench.zip', { dryRun: false, by: CLI_ACTOR })));
      again.push(await timed(() => service.import(zip, 'bench.zip', { dryRun: false, by: CLI_ACTOR })));
      dry.push(await timed(() => service.import(zip, 'bench.zip', { dryRun: true, by: CLI_ACTOR })));
    } finally {
      await t.cleanup();
    }
  }
  const m = median(first);
  return [
    [`first import (${backend})`, round1(m), `≤ ${TARGET_MS}`, m <= TARGET_MS ? 'yes' : 'NO'],
    [`import again, no change (${backend})`, round1(median(again)), '', ''],
    [`dry run (${backend})`, round1(median(dry)), '', ''],
  ];
}

async function main() {
  const zip = await zipBundle(makeSchool({ students: 2000, classes: 80, perStudent: 6 }));
  process.stdout.write(`bundle: 2,000 students, 80 classes, 40 teachers, 12,080 enrolments, ${round1(zip.length / 1024)} KiB zipped; ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(2)}; median of ${RUNS}\n`);
  const read: number[] = [];
  for (let i = 0; i < RUNS; i++) read.push(await timed(() => readOneRosterBundle(zip, 'bench.zip', LIMIT)));
  const rows: (string | number)[][] = [['measure', 'median ms', 'target', 'met'], ['read and check the bundle', round1(median(read)), '', '']];
  for (const backend of ['pglite', 'postgres'] as const) {
    const r = await backendRows(backend, zip).catch((e: Error) => {
      process.stdout.write(`${backend}: skipped (${e.message})\n`);
      return [];
    });
    rows.push(...r);
  }
  process.stdout.write(table(rows));
}

void main();
