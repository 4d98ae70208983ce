/**
 * Embedder benchmark: `npm run bench:embed [-- ROUNDS]` (default 15 rounds).
 *
 * Cost per face of everything after detection: alignFace, assessQuality, packing the crop into the
 * model's input, and fr_feature under a set of ONNX Runtime variants (threads, graph optimisation,
 * memory options, batches, concurrent runs, worker threads). Batches need the model's batch
 * dimension made dynamic, which onnx-batch.ts does in memory. The crops are real: every face YuNet
 * finds in the fixture group photos, then the enrol/query photos, up to 30 faces.
 *
 * The machine is shared and its speed drifts, so variants are interleaved: each round runs every
 * variant once over all 30 crops, in an order rotated by one each round, and the table shows the
 * median over rounds of wall ms per face, and of CPU ms per face (process.cpuUsage: every thread
 * of this process, workers included). "min cos" is the lowest cosine between a variant's
 * embedding and that of the settings before this bench (extended, 2 threads) for the same crop
 * (it must stay ≥ 0.9999).
 * `npm run bench:embed -- 40 'shipped|NCHWc'` runs 40 rounds of the variants (and JS stages) whose
 * names match the regular expression (case-insensitive). Prints the table and writes
 * bench/results/embed.json.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { loadConfig, pipelineOptions } from '../src/config';
import { ALIGNED_SIZE, alignFace } from '../src/vision/align';
import { decodeImage } from '../src/vision/decode';
import { FaceDetector } from '../src/vision/detector';
import { cosine, EMBEDDING_DIM, FaceEmbedder, packCrop } from '../src/vision/embedder';
import { DETECTOR_FILE, EMBEDDER_FILE } from '../src/vision/pipeline';
import { assessQuality } from '../src/vision/quality';
import type { Detection, RgbImage } from '../src/vision/types';
import { median } from './measure';
import { withDynamicBatch } from './onnx-batch';
import { fixture, index, modelsDir, RESULTS } from './fixtures';

const FACES = 30;
const CROP_FLOATS = 3 * ALIGNED_SIZE * ALIGNED_SIZE;

/** What createSession (src/vision/onnx.ts) passes for fr_feature today; each variant changes one or two of these. */
const BASE: ort.InferenceSession.SessionOptions = {
  executionProviders: ['cpu'],
  graphOptimizationLevel: 'extended',
  executionMode: 'sequential',
  enableMemPattern: false,
  intraOpNumThreads: 2,
  interOpNumThreads: 1,
  extra: { session: { intra_op: { allow_spinning: '0' } } },
};

// ---------------------------------------------------------------------------------------------
// Worker thread: one session, embeds the crops it is sent (batch of 1 each) and posts the raw outputs.

interface WorkerJob {
  id: number;
  crops: RgbImage[];
}

if (!isMainThread) {
  const { model, options } = workerData as { model: Uint8Array; options: ort.InferenceSession.SessionOptions };
  void ort.InferenceSession.create(model, options).then((session) => {
    const input = new Float32Array(CROP_FLOATS);
    const tensor = new ort.Tensor('float32', input, [1, 3, ALIGNED_SIZE, ALIGNED_SIZE]);
    parentPort!.on('message', async ({ id, crops }: WorkerJob) => {
      const out: Float32Array[] = [];
      for (const c of crops) {
        // Structured cloning turns the Buffer into a plain Uint8Array; wrap it again without a copy.
        packCrop({ ...c, data: Buffer.from(c.data.buffer, c.data.byteOffset, c.data.length) }, input);
        const r = await session.run({ [session.inputNames[0]]: tensor });
        out.push((r[session.outputNames[0]].data as Float32Array).slice());
      }
      parentPort!.postMessage({ id, out });
    });
    parentPort!.postMessage('ready');
  });
}

// ---------------------------------------------------------------------------------------------
// Variants.

interface Variant {
  name: string;
  /** Raw or normalised embeddings, one per crop, in order (compared by cosine, so either will do). */
  embedAll(crops: RgbImage[]): Promise<Float32Array[]>;
  close(): Promise<void>;
}

const output = (r: ort.InferenceSession.ReturnType, s: ort.InferenceSession) => r[s.outputNames[0]].data as Float32Array;

/** One session; faces one after another through one reused input buffer (what FaceEmbedder did before its worker threads). */
async function sequential(name: string, model: Uint8Array, options: ort.InferenceSession.SessionOptions): Promise<Variant> {
  const s = await ort.InferenceSession.create(model, { ...BASE, ...options });
  const input = new Float32Array(CROP_FLOATS);
  const tensor = new ort.Tensor('float32', input, [1, 3, ALIGNED_SIZE, ALIGNED_SIZE]);
  return {
    name,
    async embedAll(crops) {
      const out: Float32Array[] = [];
      for (const c of crops) {
        packCrop(c, input);
        out.push(output(await s.run({ [s.inputNames[0]]: tensor }), s).slice());
      }
      return out;
    },
    close: () => s.release(),
  };
}

/** One session on the model with a dynamic batch (onnx-batch.ts); the crops go in batches of `batch`. */
async function batched(name: string, model: Uint8Array, options: ort.InferenceSession.SessionOptions, batch: number): Promise<Variant> {
  const s = await ort.InferenceSession.create(withDynamicBatch(model), { ...BASE, ...options });
  return {
    name,
    async embedAll(crops) {
      const out: Float32Array[] = [];
      for (let i = 0; i < crops.length; i += batch) {
        const part = crops.slice(i, i + batch);
        const input = new Float32Array(part.length * CROP_FLOATS);
        part.forEach((c, k) => packCrop(c, input, k * CROP_FLOATS));
        const data = output(await s.run({ [s.inputNames[0]]: new ort.Tensor('float32', input, [part.length, 3, ALIGNED_SIZE, ALIGNED_SIZE]) }), s);
        for (let k = 0; k < part.length; k++) out.push(data.slice(k * EMBEDDING_DIM, (k + 1) * EMBEDDING_DIM));
      }
      return out;
    },
    close: () => s.release(),
  };
}

/**
 * Two faces in flight at once, each with its own input tensor: on one session (`sessions` 1) or
 * one session each (`sessions` 2).
 */
async function concurrent(name: string, model: Uint8Array, options: ort.InferenceSession.SessionOptions, sessions: 1 | 2): Promise<Variant> {
  const s1 = await ort.InferenceSession.create(model, { ...BASE, ...options });
  const ss = sessions === 1 ? [s1, s1] : [s1, await ort.InferenceSession.create(model, { ...BASE, ...options })];
  const inputs = [new Float32Array(CROP_FLOATS), new Float32Array(CROP_FLOATS)];
  const tensors = inputs.map((x) => new ort.Tensor('float32', x, [1, 3, ALIGNED_SIZE, ALIGNED_SIZE]));
  return {
    name,
    async embedAll(crops) {
      const out: Float32Array[] = [];
      for (let i = 0; i < crops.length; i += 2) {
        const pair = crops.slice(i, i + 2);
        const rs = await Promise.all(
          pair.map((c, k) => {
            packCrop(c, inputs[k]);
            return ss[k].run({ [ss[k].inputNames[0]]: tensors[k] });
          }),
        );
        rs.forEach((r, k) => out.push(output(r, ss[k]).slice()));
      }
      return out;
    },
    close: async () => {
      for (const s of new Set(ss)) await s.release();
    },
  };
}

/** `n` worker threads with a session each; the crops are dealt out in turn, all workers busy at once. */
async function workers(name: string, model: Uint8Array, options: ort.InferenceSession.SessionOptions, n: number): Promise<Variant> {
  const ws: Worker[] = [];
  for (let i = 0; i < n; i++) {
    const w = new Worker(__filename, { workerData: { model, options: { ...BASE, ...options } } });
    await new Promise((resolve, reject) => w.once('message', resolve).once('error', reject));
    ws.push(w);
  }
  let next = 0;
  const call = (w: Worker, crops: RgbImage[]) =>
    new Promise<Float32Array[]>((resolve) => {
      const id = next++;
      const onMessage = (m: { id: number; out: Float32Array[] }) => {
        if (m.id !== id) return;
        w.off('message', onMessage);
        resolve(m.out);
      };
      w.on('message', onMessage);
      w.postMessage({ id, crops } satisfies WorkerJob);
    });
  return {
    name,
    async embedAll(crops) {
      const share = ws.map((_, k) => crops.filter((__, i) => i % n === k));
      const outs = await Promise.all(ws.map((w, k) => call(w, share[k])));
      return crops.map((_, i) => outs[i % n][Math.floor(i / n)]);
    },
    close: async () => {
      await Promise.all(ws.map((w) => w.terminate()));
    },
  };
}

/** The shipped class, as the pipeline calls it: every face's embedAligned at once, then wait for all. */
async function shipped(name: string, modelPath: string, workers?: number): Promise<Variant> {
  const e = await FaceEmbedder.load(modelPath, { workers });
  return {
    name: `${name} (chose '${e.optimization}')`,
    embedAll: (crops) => Promise.all(crops.map((c) => e.embedAligned(c))),
    close: () => e.close(),
  };
}

// ---------------------------------------------------------------------------------------------
// The crops and the per-face JavaScript stages.

const config = loadConfig();

interface Face {
  img: RgbImage;
  det: Detection;
  crop: RgbImage;
}

/** Every face of the group photos, then of the enrol/query photos, until there are FACES. */
async function realFaces(detector: FaceDetector): Promise<{ faces: Face[]; photos: string[] }> {
  const files = [
    ...index.files.filter((f) => f.kind === 'group'),
    ...index.files.filter((f) => (f.kind === 'enroll' || f.kind === 'query') && !f.path.startsWith('formats/')),
  ];
  const faces: Face[] = [];
  const photos: string[] = [];
  for (const f of files) {
    if (faces.length >= FACES) break;
    const img = await decodeImage(fixture(f.path), { maxPixels: config.maxPixels });
    const dets = await detector.detect(img, pipelineOptions(config));
    for (const det of dets.slice(0, FACES - faces.length)) faces.push({ img, det, crop: alignFace(img, det.landmarks) });
    if (dets.length > 0) photos.push(f.path);
  }
  return { faces, photos };
}

/** A JavaScript stage, timed per face like the variants. */
interface Stage {
  name: string;
  run(faces: Face[]): void;
}

const STAGES: Stage[] = [
  { name: 'alignFace (JS)', run: (fs_) => fs_.forEach((f) => alignFace(f.img, f.det.landmarks)) },
  { name: 'assessQuality (JS)', run: (fs_) => fs_.forEach((f) => assessQuality(f.crop, f.det)) },
  {
    name: 'packCrop HWC→CHW (JS)',
    run: (fs_) => {
      const x = new Float32Array(CROP_FLOATS);
      fs_.forEach((f) => packCrop(f.crop, x));
    },
  },
];

// ---------------------------------------------------------------------------------------------

interface Row {
  variant: string;
  msPerFace: number;
  cpuMsPerFace: number;
  /** Quartiles of the per-round wall figure, to show the spread. */
  p25: number;
  p75: number;
  minCos: number | null;
}

function quartile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 15);
  const dir = modelsDir();
  const modelPath = path.join(dir, EMBEDDER_FILE);
  const model = fs.readFileSync(modelPath);
  const { faces, photos } = await realFaces(await FaceDetector.load(path.join(dir, DETECTOR_FILE)));
  const crops = faces.map((f) => f.crop);

  // An optional second argument (a regular expression) keeps only the matching variants and stages.
  const only = process.argv[3] ? new RegExp(process.argv[3], 'i') : undefined;
  const wanted = (name: string) => !only || only.test(name);
  const factories: [string, (name: string) => Promise<Variant>][] = [
    ['FaceEmbedder as shipped', (n) => shipped(n, modelPath)],
    ['FaceEmbedder, 1 worker', (n) => shipped(n, modelPath, 1)],
    ['extended, 2 threads (before)', (n) => sequential(n, model, {})], // factories[2]: the reference
    ['extended, 1 thread', (n) => sequential(n, model, { intraOpNumThreads: 1 })],
    ['all (NCHWc), 2 threads', (n) => sequential(n, model, { graphOptimizationLevel: 'all' })],
    ['all (NCHWc), 1 thread', (n) => sequential(n, model, { graphOptimizationLevel: 'all', intraOpNumThreads: 1 })],
    ['basic, 2 threads', (n) => sequential(n, model, { graphOptimizationLevel: 'basic' })],
    ['extended, 2 threads, spinning', (n) => sequential(n, model, { extra: { session: { intra_op: { allow_spinning: '1' } } } })],
    ['extended, 2 threads, mem pattern on', (n) => sequential(n, model, { enableMemPattern: true })],
    ['extended, 2 threads, CPU arena off', (n) => sequential(n, model, { enableCpuMemArena: false })],
    ['extended, 2 threads, parallel executor', (n) => sequential(n, model, { executionMode: 'parallel', interOpNumThreads: 2 })],
    ['batches of 8, extended, 2 threads', (n) => batched(n, model, {}, 8)],
    ['batches of 30, extended, 2 threads', (n) => batched(n, model, {}, 30)],
    ['batches of 30, all, 1 thread', (n) => batched(n, model, { graphOptimizationLevel: 'all', intraOpNumThreads: 1 }, 30)],
    ['1 session 1 thread, 2 runs at once', (n) => concurrent(n, model, { intraOpNumThreads: 1 }, 1)],
    ['2 sessions 1 thread, 2 runs at once', (n) => concurrent(n, model, { intraOpNumThreads: 1 }, 2)],
    ['2 worker threads × extended 1 thread', (n) => workers(n, model, { intraOpNumThreads: 1 }, 2)],
    ['2 worker threads × all 1 thread', (n) => workers(n, model, { graphOptimizationLevel: 'all', intraOpNumThreads: 1 }, 2)],
  ];
  // The settings before this bench are always loaded: they are the reference for "min cos".
  const before = await factories[2][1](factories[2][0]);
  const variants: Variant[] = [];
  for (const [name, make] of factories) if (name === before.name || wanted(name)) variants.push(name === before.name ? before : await make(name));

  // Untimed warm-up, which is also the correctness check against the shipped embedder.
  const reference = await before.embedAll(crops);
  const minCos = new Map<string, number>();
  for (const v of variants) {
    const es = await v.embedAll(crops);
    if (es.length !== crops.length || es.some((e) => e.length !== EMBEDDING_DIM)) throw new Error(`${v.name}: wrong output`);
    minCos.set(v.name, Math.min(...es.map((e, i) => cosine(e, reference[i]))));
    // Raw outputs (not the shipped class, which normalises) must match the reference's value by value.
    if (!v.name.startsWith('FaceEmbedder')) {
      const diff = Math.max(...es.map((e, i) => Math.max(...e.map((x, k) => Math.abs(x - reference[i][k])))));
      if (diff > 1e-4) throw new Error(`${v.name}: outputs differ from the reference by ${diff}`);
    }
  }

  type Timed = { name: string; run: () => Promise<unknown> | void };
  const timed: Timed[] = [
    ...variants.map((v) => ({ name: v.name, run: () => v.embedAll(crops) })),
    ...STAGES.map((s) => ({ name: s.name, run: () => s.run(faces) })),
  ].filter((t) => wanted(t.name));
  const wall = new Map<string, number[]>(timed.map((t) => [t.name, []]));
  const cpu = new Map<string, number[]>(timed.map((t) => [t.name, []]));
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < timed.length; k++) {
      const t = timed[(k + r) % timed.length];
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await t.run();
      const ms = performance.now() - t0;
      const c = process.cpuUsage(c0);
      wall.get(t.name)!.push(ms / crops.length);
      cpu.get(t.name)!.push((c.user + c.system) / 1000 / crops.length);
    }
    process.stderr.write(`round ${r + 1}/${rounds}\r`);
  }
  for (const v of variants) await v.close();

  const rows: Row[] = timed.map((t) => ({
    variant: t.name,
    msPerFace: median(wall.get(t.name)!),
    cpuMsPerFace: median(cpu.get(t.name)!),
    p25: quartile(wall.get(t.name)!, 0.25),
    p75: quartile(wall.get(t.name)!, 0.75),
    minCos: minCos.get(t.name) ?? null,
  }));
  const machine = { cpus: os.availableParallelism(), model: os.cpus()[0]?.model, node: process.version, ort: ort.env.versions.common, loadavg: os.loadavg() };
  console.log(
    `\nEmbedder benchmark: ${crops.length} real face crops from ${photos.length} fixture photos; ${machine.cpus} CPUs (${machine.model}), ` +
      `Node ${machine.node}; ${rounds} rounds, variants interleaved (rotated order); median ms per face; ` +
      `load average at the end ${machine.loadavg.map((l) => l.toFixed(1)).join(' ')}\n`,
  );
  const f2 = (x: number) => x.toFixed(2);
  console.table(
    rows.map((r) => ({
      variant: r.variant,
      'ms/face': f2(r.msPerFace),
      'p25–p75': `${f2(r.p25)}–${f2(r.p75)}`,
      'CPU ms/face': f2(r.cpuMsPerFace),
      'min cos': r.minCos === null ? '' : r.minCos.toFixed(6),
    })),
  );
  fs.mkdirSync(RESULTS, { recursive: true });
  fs.writeFileSync(path.join(RESULTS, 'embed.json'), JSON.stringify({ date: new Date().toISOString(), machine, rounds, photos, rows }, null, 2));
  console.log(`\nwrote ${path.relative(process.cwd(), path.join(RESULTS, 'embed.json'))}`);
}

if (isMainThread) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
