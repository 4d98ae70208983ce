import fs from 'node:fs';
import type { Server } from 'node:http';
import { loadConfig, pipelineOptions, type Config } from '../src/config';
import { createLogger } from '../src/logger';
import { createApp } from '../src/http/app';
import { createServices } from '../src/services/services';
import type { Db, Queryable } from '../src/store/db';
import { openDatabase } from '../src/store/open';
import { classesRepo } from '../src/store/repos/classes';
import { facesRepo, type Neighbour } from '../src/store/repos/faces';
import { studentsRepo } from '../src/store/repos/students';
import { FacePipeline } from '../src/vision/pipeline';
import { median, round1, timeRuns } from './measure';

/**
 * The server side of `npm run bench:api`, forked once per backend by bench/api.ts so that its
 * peak RSS is the service's own, not the load generator's. It opens the database named by
 * DATABASE_URL (empty: PGlite under DATA_DIR), seeds synthetic students, serves the real app on
 * 127.0.0.1 and answers the parent's commands over IPC.
 */

/** Synthetic students enrolled before the recognition and load runs. */
export const STUDENTS = 1000;
export const SEARCH_FACES = 30;
export const SEARCH_EMBEDDINGS = 10_000;
export const CLASS_SIZE = 30;
/** What the recognition service asks for per face (its NEIGHBOURS_PER_FACE). */
export const SEARCH_K = 20;
export const SEARCH_RUNS = 10;
const EMBEDDING_DIM = 512;

export type Command =
  | { cmd: 'usage' }
  /** Grows the store to SEARCH_EMBEDDINGS and times nearest-neighbour search with the faces of `photo`. */
  | { cmd: 'search'; photo: string; classStudentIds: string[] }
  | { cmd: 'stop' };

export interface Ready {
  port: number;
  students: number;
  embeddings: number;
}

export interface Usage {
  /** Lifetime peak: maxRSS never goes down. */
  maxRssMb: number;
  /** CPU time of the whole process (every thread), user + system. */
  cpuMs: number;
}

export interface SearchResult {
  embeddings: number;
  globalMs: number[];
  classMs: number[];
  globalMedianMs: number;
  /** The same search as one query on one connection, as PGlite always runs it (on PGlite, the same as globalMs). */
  oneQueryMedianMs: number;
  classMedianMs: number;
  /** Faces of the photo an exact scan matches (best similarity ≥ the threshold)… */
  matchable: number;
  /** …and of those, the faces whose best student by the index is the same. */
  matchableAgree: number;
  /** Planted queries (see planted()) whose own student comes first: by the index, by an exact scan. */
  planted: { queries: number; similarity: number; found: number; foundExact: number; medianMs: number };
  /** EXPLAIN (ANALYZE) of the global query, one line per element. */
  plan: string[];
  hnswUsed: boolean;
}

/**
 * Gaussian components (Box–Muller), normalised: a direction uniform on the sphere, like an unseen
 * face. Not seeded: search cost depends on the distribution, not on the particular vectors.
 */
function randomUnit(): Float32Array {
  const v = new Float32Array(EMBEDDING_DIM);
  let norm = 0;
  for (let i = 0; i < v.length; i++) {
    v[i] = Math.sqrt(-2 * Math.log(1 - Math.random())) * Math.cos(2 * Math.PI * Math.random());
    norm += v[i] * v[i];
  }
  norm = Math.sqrt(norm);
  for (let i = 0; i < v.length; i++) v[i] /= norm;
  return v;
}

const syntheticId = (i: number) => `BENCH${String(i).padStart(5, '0')}`;

/**
 * Inserts synthetic students `first`, `first + 1`, … with facesPer[i] random embeddings each, through
 * the repositories, in one transaction. The HNSW index is dropped and recreated from its own
 * definition around the inserts: one build over the batch takes a third of the time of 10,000
 * incremental index inserts on PGlite (about 30 s instead of 85 s on 2 cores).
 */
async function addSynthetic(db: Db, first: number, facesPer: number[]): Promise<void> {
  const [{ indexdef }] = await db.query<{ indexdef: string }>(
    `SELECT indexdef FROM pg_indexes WHERE indexname = 'face_embeddings_hnsw'`,
  );
  await db.transaction(async (tx) => {
    await tx.query('DROP INDEX face_embeddings_hnsw');
    for (const [i, n] of facesPer.entries()) {
      const id = syntheticId(first + i);
      const student = await studentsRepo.insert(tx, id, `Synthetic ${id}`, null);
      if (!student) throw new Error(`student ${id} already exists`);
      for (let j = 0; j < n; j++) {
        await facesRepo.insert(tx, student.id, { embedding: randomUnit(), quality: 0.9, detectionScore: 0.9, faceWidth: 120, crop: null });
      }
    }
    await tx.query(indexdef);
  });
  // The statistics autovacuum would have gathered after such a load on Postgres (PGlite runs no
  // autovacuum), so every run plans from the same numbers.
  await db.query('ANALYZE');
}

async function counts(db: Db): Promise<{ students: number; embeddings: number }> {
  const [r] = await db.query<{ students: number; embeddings: number }>(
    'SELECT (SELECT count(*)::int FROM students) AS students, (SELECT count(*)::int FROM face_embeddings) AS embeddings',
  );
  return r;
}

/** Synthetic student i has 1, 2 or 3 embeddings in turn, as enrolment photos come. */
const facesOf = (i: number) => 1 + (i % 3);

async function search(db: Db, config: Config, pipeline: FacePipeline, cmd: Extract<Command, { cmd: 'search' }>): Promise<SearchResult> {
  // Synthetic students STUDENTS, STUDENTS + 1, … until the store holds exactly SEARCH_EMBEDDINGS.
  const facesPer: number[] = [];
  for (let left = SEARCH_EMBEDDINGS - (await counts(db)).embeddings; left > 0; left -= facesPer[facesPer.length - 1]) {
    facesPer.push(Math.min(left, facesOf(STUDENTS + facesPer.length)));
  }
  await addSynthetic(db, STUDENTS, facesPer);

  // The real faces of the benchmark photo, so the query vectors are what the service would send.
  const { faces } = await pipeline.run(fs.readFileSync(cmd.photo), pipelineOptions(config));
  if (faces.length === 0) throw new Error('no face found in the benchmark photo');
  const queries = Array.from({ length: SEARCH_FACES }, (_, i) => faces[i % faces.length].embedding);

  const members = await studentsRepo.byStudentIds(db, [
    ...cmd.classStudentIds,
    ...Array.from({ length: CLASS_SIZE - cmd.classStudentIds.length }, (_, i) => syntheticId(i)),
  ]);
  const cls = await classesRepo.insert(db, 'BENCH-30', 'Benchmark class', null);
  if (!cls) throw new Error('class BENCH-30 already exists');
  await classesRepo.addMembers(db, cls.id, members.map((m) => m.id));

  const globalMs = (await timeRuns(SEARCH_RUNS, () => facesRepo.nearest(db, queries, SEARCH_K, null))).map((s) => round1(s.ms));
  const oneQueryMs = (await timeRuns(SEARCH_RUNS, () => facesRepo.nearest({ ...db, parallelQueries: 1 }, queries, SEARCH_K, null))).map((s) => round1(s.ms));
  const classMs = (await timeRuns(SEARCH_RUNS, () => facesRepo.nearest(db, queries, SEARCH_K, cls.id))).map((s) => round1(s.ms));

  // What the approximate index loses: the same query with index scans off is an exact scan.
  const approx = await facesRepo.nearest(db, queries, SEARCH_K, null);
  const exact = await exactNearest(db, queries);
  const matchable = queries.map((_, i) => exact.find((n) => n.face === i)).filter((n) => n && n.similarity >= config.matchThreshold) as Neighbour[];
  const matchableAgree = matchable.filter((e) => approx.find((n) => n.face === e.face)?.studentId === e.studentId).length;

  // The repository's own SQL under EXPLAIN, so the plan shown is the plan of the query the service sends.
  const explaining: Queryable = {
    parallelQueries: 1,
    query: <T>(sql: string, params?: unknown[]) => db.query<T>(`EXPLAIN (ANALYZE) ${sql}`, params),
    exec: (sql) => db.exec(sql),
  };
  const rows = (await facesRepo.nearest(explaining, queries, SEARCH_K, null)) as unknown as { 'QUERY PLAN': string }[];
  const plan = rows.map((r) => r['QUERY PLAN']);
  return {
    embeddings: (await counts(db)).embeddings,
    globalMs,
    classMs,
    globalMedianMs: round1(median(globalMs)),
    oneQueryMedianMs: round1(median(oneQueryMs)),
    classMedianMs: round1(median(classMs)),
    matchable: matchable.length,
    matchableAgree,
    planted: await planted(db),
    plan,
    hnswUsed: plan.some((line) => line.includes('face_embeddings_hnsw')),
  };
}

/** facesRepo.nearest with index scans off: the exact answer the index approximates. */
function exactNearest(db: Db, queries: Float32Array[]): Promise<Neighbour[]> {
  return db.transaction(async (tx) => {
    await tx.query('SET LOCAL enable_indexscan = off');
    return facesRepo.nearest(tx, queries, SEARCH_K, null);
  });
}

/** Planted queries, in batches of SEARCH_FACES, and how similar each is to the embedding it was made from. */
export const PLANTED_BATCHES = 10;
const PLANTED_QUERIES = PLANTED_BATCHES * SEARCH_FACES;
const PLANTED_SIMILARITY = 0.5;

/**
 * Recall where it matters: PLANTED_QUERIES stored synthetic embeddings, each turned away from
 * itself to similarity PLANTED_SIMILARITY (about the lowest same-person similarity on the
 * fixtures), looked up among all the others. A query whose own student is not first would be an
 * enrolled student left unknown.
 */
async function planted(db: Db): Promise<SearchResult['planted']> {
  const rows = await db.query<{ student_id: string; embedding: string }>(
    `SELECT s.student_id, e.embedding::text AS embedding FROM face_embeddings e JOIN students s ON s.id = e.student_pk
     WHERE s.student_id LIKE 'BENCH%' ORDER BY e.id LIMIT $1`,
    [PLANTED_QUERIES],
  );
  const queries = rows.map((r) => {
    const v = Float32Array.from(JSON.parse(r.embedding) as number[]);
    const noise = randomUnit();
    // The part of the noise orthogonal to v, normalised, mixed in so that cos(v, query) = PLANTED_SIMILARITY.
    const along = noise.reduce((sum, x, i) => sum + x * v[i], 0);
    const ortho = noise.map((x, i) => x - along * v[i]);
    const n = Math.hypot(...ortho);
    const s = PLANTED_SIMILARITY;
    return v.map((x, i) => s * x + Math.sqrt(1 - s * s) * (ortho[i] / n));
  });
  let found = 0;
  let foundExact = 0;
  const ms: number[] = [];
  for (let first = 0; first < queries.length; first += SEARCH_FACES) {
    const batch = queries.slice(first, first + SEARCH_FACES);
    const own = (n: Neighbour[], i: number) => n.find((x) => x.face === i)?.studentId === rows[first + i].student_id;
    const [timed] = await timeRuns(1, () => facesRepo.nearest(db, batch, SEARCH_K, null));
    ms.push(timed.ms);
    const exact = await exactNearest(db, batch);
    found += batch.filter((_, i) => own(timed.value, i)).length;
    foundExact += batch.filter((_, i) => own(exact, i)).length;
  }
  return { queries: queries.length, similarity: PLANTED_SIMILARITY, found, foundExact, medianMs: round1(median(ms)) };
}

async function main(): Promise<void> {
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent', HOST: '127.0.0.1', PORT: '0' });
  const db = await openDatabase(config);
  const pipeline = await FacePipeline.load(config.modelsDir);
  const app = createApp({ config, log: createLogger('silent'), services: createServices(config, db, pipeline) });
  await addSynthetic(db, 0, Array.from({ length: STUDENTS }, (_, i) => facesOf(i)));

  const server: Server = app.listen(config.port, config.host);
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('server has no TCP address');
  const ready: Ready = { port: addr.port, ...(await counts(db)) };
  process.send!(ready);

  process.on('message', (msg: Command) => {
    const reply = async () => {
      switch (msg.cmd) {
        case 'usage': {
          const { maxRSS, userCPUTime, systemCPUTime } = process.resourceUsage();
          return process.send!({ maxRssMb: Math.round(maxRSS / 1024), cpuMs: (userCPUTime + systemCPUTime) / 1000 } satisfies Usage);
        }
        case 'search':
          return process.send!(await search(db, config, pipeline, msg));
        case 'stop':
          server.closeAllConnections();
          await new Promise((resolve) => server.close(resolve));
          await db.close();
          process.exit(0);
      }
    };
    reply().catch(fail);
  });
}

function fail(err: unknown): never {
  console.error(err);
  process.exit(1);
}

if (require.main === module) main().catch(fail);
