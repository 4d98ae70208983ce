import { createTestDb, backend, type TestDb } from '../helpers/test-db';
import { explain, migrate, readMigrations } from '../../src/store/migrate';
import { MIGRATIONS_DIR, openDatabase } from '../../src/store/open';
import { StoreError } from '../../src/store/store-error';
import { toSql } from 'pgvector';
import { vectorParam } from '../../src/store/vector-param';
import { facesRepo } from '../../src/store/repos/faces';

/** A deterministic unit vector in 512-d pointing mostly along axis `axis`. */
function unit(axis: number, tilt = 0): number[] {
  const v = new Array(512).fill(0);
  v[axis] = 1;
  v[(axis + 1) % 512] = tilt;
  const n = Math.hypot(1, tilt);
  return v.map((x) => x / n);
}

describe(`store on ${backend}`, () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => {
    await t.cleanup();
  });

  test('migrations are recorded once and re-running them applies nothing', async () => {
    const rows = await t.db.query<{ version: string }>('SELECT version FROM schema_migrations ORDER BY version');
    expect(rows.map((r) => r.version)).toEqual(readMigrations(MIGRATIONS_DIR).map((m) => m.version));
    expect(await migrate(t.db, readMigrations(MIGRATIONS_DIR))).toEqual([]);
  });

  test('a failing migration is rolled back and not recorded', async () => {
    const before = await t.db.query('SELECT version FROM schema_migrations');
    const bad = { version: '999', name: 'broken', sql: 'CREATE TABLE will_vanish (id int); SELECT no_such_column FROM classes;' };
    await expect(migrate(t.db, [bad])).rejects.toThrow(StoreError);
    expect(await t.db.query('SELECT version FROM schema_migrations')).toEqual(before);
    const tables = await t.db.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'will_vanish'");
    expect(tables).toHaveLength(0);
  });

  test('a failing transaction leaves nothing behind', async () => {
    await expect(
      t.db.transaction(async (tx) => {
        await tx.query("INSERT INTO classes (code, name) VALUES ('TX-1', 'Rolled back')");
        await tx.query("INSERT INTO classes (code, name) VALUES ('TX-1', 'Duplicate code')");
      }),
    ).rejects.toThrow();
    expect(await t.db.query("SELECT * FROM classes WHERE code = 'TX-1'")).toHaveLength(0);
  });

  test('nearest() without a class uses the HNSW index and ranks by exact cosine, nearest first', async () => {
    const [s] = await t.db.query<{ id: string }>(
      "INSERT INTO students (student_id, name) VALUES ('NN-1', 'Nearest') RETURNING id",
    );
    // 300 rows so the planner prefers the index over a sequential scan. Axes 42, 170 and 298 share
    // one folded search key (they are 128 apart): only the exact ranking tells them apart.
    for (let i = 0; i < 300; i++) {
      await t.db.query(
        'INSERT INTO face_embeddings (student_pk, embedding, quality, detection_score, face_width) VALUES ($1, $2, 1, 1, 100)',
        [s.id, toSql(unit(i % 512, (i % 7) / 10))],
      );
    }
    const q = Float32Array.from(unit(170, 0.05));
    const plan = await t.db.transaction(async (tx) => {
      await tx.query('SET LOCAL enable_seqscan = off');
      const explaining = { ...tx, query: <T>(sql: string, params?: unknown[]) => tx.query<T>(`EXPLAIN ${sql}`, params) };
      return facesRepo.nearest(explaining, [q], 3, null);
    });
    expect(plan.map((r) => Object.values(r)[0]).join('\n')).toMatch(/Index Scan using face_embeddings_hnsw/);
    const rows = await facesRepo.nearest(t.db, [q], 3, null);
    expect(rows).toHaveLength(3);
    const exact = (axis: number) => unit(axis, (axis % 7) / 10).reduce((sum, x, i) => sum + x * q[i], 0);
    expect(rows[0].similarity).toBeCloseTo(exact(170), 5);
    expect(rows[0].similarity).toBeGreaterThan(rows[1].similarity);
    expect(rows[1].similarity).toBeGreaterThanOrEqual(rows[2].similarity);
  });

  test('a vector sent as a binary parameter arrives exactly, bit for bit', async () => {
    const v = Float32Array.from([0.1, -2.5, 3, 1e-7, -0, Math.fround(Math.PI), 123456.789]);
    const [row] = await t.db.query<{ text: string; dims: number }>('SELECT $1::vector::text AS text, vector_dims($1::vector) AS dims', [vectorParam(v)]);
    expect(row.dims).toBe(v.length);
    expect(Float32Array.from(JSON.parse(row.text) as number[])).toEqual(v);
  });

  test('a Buffer parameter is stored as its bytes, every byte value intact', async () => {
    const bytes = Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 37) % 256));
    const [row] = await t.db.query<{ hex: string; n: number }>("SELECT encode($1::bytea, 'hex') AS hex, length($1::bytea) AS n", [bytes]);
    expect(row.n).toBe(512);
    expect(row.hex).toBe(bytes.toString('hex'));
  });

  test('nearest() gives the same answer split across lanes as in one query', async () => {
    const [s] = await t.db.query<{ id: string }>("INSERT INTO students (student_id, name) VALUES ('LANE-1', 'Lanes') RETURNING id");
    const [other] = await t.db.query<{ id: string }>("INSERT INTO students (student_id, name) VALUES ('LANE-2', 'Other') RETURNING id");
    for (let i = 0; i < 40; i++) {
      await facesRepo.insert(t.db, i % 2 ? s.id : other.id, { embedding: Float32Array.from(unit(400 + i, 0.3)), quality: 1, detectionScore: 1, faceWidth: 100, crop: null });
    }
    const faces = Array.from({ length: 9 }, (_, i) => Float32Array.from(unit(400 + 3 * i, 0.1)));
    const split = await facesRepo.nearest({ ...t.db, parallelQueries: 4 }, faces, 3, null);
    const single = await facesRepo.nearest({ ...t.db, parallelQueries: 1 }, faces, 3, null);
    expect(split).toEqual(single);
    expect(new Set(split.map((n) => n.face))).toEqual(new Set(faces.keys()));
    for (const [i] of faces.entries()) {
      const best = split.find((n) => n.face === i)!;
      expect(best.studentId).toBe((3 * i) % 2 ? 'LANE-1' : 'LANE-2');
      expect(best.similarity).toBeGreaterThan(0.9);
    }
  });

  test('deleting a student erases their embeddings (ON DELETE CASCADE)', async () => {
    const [s] = await t.db.query<{ id: string }>(
      "INSERT INTO students (student_id, name) VALUES ('DEL-1', 'Gone') RETURNING id",
    );
    await t.db.query(
      'INSERT INTO face_embeddings (student_pk, embedding, quality, detection_score, face_width) VALUES ($1, $2, 1, 1, 100)',
      [s.id, toSql(unit(1))],
    );
    await t.db.query('DELETE FROM students WHERE id = $1', [s.id]);
    expect(await t.db.query('SELECT 1 FROM face_embeddings WHERE student_pk = $1', [s.id])).toHaveLength(0);
  });
});

(backend === 'pglite' ? describe : describe.skip)('embedded database directory', () => {
  test('a second open of a DATA_DIR in use is refused with a clear message', async () => {
    const t = await createTestDb();
    try {
      // Same process, so fake another live owner: the parent process.
      const fs = await import('node:fs');
      const path = await import('node:path');
      await t.db.close();
      fs.writeFileSync(path.join(t.options.dataDir, 'rollcall.lock'), String(process.ppid));
      await expect(openDatabase(t.options)).rejects.toThrow(/in use by process/);
      fs.rmSync(path.join(t.options.dataDir, 'rollcall.lock'));
      const again = await openDatabase(t.options);
      expect(await again.query('SELECT count(*)::int AS n FROM schema_migrations')).toEqual([{ n: readMigrations(MIGRATIONS_DIR).length }]);
      await again.close();
    } finally {
      await t.cleanup();
    }
  });

  test('data persists across restarts', async () => {
    const t = await createTestDb();
    try {
      // Created by a child process beside pglite/ and moved into place: nothing is left over.
      const fs = await import('node:fs');
      expect(fs.readdirSync(t.options.dataDir).sort()).toEqual(['pglite', 'rollcall.lock']);
      await t.db.query("INSERT INTO classes (code, name) VALUES ('KEEP-1', 'Kept')");
      await t.db.close();
      const again = await openDatabase(t.options);
      expect(await again.query("SELECT name FROM classes WHERE code = 'KEEP-1'")).toEqual([{ name: 'Kept' }]);
      await again.close();
    } finally {
      await t.cleanup();
    }
  });
});

(backend === 'postgres' ? describe : describe.skip)('real Postgres start-up errors', () => {
  test('an unreachable server is one clear line', async () => {
    await expect(openDatabase({ databaseUrl: 'postgres://root@127.0.0.1:1/nowhere', dataDir: '/tmp' })).rejects.toThrow(
      /cannot connect to Postgres at 127.0.0.1:1\/nowhere/,
    );
  });
});

describe('migration error messages', () => {
  test.each([
    ['extension "vector" is not available', /pgvector extension is not installed.*scripts\/install-pgvector\.sh.*CREATE EXTENSION vector/],
    ['could not open extension control file "/usr/share/postgresql/15/extension/vector.control": No such file or directory; extension "vector" is not available', /pgvector extension is not installed/],
    ['permission denied to create extension "vector"', /superuser/],
    ['syntax error at or near "FROM"', /^syntax error at or near "FROM"$/],
  ])('%s', (message, expected) => {
    expect(explain(new Error(message))).toMatch(expected);
  });
});

(backend === 'pglite' ? test : test.skip)('a corrupted embedded data directory is one clear error', async () => {
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rollcall-corrupt-'));
  fs.mkdirSync(path.join(dataDir, 'pglite'));
  fs.writeFileSync(path.join(dataDir, 'pglite', 'PG_VERSION'), 'not a version\n');
  fs.writeFileSync(path.join(dataDir, 'pglite', 'global'), 'garbage');
  await expect(openDatabase({ databaseUrl: null, dataDir })).rejects.toThrow(/could not be opened.*corrupted/);
  // The lock is released, so a repaired directory can be opened by the next start.
  expect(fs.existsSync(path.join(dataDir, 'rollcall.lock'))).toBe(false);
  fs.rmSync(dataDir, { recursive: true, force: true });
});
