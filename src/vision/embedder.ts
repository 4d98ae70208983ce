import { performance } from 'node:perf_hooks';
import * as ort from 'onnxruntime-node';
import { ALIGNED_SIZE, alignFace } from './align';
import { createSession } from './onnx';
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
 * fr_feature.onnx: 112×112 ArcFace-aligned face → L2-normalised 512-d embedding.
 * One session per process (load once, share); the model's batch is fixed at 1, so faces run one
 * after another through a single reused input buffer.
 */
export class FaceEmbedder {
  private readonly input = new Float32Array(3 * PLANE);
  private readonly tensor = new ort.Tensor('float32', this.input, [1, 3, ALIGNED_SIZE, ALIGNED_SIZE]);
  /**
   * Runs are chained: ort-node reads the input when the run starts (on a later tick), so two
   * interleaved callers filling the shared buffer would otherwise embed each other's faces.
   */
  private tail: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly inputName: string,
    private readonly outputName: string,
    /** The graph optimisation level the session runs at (see load). */
    readonly optimization: EmbedderOptimization,
  ) {}

  /**
   * Loads fr_feature at `opts.optimization`, or by default at whichever of 'extended' and 'all'
   * runs faster on this machine: 'all' adds ORT's blocked (NCHWc) layout, and which wins depends
   * on the CPU. On the 2-core AMD EPYC (bench:embed, 30 real crops, variants interleaved, median
   * of 15 rounds) 'all' took 16.3 ms per face (25.6 ms CPU) against 19.8 ms (31.9 ms CPU) for
   * 'extended'; on the 2-core Xeon, 'all' took 47 ms per face against 15 ms (bench:vision).
   * Choosing costs two session loads and a few runs each at start-up; both levels give the same
   * embeddings (cosine 1.000000 on the bench's crops, values within 7e-7).
   */
  static async load(modelPath: string, opts: { optimization?: EmbedderOptimization } = {}): Promise<FaceEmbedder> {
    const levels = opts.optimization ? [opts.optimization] : CANDIDATE_LEVELS;
    const sessions: ort.InferenceSession[] = [];
    for (const level of levels) sessions.push(await createSession(modelPath, { optimization: level }));
    const best = sessions.length === 1 ? 0 : await fastest(sessions);
    for (const [i, s] of sessions.entries()) if (i !== best) await s.release();
    const session = sessions[best];
    return new FaceEmbedder(session, session.inputNames[0], session.outputNames[0], levels[best]);
  }

  /** Aligns each face by its landmarks and embeds it; one embedding per face, same order. */
  async embed(img: RgbImage, faces: Landmarks[]): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (const landmarks of faces) out.push(await this.embedAligned(alignFace(img, landmarks)));
    return out;
  }

  /** Embeds a crop already aligned to the 112×112 ArcFace template (see align.ts). */
  embedAligned(crop: RgbImage): Promise<Float32Array> {
    if (crop.width !== ALIGNED_SIZE || crop.height !== ALIGNED_SIZE) {
      return Promise.reject(new Error(`embedAligned needs a ${ALIGNED_SIZE}×${ALIGNED_SIZE} crop, got ${crop.width}×${crop.height}`));
    }
    const run = this.tail.then(() => this.runOne(crop));
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async runOne(crop: RgbImage): Promise<Float32Array> {
    packCrop(crop, this.input);
    const result = await this.session.run({ [this.inputName]: this.tensor });
    const raw = result[this.outputName];
    if (raw.size !== EMBEDDING_DIM) throw new Error(`fr_feature returned ${raw.size} values, expected ${EMBEDDING_DIM}`);
    return l2normalise(raw.data as Float32Array);
  }
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
 * Index of the session with the lowest median run time on a fixed face-like input. Runs alternate
 * between the sessions (after one untimed warm-up each), so a machine that is busy for part of
 * the time slows every candidate alike.
 */
async function fastest(sessions: ort.InferenceSession[]): Promise<number> {
  const input = new Float32Array(3 * PLANE);
  // Deterministic values spread over the model's input range, not zeros: what the convolutions
  // meet in a real crop (and so how much time denormal products cost) depends on the values.
  for (let i = 0, x = 12345; i < input.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    input[i] = ((x >>> 16) & 255) / 128 - 1;
  }
  const feeds = sessions.map((s) => ({ [s.inputNames[0]]: new ort.Tensor('float32', input, [1, 3, ALIGNED_SIZE, ALIGNED_SIZE]) }));
  for (const [i, s] of sessions.entries()) await s.run(feeds[i]);
  const times: number[][] = sessions.map(() => []);
  for (let r = 0; r < CHOOSE_RUNS; r++) {
    for (let k = 0; k < sessions.length; k++) {
      const i = (k + r) % sessions.length;
      const t0 = performance.now();
      await sessions[i].run(feeds[i]);
      times[i].push(performance.now() - t0);
    }
  }
  const medians = times.map((ts) => ts.sort((a, b) => a - b)[ts.length >> 1]);
  return medians.indexOf(Math.min(...medians));
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
