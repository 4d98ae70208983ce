import type { RgbImage } from './types';

/** Pixels measured along the longer side: enough to see motion blur, cheap on a 4K frame. */
const SAMPLE_SIDE = 480;

/**
 * Sharpness of a whole frame: variance of the 4-neighbour Laplacian of its luma, measured on a
 * grid of about SAMPLE_SIDE points along the longer side (nearest pixel, no resampling). Motion
 * blur from a sweeping phone wipes out the fine detail this measures, so of two neighbouring
 * frames the blurred one scores clearly lower. Only comparable between frames of one clip.
 */
export function frameSharpness(img: RgbImage): number {
  const step = Math.max(1, Math.floor(Math.max(img.width, img.height) / SAMPLE_SIDE));
  const w = Math.floor(img.width / step);
  const h = Math.floor(img.height / step);
  if (w < 3 || h < 3) return 0;
  const luma = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = (y * step * img.width + x * step) * 3;
      luma[y * w + x] = 0.299 * img.data[p] + 0.587 * img.data[p + 1] + 0.114 * img.data[p + 2];
    }
  }
  let sum = 0, sumSq = 0, n = 0;
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      const v = luma[i - 1] + luma[i + 1] + luma[i - w] + luma[i + w] - 4 * luma[i];
      sum += v;
      sumSq += v * v;
      n++;
    }
  }
  const mean = sum / n;
  return sumSq / n - mean * mean;
}

/**
 * Keeps the sharpest of every `window` consecutive frames: frames are decoded at `window` times
 * the analysis rate, and the blurred ones of each group are skipped. Push frames in order; a
 * frame comes back when its group is complete (call `flush` at the end for the last group).
 */
export class SharpestPerWindow<T> {
  private best: { item: T; score: number } | null = null;
  private seen = 0;

  constructor(private readonly window: number) {}

  push(item: T, score: number): T | null {
    if (!this.best || score > this.best.score) this.best = { item, score };
    this.seen++;
    return this.seen % this.window === 0 ? this.flush() : null;
  }

  flush(): T | null {
    const b = this.best;
    this.best = null;
    return b?.item ?? null;
  }
}
