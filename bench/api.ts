import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { adminSql } from './pg-admin';
import { loadConfig, pipelineOptions, PROJECT_ROOT, type Config } from '../src/config';
import { table } from '../src/cli/open-services';
import type { Recognition } from '../src/services/recognition';
import { FacePipeline } from '../src/vision/pipeline';
import { verifyModels } from '../src/vision/provision';
import { median, percentile, round1, sleep, timeRuns } from './measure';
import { cutFaceSource, makeClassroom, type FaceSource } from './synthetic-classroom';
import { CLASS_SIZE, PLANTED_BATCHES, SEARCH_EMBEDDINGS, SEARCH_FACES, SEARCH_K, SEARCH_RUNS, STUDENTS, type Command, type Ready, type SearchResult, type Usage } from './api-server';

/**
 * The HTTP API under realistic data (node dist/bench/api.js), on the embedded database and on a
 * real Postgres: one 12-MP classroom photo with 30 faces recognised end to end against 1,000+
 * enrolled students; nearest-neighbour search of 30 faces among 10,000 embeddings (time and
 * recall); then, with those 10,000 enrolled, 4 clients posting the photo for BENCH_LOAD_SECONDS
 * while /health is polled. The service runs in a child
 * process (bench/api-server.ts) on 127.0.0.1 so its peak RSS excludes this load generator.
 */

const RECOGNITION_TARGET_MS = 1200;
const SEARCH_TARGET_MS = 30;
const RSS_TARGET_MB = 1024;
/** The generated classroom photo: 12 MP, faces 30–200 px wide (back row to front row). */
const PHOTO = { width: 4000, height: 3000, faces: 30, minFace: 30, maxFace: 200, seed: 7 };
const RECOGNITION_RUNS = 5;
const LOAD_CLIENTS = 4;
const HEALTH_EVERY_MS = 1000;
/** No request may hang the benchmark: even a queued photo under load answers well within this. */
const REQUEST_TIMEOUT_MS = 60_000;
/**
 * One API key per load client, as each teacher has their own: the per-key rate limit
 * (RATE_LIMIT_PER_MIN) then applies as in production instead of throttling one shared key.
 */
const API_KEYS = Array.from({ length: LOAD_CLIENTS }, (_, i) => `bench-key-${i}-0123456789abcdef`);
/** Where CREATE DATABASE rollcall_bench_* runs for the Postgres backend. */
const ADMIN_URL = process.env.DATABASE_URL || 'postgres://root@127.0.0.1:5432/postgres';
const FIXTURES = path.join(PROJECT_ROOT, '..', 'shared', 'fixtures');
const RESULTS = path.join(PROJECT_ROOT, 'bench', 'results', 'api.json');
const BACKENDS = ['pglite', 'postgres'] as const;
type Backend = (typeof BACKENDS)[number];

interface FixtureIndex {
  identities: { id: string; name: string }[];
  files: { path: string; kind: string; identities?: string[] }[];
}

interface LoadResult {
  seconds: number;
  /** Until the last request started before the deadline was answered. */
  elapsedS: number;
  clients: number;
  /** Count per HTTP status; 'error' for a request that got no answer (that client then stops). */
  statuses: Record<string, number>;
  p50Ms: number;
  p95Ms: number;
  photosPerSecond: number;
  health: { polls: number; failures: number; maxMs: number };
}

interface BackendResult {
  seeded: Omit<Ready, 'port'>;
  enrolledFaces: number;
  recognition: { runsMs: number[]; medianMs: number; faces: number; named: string[]; serverTimingsMs: Recognition['timings_ms'] };
  load: LoadResult & {
    /** Peak RSS of the server process before and after the load (maxRSS: a lifetime peak, seeding included). */
    peakRssBeforeMb: number;
    peakRssMb: number;
    /** Server CPU time over the load's wall time: near the core count means the service got the whole machine. */
    serverCores: number;
  };
  search: SearchResult;
}

function loadSeconds(): number {
  const raw = process.env.BENCH_LOAD_SECONDS ?? '60';
  const s = Number(raw);
  if (!Number.isInteger(s) || s < 1 || s > 600) throw new Error(`BENCH_LOAD_SECONDS must be an integer from 1 to 600, got "${raw}"`);
  return s;
}

/**
 * Faces to paste: every face of the anonymous group photos, then the largest face of the first
 * query photo of each identity (and of the query photos of nobody enrolled). Each enrolled person
 * appears once, so one-to-one matching can name them all; the anonymous faces come first so that
 * the repeats, when there are fewer sources than faces, are of unknown people.
 */
async function faceSources(pipeline: FacePipeline, config: Config, index: FixtureIndex): Promise<FaceSource[]> {
  const seen = new Set<string>();
  const firstQueries = index.files.filter((f) => {
    if (f.kind !== 'query') return false;
    const fresh = !f.identities?.some((id) => seen.has(id));
    f.identities?.forEach((id) => seen.add(id));
    return fresh;
  });
  const files = [...index.files.filter((f) => f.kind === 'group' && !f.identities?.length), ...firstQueries];
  const sources: FaceSource[] = [];
  for (const f of files) {
    const { rgb, faces } = await pipeline.run(fs.readFileSync(path.join(FIXTURES, f.path)), pipelineOptions(config));
    const picked = f.kind === 'group' ? faces : [...faces].sort((a, b) => b.box.width - a.box.width).slice(0, 1);
    for (const face of picked) sources.push(await cutFaceSource(rgb, face.box, faces.filter((f) => f !== face).map((f) => f.box)));
  }
  return sources;
}

/** Every request is authenticated and bounded in time, so a stuck server fails the benchmark instead of hanging it. */
function call(url: string, init: { method?: string; body?: FormData | string; headers?: Record<string, string>; key?: string } = {}): Promise<Response> {
  const { key = API_KEYS[0], ...rest } = init;
  return fetch(url, {
    ...rest,
    headers: { Authorization: `Bearer ${key}`, ...rest.headers },
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
}

const postJson = (url: string, body: unknown) =>
  call(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

/** Each fixture identity as a student, enrolled from its enrolment photos through the API as a school would. */
async function enrolFixtures(base: string, index: FixtureIndex): Promise<number> {
  let enrolled = 0;
  for (const { id, name } of index.identities) {
    const created = await postJson(`${base}/api/v1/students`, { student_id: id, name });
    if (created.status !== 201) throw new Error(`creating student ${id} answered ${created.status}: ${await created.text()}`);
    // Consent first, as CONSENT_REQUIRED (the default) asks.
    const consent = await postJson(`${base}/api/v1/students/${id}/consent`, { state: 'granted' });
    if (consent.status !== 200) throw new Error(`recording consent of ${id} answered ${consent.status}: ${await consent.text()}`);
    const form = new FormData();
    for (const f of index.files.filter((f) => f.kind === 'enroll' && f.identities?.includes(id))) {
      form.append('images', new Blob([fs.readFileSync(path.join(FIXTURES, f.path))]), path.basename(f.path));
    }
    const res = await call(`${base}/api/v1/students/${id}/faces`, { method: 'POST', body: form });
    // 422 no_usable_face leaves the student without faces: a bench result, not a failure.
    if (res.status !== 201 && res.status !== 422) throw new Error(`enrolling ${id} answered ${res.status}: ${await res.text()}`);
    enrolled += res.status === 201 ? ((await res.json()) as { enrolled: number }).enrolled : 0;
  }
  return enrolled;
}

const recognise = (base: string, photo: FormData, key?: string) => call(`${base}/api/v1/recognitions`, { method: 'POST', body: photo, key });

async function recognitionRuns(base: string, photo: FormData): Promise<BackendResult['recognition']> {
  const samples = await timeRuns(RECOGNITION_RUNS, async () => {
    const res = await recognise(base, photo);
    if (res.status !== 200) throw new Error(`recognition answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as Recognition;
  });
  const runsMs = samples.map((s) => round1(s.ms));
  const mid = [...samples].sort((a, b) => a.ms - b.ms)[samples.length >> 1].value;
  return {
    runsMs,
    medianMs: round1(median(runsMs)),
    faces: mid.faces.length,
    named: mid.present.map((p) => p.student_id),
    serverTimingsMs: mid.timings_ms,
  };
}

/** LOAD_CLIENTS clients post the photo back to back until the deadline; /health is polled meanwhile. */
async function loadTest(base: string, photo: FormData, seconds: number): Promise<LoadResult> {
  const statuses: Record<string, number> = {};
  const latencies: number[] = [];
  const health = { polls: 0, failures: 0, maxMs: 0 };
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;

  const client = async (key: string) => {
    while (performance.now() < deadline) {
      const start = performance.now();
      let res: Response;
      try {
        res = await recognise(base, photo, key);
        await res.arrayBuffer();
      } catch {
        statuses.error = (statuses.error ?? 0) + 1;
        return;
      }
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      if (res.status === 200) latencies.push(performance.now() - start);
      // A refused client (503 busy, 429) backs off as the server asks, rather than spinning.
      const retryAfter = res.headers.get('retry-after');
      if (retryAfter) await sleep(Number(retryAfter) * 1000);
    }
  };

  const pollHealth = async () => {
    while (performance.now() < deadline) {
      const start = performance.now();
      const ok = await call(`${base}/health`)
        .then(async (res) => (await res.arrayBuffer(), res.status === 200))
        .catch(() => false);
      const ms = performance.now() - start;
      health.polls++;
      if (!ok) health.failures++;
      health.maxMs = Math.max(health.maxMs, round1(ms));
      await sleep(Math.max(0, HEALTH_EVERY_MS - ms));
    }
  };

  await Promise.all([...API_KEYS.map(client), pollHealth()]);
  const elapsedS = (performance.now() - t0) / 1000;
  return {
    seconds,
    elapsedS: round1(elapsedS),
    clients: LOAD_CLIENTS,
    statuses,
    p50Ms: round1(percentile(latencies, 50)),
    p95Ms: round1(percentile(latencies, 95)),
    photosPerSecond: Math.round((latencies.length / elapsedS) * 100) / 100,
    health,
  };
}

/** The next message from the server process (the reply to `cmd` when given), or its failure. */
function ask<T>(child: ChildProcess, cmd?: Command): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`the server process exited (${code}) before answering`));
    child.once('exit', onExit);
    child.once('message', (m) => {
      child.off('exit', onExit);
      resolve(m as T);
    });
    if (cmd) child.send(cmd);
  });
}

const admin = (sql: string) => adminSql(ADMIN_URL, sql);

async function benchBackend(backend: Backend, work: string, photoPath: string, index: FixtureIndex, seconds: number): Promise<BackendResult> {
  const dbName = `rollcall_bench_${process.pid}`;
  let databaseUrl = '';
  if (backend === 'postgres') {
    await admin(`CREATE DATABASE ${dbName}`);
    const u = new URL(ADMIN_URL);
    u.pathname = `/${dbName}`;
    databaseUrl = u.toString();
  }
  const step = (what: string) => console.log(`[${backend}] ${what}`);
  const started = performance.now();
  step(`seeding ${STUDENTS} synthetic students`);
  const child = fork(path.join(__dirname, 'api-server.js'), {
    env: { ...process.env, DATABASE_URL: databaseUrl, DATA_DIR: path.join(work, backend), API_KEYS: API_KEYS.join(',') },
  });
  try {
    const { port, ...seeded } = await ask<Ready>(child);
    const base = `http://127.0.0.1:${port}`;
    step(`${seeded.students} students, ${seeded.embeddings} embeddings; enrolling the fixture identities`);
    const enrolledFaces = await enrolFixtures(base, index);
    // One FormData serves every request: it is re-encoded from the same Blob each time.
    const photo = new FormData();
    photo.append('file', new Blob([fs.readFileSync(photoPath)], { type: 'image/jpeg' }), 'classroom.jpg');
    step(`recognition, median of ${RECOGNITION_RUNS}`);
    const recognition = await recognitionRuns(base, photo);
    // Search before load: a minute of both cores busy leaves this machine slower for a while after.
    step(`growing to ${SEARCH_EMBEDDINGS} embeddings; nearest-neighbour search`);
    const search = await ask<SearchResult>(child, { cmd: 'search', photo: photoPath, classStudentIds: index.identities.map((i) => i.id) });
    step(`load: ${LOAD_CLIENTS} clients for ${seconds} s`);
    const before = await ask<Usage>(child, { cmd: 'usage' });
    const load = await loadTest(base, photo, seconds);
    const after = await ask<Usage>(child, { cmd: 'usage' });
    const serverCores = Math.round(((after.cpuMs - before.cpuMs) / (load.elapsedS * 1000)) * 100) / 100;
    const exited = once(child, 'exit');
    child.send({ cmd: 'stop' } satisfies Command);
    await exited;
    step(`done in ${Math.round((performance.now() - started) / 1000)} s`);
    return { seeded, enrolledFaces, recognition, load: { ...load, peakRssBeforeMb: before.maxRssMb, peakRssMb: after.maxRssMb, serverCores }, search };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill();
    if (backend === 'postgres') await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  }
}

const verdict = (value: number, target: number) => `${value}${value <= target ? '' : ' (MISSED)'}`;

function report(results: Record<Backend, BackendResult>, seconds: number): boolean {
  const row = (label: string, cell: (r: BackendResult, b: Backend) => string | number, target = '') => [label, ...BACKENDS.map((b) => cell(results[b], b)), target];
  // The search target is Postgres's (restated by the real-photo detection issue): PGlite runs a
  // search as one single-threaded WebAssembly query, so its time is measured, not held to it.
  const searchVerdict = (ms: number, b: Backend) => (b === 'postgres' ? verdict(ms, SEARCH_TARGET_MS) : `${ms} (measured)`);
  const statusesOk = (r: BackendResult) => Object.keys(r.load.statuses).every((s) => s === '200' || s === '503');
  const rows = [
    ['', ...BACKENDS, 'target'],
    row(`POST /api/v1/recognitions, median of ${RECOGNITION_RUNS} (ms)`, (r) => verdict(r.recognition.medianMs, RECOGNITION_TARGET_MS), `≤ ${RECOGNITION_TARGET_MS}`),
    row(`  faces found (of ${PHOTO.faces} pasted) / named`, (r) => `${r.recognition.faces} / ${r.recognition.named.length}`),
    row('  server decode/detect/align/embed/match (ms)', (r) => {
      const t = r.recognition.serverTimingsMs;
      return [t.decode, t.detect, t.align, t.embed, t.match].map(Math.round).join('/');
    }),
    row(`nearest ${SEARCH_FACES} photo faces (mostly strangers) × k=${SEARCH_K} of ${SEARCH_EMBEDDINGS}, median of ${SEARCH_RUNS} (ms)`, (r, b) => searchVerdict(r.search.globalMedianMs, b), `≤ ${SEARCH_TARGET_MS} on Postgres`),
    row(`  the same as one query on one connection (PGlite's only way), median of ${SEARCH_RUNS} (ms)`, (r) => r.search.oneQueryMedianMs),
    row(`  ${SEARCH_FACES} faces of enrolled students (planted), median of ${PLANTED_BATCHES} (ms)`, (r, b) => searchVerdict(r.search.planted.medianMs, b), `≤ ${SEARCH_TARGET_MS} on Postgres`),
    row('  uses face_embeddings_hnsw', (r) => (r.search.hnswUsed ? 'yes' : 'NO'), 'yes'),
    row('  photo faces matched by an exact scan: same student by the index', (r) => `${r.search.matchableAgree}/${r.search.matchable}`),
    row('  planted matches found first: index / exact scan', (r) => {
      const p = r.search.planted;
      return `${p.found}/${p.queries} / ${p.foundExact}/${p.queries} (at ${p.similarity})`;
    }),
    row(`  in a class of ${CLASS_SIZE} (exact scan), median of ${SEARCH_RUNS} (ms)`, (r) => r.search.classMedianMs),
    row(`load ${LOAD_CLIENTS} clients × ${seconds} s: statuses`, (r) => Object.entries(r.load.statuses).map(([s, n]) => `${s}×${n}`).join(' ') + (statusesOk(r) ? '' : ' (BAD)'), '200/503'),
    row('  latency p50 / p95 (ms)', (r) => `${r.load.p50Ms} / ${r.load.p95Ms}`),
    row('  throughput (photos/s)', (r) => r.load.photosPerSecond),
    row('  server peak RSS (MB), before → after load', (r) => `${r.load.peakRssBeforeMb} → ${verdict(r.load.peakRssMb, RSS_TARGET_MB)}`, `≤ ${RSS_TARGET_MB}`),
    row(`  server CPU during load (cores of ${os.availableParallelism()})`, (r) => r.load.serverCores),
    row('  /health polls ok / max latency (ms)', (r) => `${r.load.health.polls - r.load.health.failures}/${r.load.health.polls} / ${r.load.health.maxMs}`, 'all ok'),
  ];
  console.log(`\n${table(rows)}`);
  for (const b of BACKENDS) {
    console.log(`EXPLAIN (ANALYZE) of facesRepo.nearest(${SEARCH_FACES} faces, ${SEARCH_K}, null) over ${results[b].search.embeddings} embeddings, ${b}:`);
    console.log(results[b].search.plan.map((l) => `  ${l}`).join('\n') + '\n');
  }
  return BACKENDS.every((b) => {
    const r = results[b];
    return (
      r.recognition.medianMs <= RECOGNITION_TARGET_MS &&
      (b !== 'postgres' || r.search.globalMedianMs <= SEARCH_TARGET_MS) &&
      r.search.hnswUsed &&
      statusesOk(r) &&
      r.load.peakRssMb <= RSS_TARGET_MB &&
      r.load.health.failures === 0
    );
  });
}

async function main(): Promise<void> {
  const seconds = loadSeconds();
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
  verifyModels(config.modelsDir);
  const index = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'index.json'), 'utf8')) as FixtureIndex;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'rollcall-bench-'));
  try {
    console.log(`generating the ${PHOTO.width}×${PHOTO.height} classroom photo with ${PHOTO.faces} faces`);
    const sources = await faceSources(await FacePipeline.load(config.modelsDir), config, index);
    const classroom = await makeClassroom(sources, PHOTO);
    const photoPath = path.join(work, 'classroom.jpg');
    fs.writeFileSync(photoPath, classroom.image);

    const results = {} as Record<Backend, BackendResult>;
    for (const b of BACKENDS) results[b] = await benchBackend(b, work, photoPath, index, seconds);
    const ok = report(results, seconds);

    fs.mkdirSync(path.dirname(RESULTS), { recursive: true });
    const photo = { ...PHOTO, bytes: classroom.image.length };
    const out = { node: process.version, cpu: os.cpus()[0]?.model ?? 'unknown', cpus: os.cpus().length, date: new Date().toISOString(), photo, ok, results };
    fs.writeFileSync(RESULTS, JSON.stringify(out, null, 2) + '\n');
    console.log(`wrote ${path.relative(process.cwd(), RESULTS)}`);
    if (!ok) process.exitCode = 1;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
