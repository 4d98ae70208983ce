import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { alignFace } from './align';
import { decodeImage } from './decode';
import { FaceDetector, type ScalePolicy } from './detector';
import { FaceEmbedder } from './embedder';
import { assessQuality, type QualityThresholds } from './quality';
import type { EmbeddedFace, RgbImage, StageTimings } from './types';

export const DETECTOR_FILE = 'yunet_n_dynamic.onnx';
export const EMBEDDER_FILE = 'fr_feature.onnx';

export interface PipelineOptions {
  maxPixels: number;
  minFaceSize: number;
  scoreThreshold: number;
  scale: ScalePolicy;
  /** Overrides of quality's thresholds, e.g. the size below which a face is 'small'. */
  quality?: Partial<QualityThresholds>;
}

export interface PipelineResult {
  image: { width: number; height: number };
  /** The decoded upright pixels, for callers that store crops or draw boxes without decoding again. */
  rgb: RgbImage;
  faces: EmbeddedFace[];
  /** Milliseconds per stage (performance.now); `align` includes the quality check of each crop. */
  timings: StageTimings;
}

/** Photo bytes → every face with its box, landmarks, quality and embedding. Load once per process. */
export class FacePipeline {
  private constructor(
    readonly detector: FaceDetector,
    readonly embedder: FaceEmbedder,
  ) {}

  static async load(modelsDir: string): Promise<FacePipeline> {
    const [detector, embedder] = await Promise.all([
      FaceDetector.load(path.join(modelsDir, DETECTOR_FILE)),
      FaceEmbedder.load(path.join(modelsDir, EMBEDDER_FILE)),
    ]);
    return new FacePipeline(detector, embedder);
  }

  /** Loaded and not closed: photos can be analysed. */
  get ready(): boolean {
    return this.embedder.ready;
  }

  /** Stops the embedder's worker threads, letting a face being embedded finish (see FaceEmbedder.close). */
  close(): Promise<void> {
    return this.embedder.close();
  }

  async run(buf: Buffer, opts: PipelineOptions): Promise<PipelineResult> {
    const t0 = performance.now();
    const rgb = await decodeImage(buf, { maxPixels: opts.maxPixels });
    const decode = performance.now() - t0;
    const r = await this.runPixels(rgb, opts);
    return { ...r, timings: { ...r.timings, decode } };
  }

  /** Every face of already-decoded upright pixels (e.g. a video frame); `decode` is 0. */
  async runPixels(rgb: RgbImage, opts: PipelineOptions): Promise<PipelineResult> {
    let t = performance.now();
    const lap = () => {
      const now = performance.now();
      const ms = now - t;
      t = now;
      return ms;
    };

    const detections = await this.detector.detect(rgb, opts);
    const detect = lap();

    // Each crop goes to the embedder's worker threads as soon as it is aligned, and the next face
    // aligns meanwhile: `align` is this thread's time per face, `embed` the wait for the rest after.
    let align = 0;
    const pending: Promise<EmbeddedFace>[] = [];
    for (const det of detections) {
      const crop = alignFace(rgb, det.landmarks);
      const quality = assessQuality(crop, det, opts.quality);
      pending.push(this.embedder.embedAligned(crop).then((embedding) => ({ ...det, embedding, quality })));
      align += lap();
    }
    const faces = await Promise.all(pending);
    const embed = lap();

    return { image: { width: rgb.width, height: rgb.height }, rgb, faces, timings: { decode: 0, detect, align, embed } };
  }
}
