import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { ALIGNED_SIZE, alignFace } from './align';
import { sessionOptions } from './onnx';
import type { Landmarks, RgbImage } from './types';

export const EMBEDDING_DIM = 512;

const PLANE = ALIGNED_SIZE * ALIGNED_SIZE;

/**
 * Source byte (R=0, G=1, B=2) for input planes 0, 1, 2: BGR. The npm package the model comes
 * from feeds RGB, but measured on the shared fixtures (YuNet landmarks from detector.ts; 28
 * labelled faces: every enrol and query photo, the named people in group photos, the
 * never-enrolled lin-manuel-miranda and the unnamed child; 49 same-person and 329
 * different-person pairs) BGR separates better on every figure:
 *   RGB: same-person min 0.469 / mean 0.698; different-person max 0.290 / mean 0.018; margin 0.179
 *   BGR: same-person min 0.505 / mean 0.744; different-person max 0.222 / mean 0.007; margin 0.284
 * and formats/* against obama's enrol photos: RGB 0.688–0.720, BGR 0.738–0.777.
 * (npm run bench:vision reprints the BGR figures.)
 */
const CHANNEL_INDEX = [2, 1, 0] as const;

/**
 * Worker threads that embed at once. Each holds its own session (one intra-op thread) and a V8
 * instance: two took 95–100 MB of RSS where the one 2-thread session before took 37 MB, and
 * bench:vision's 30-face 4000×3000 photo peaked at 446–457 MB instead of 374–387 MB.
 */
const DEFAULT_WORKERS = Math.min(os.availableParallelism(), 4);

/**
 * fr_feature.onnx: 112×112 ArcFace-aligned face → L2-normalised 512-d embedding.
 *
 * Faces are embedded in worker threads, each with its own one-thread session, one face per
 * worker at a time: the model's batch is fixed at 1, and ort-node runs a session synchronously
 * on the calling thread, so two runs on the main thread (on one session or two) never overlap.
 * bench:embed on the 2-core AMD EPYC (30 real crops, variants interleaved, median of 15 rounds),
 * ms per face on a quiet machine / on a busy one (load average 6–8, no core to spare):
 *   2 workers, 'all', 1 thread each     9.3 / 21.0  (18.3 ms CPU per face)
 *   one session, 'all', 2 threads      14.6 / 21.6  (24.0 ms CPU: the second thread's overhead)
 *   one session, 'extended', 2 threads 17.6 / 29.3  (28.5 ms CPU; the settings before)
 * Batches (the batch dimension made dynamic in memory) are no better: 30 faces in one run took
 * 14.8 ms per face at 'extended' on 2 threads and 22.4 ms at 'all' on one thread, against 17.1
 * for single runs. The main thread only packs each crop (0.1 ms) and is free to align the next
 * faces, or to serve requests, meanwhile. Load once per process.
 * Exiting the process (process.exit) while a worker is inside a run aborts it (onnxruntime-node
 * 1.30 throws from native code into the torn-down worker): close() first, or let requests end.
 */
export class FaceEmbedder {
  private readonly queue: Job[] = [];

  private constructor(
    private readonly slots: Slot[],
    /** The graph optimisation level the sessions run at (see load). */
    readonly optimization: EmbedderOptimization,
  ) {
    for (const slot of slots) {
      slot.worker.on('message', (m: WorkerReply) => this.finish(slot, m));
      slot.worker.on('error', (e) => this.drop(slot, e));
      slot.worker.on('exit', (code) => this.drop(slot, new Error(`embedder worker exited with code ${code}`)));
      // Idle workers must not keep the process alive; a busy one does (see dispatch).
      slot.worker.unref();
    }
  }

  /**
   * Starts `opts.workers` workers (default: one per core, at most 4) at `opts.optimization`, or
   * by default at whichever of 'extended' and 'all' runs faster on this machine: 'all' adds
   * ORT's blocked (NCHWc) layout, and which wins depends on the CPU. On the 2-core AMD EPYC one
   * thread took 17.1 ms per face at 'all' and 25.3 ms at 'extended' (bench:embed); on the 2-core
   * Xeon, 'all' took 47 ms per face against 15 ms (bench:vision, 2 threads). The first worker
   * times both (a few runs each, about 0.3 s at start-up); they give the same embeddings
   * (cosine 1.000000 on the bench's crops, values within 7e-7).
   */
  static async load(modelPath: string, opts: { optimization?: EmbedderOptimization; workers?: number } = {}): Promise<FaceEmbedder> {
    const count = Math.max(1, opts.workers ?? DEFAULT_WORKERS);
    // The first worker times the candidate levels and keeps the faster session; the rest load that one.
    const levels = opts.optimization ? [opts.optimization] : CANDIDATE_LEVELS;
    const first = await startWorker(modelPath, levels);
    const optimization = levels[first.chosen];
    const rest = await Promise.allSettled(Array.from({ length: count - 1 }, () => startWorker(modelPath, [optimization])));
    const workers = [first, ...rest.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))].map((w) => w.worker);
    const failed = rest.find((r) => r.status === 'rejected');
    if (failed) {
      for (const w of workers) await w.terminate();
      throw failed.reason;
    }
    return new FaceEmbedder(workers.map((worker) => ({ worker })), optimization);
  }

  /** Aligns each face by its landmarks and embeds it; one embedding per face, same order. */
  embed(img: RgbImage, faces: Landmarks[]): Promise<Float32Array[]> {
    return Promise.all(faces.map((landmarks) => this.embedAligned(alignFace(img, landmarks))));
  }

  /**
   * Embeds a crop already aligned to the 112×112 ArcFace template (see align.ts). Calls may
   * overlap: each crop is packed at once, so the caller may reuse it, and queued for a worker.
   */
  embedAligned(crop: RgbImage): Promise<Float32Array> {
    if (crop.width !== ALIGNED_SIZE || crop.height !== ALIGNED_SIZE) {
      return Promise.reject(new Error(`embedAligned needs a ${ALIGNED_SIZE}×${ALIGNED_SIZE} crop, got ${crop.width}×${crop.height}`));
    }
    if (this.slots.length === 0) return Promise.reject(new Error('the embedder is closed'));
    const input = new Float32Array(3 * PLANE);
    packCrop(crop, input);
    return new Promise((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      this.dispatch();
    });
  }

  /** Workers are running (close() not called). */
  get ready(): boolean {
    return this.slots.length > 0;
  }

  /**
   * Stops the workers. Crops still queued are rejected; a crop being embedded finishes first,
   * because terminating a worker inside an ORT run aborts the whole process (onnxruntime-node
   * 1.30 throws from native code into a torn-down worker).
   */
  async close(): Promise<void> {
    const slots = this.slots.splice(0);
    this.failQueued(new Error('the embedder is closed'));
    await Promise.all(
      slots.map(async (slot) => {
        if (slot.job) await new Promise<void>((resolve) => (slot.idle = resolve));
        await slot.worker.terminate();
      }),
    );
  }

  /** Hands queued crops to idle workers (the input's memory moves to the worker, no copy). */
  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.job) continue;
      const job = this.queue.shift()!;
      slot.job = job;
      slot.worker.ref();
      slot.worker.postMessage(job.input, [job.input.buffer]);
    }
  }

  private finish(slot: Slot, reply: WorkerReply): void {
    const job = slot.job;
    slot.job = undefined;
    slot.worker.unref();
    slot.idle?.();
    if (job) {
      if ('error' in reply) job.reject(new Error(`fr_feature: ${reply.error}`));
      else if (reply.output.length !== EMBEDDING_DIM) job.reject(new Error(`fr_feature returned ${reply.output.length} values, expected ${EMBEDDING_DIM}`));
      else job.resolve(l2normalise(reply.output));
    }
    this.dispatch();
  }

  /** A worker died: its crop fails, the others carry on; with none left, every queued crop fails. */
  private drop(slot: Slot, err: Error): void {
    slot.job?.reject(err);
    slot.job = undefined;
    slot.idle?.();
    const i = this.slots.indexOf(slot);
    if (i < 0) return;
    this.slots.splice(i, 1);
    if (this.slots.length === 0) this.failQueued(err);
    else this.dispatch();
  }

  private failQueued(err: Error): void {
    for (const job of this.queue.splice(0)) job.reject(err);
  }
}

interface Job {
  /** The packed crop (see packCrop); its own ArrayBuffer, handed to the worker. */
  input: Float32Array<ArrayBuffer>;
  resolve(embedding: Float32Array): void;
  reject(err: Error): void;
}

interface Slot {
  worker: Worker;
  /** The crop this worker is embedding, if any. */
  job?: Job;
  /** Called when the job finishes, for close(). */
  idle?: () => void;
}

type WorkerReply = { output: Float32Array } | { error: string };

/**
 * The workers' code. It loads a session per candidate (normally one); with two, it times them on
 * a fixed input, alternating, CHOOSE_RUNS runs each after one warm-up, and keeps the one with the
 * lower median. Then one packed crop in, one raw output out, per message. Plain JavaScript run
 * with `eval`, loading only onnxruntime-node, so it is the same from dist/ as under ts-jest.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { performance } = require('node:perf_hooks');
const ort = require(workerData.ort);
const { model, candidates, probe, shape, runs } = workerData;
const message = (e) => String((e && e.message) || e);
const run = async (session, input) => {
  const result = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', input, shape) });
  return result[session.outputNames[0]].data;
};
(async () => {
  const sessions = [];
  for (const options of candidates) sessions.push(await ort.InferenceSession.create(model, options));
  // The first run allocates the session's buffers: keep it out of the timings and the first photo.
  for (const s of sessions) await run(s, probe);
  let chosen = 0;
  if (sessions.length > 1) {
    const times = sessions.map(() => []);
    for (let r = 0; r < runs; r++) {
      for (let k = 0; k < sessions.length; k++) {
        const i = (k + r) % sessions.length;
        const t0 = performance.now();
        await run(sessions[i], probe);
        times[i].push(performance.now() - t0);
      }
    }
    const medians = times.map((ts) => ts.sort((a, b) => a - b)[ts.length >> 1]);
    chosen = medians.indexOf(Math.min(...medians));
    for (const [i, s] of sessions.entries()) if (i !== chosen) await s.release();
  }
  const session = sessions[chosen];
  parentPort.on('message', (input) => {
    run(session, input).then((output) => parentPort.postMessage({ output }), (e) => parentPort.postMessage({ error: message(e) }));
  });
  parentPort.postMessage({ chosen });
})().catch((e) => parentPort.postMessage({ error: message(e) }));
`;

/** Starts a worker with the first of `levels` that it timed fastest (see WORKER_SOURCE). */
function startWorker(modelPath: string, levels: readonly EmbedderOptimization[]): Promise<{ worker: Worker; chosen: number }> {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      ort: require.resolve('onnxruntime-node'),
      model: modelPath,
      candidates: levels.map((optimization) => sessionOptions({ optimization, threads: 1 })),
      probe: probeInput(),
      shape: [1, 3, ALIGNED_SIZE, ALIGNED_SIZE],
      runs: CHOOSE_RUNS,
    },
  });
  return new Promise((resolve, reject) => {
    const fail = (e: Error) => {
      void worker.terminate();
      reject(e);
    };
    worker.once('message', (m: { chosen: number } | { error: string }) => ('error' in m ? fail(new Error(`fr_feature: ${m.error}`)) : resolve({ worker, chosen: m.chosen })));
    worker.once('error', fail);
  });
}

/**
 * Writes a 112×112 crop (packed HWC bytes) into `dst` from `offset` on as the model's input:
 * planar CHW floats in CHANNEL_INDEX order, (v − 127) / 128 as the model was trained.
 */
export function packCrop(crop: RgbImage, dst: Float32Array, offset = 0): void {
  const src = crop.data;
  const c0 = offset, c1 = offset + PLANE, c2 = offset + 2 * PLANE;
  for (let i = 0, p = 0; i < PLANE; i++, p += 3) {
    dst[c0 + i] = (src[p + CHANNEL_INDEX[0]] - 127) / 128;
    dst[c1 + i] = (src[p + CHANNEL_INDEX[1]] - 127) / 128;
    dst[c2 + i] = (src[p + CHANNEL_INDEX[2]] - 127) / 128;
  }
}

export type EmbedderOptimization = 'extended' | 'all';
const CANDIDATE_LEVELS: readonly EmbedderOptimization[] = ['extended', 'all'];

/** Timed runs per candidate session when choosing between them. */
const CHOOSE_RUNS = 4;

/**
 * A fixed face-like input for timing: deterministic values spread over the model's input range,
 * not zeros, since what the convolutions meet in a real crop (and so how much time denormal
 * products cost) depends on the values.
 */
function probeInput(): Float32Array {
  const input = new Float32Array(3 * PLANE);
  for (let i = 0, x = 12345; i < input.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    input[i] = ((x >>> 16) & 255) / 128 - 1;
  }
  return input;
}

/** A fresh unit-length copy (a zero vector stays zero rather than becoming NaN). */
function l2normalise(v: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i] * v[i];
  const inv = sum > 0 ? 1 / Math.sqrt(sum) : 0;
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i] * inv;
  return out;
}

/** Cosine similarity; for the unit-length embeddings above it is just the dot product, but stays correct for any input. */
export function cosine(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`cosine: length mismatch ${a.length} vs ${b.length}`);
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}
