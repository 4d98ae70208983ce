import type { Box, Detection } from './types';

/**
 * Duplicate suppression for face candidates. Pure; works on any coordinates.
 */

const area = (b: Box) => Math.max(0, b.width) * Math.max(0, b.height);

function intersection(a: Box, b: Box): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

export function iou(a: Box, b: Box): number {
  const inter = intersection(a, b);
  return inter === 0 ? 0 : inter / (area(a) + area(b) - inter);
}

const byScoreDesc = (a: Detection, b: Detection) => b.score - a.score;

/** Greedy non-maximum suppression: keeps the best of every group overlapping by more than `iouThreshold`. */
export function nms(dets: readonly Detection[], iouThreshold = 0.45): Detection[] {
  const kept: Detection[] = [];
  for (const d of [...dets].sort(byScoreDesc)) {
    if (kept.every((k) => iou(k.box, d.box) <= iouThreshold)) kept.push(d);
  }
  return kept;
}

export interface ContainmentOptions {
  /** Share of the smaller box's area that must lie inside the larger one. */
  minInside: number;
  /** How much larger (by area) the containing box must be. */
  minAreaRatio: number;
  /** The containing box may score this much lower and still win. */
  scoreMargin: number;
}

export const DEFAULT_CONTAINMENT: ContainmentOptions = { minInside: 0.6, minAreaRatio: 1.5, scoreMargin: 0.2 };

/**
 * Drops boxes lying mostly inside a clearly larger box of comparable score. At full resolution
 * YuNet can fire on part of a very large face (an eye and brow, half a face cut by a tile edge);
 * IoU alone misses those because the part is small next to the whole. Two real faces never
 * overlap like that in a photo. Quadratic: run it on what `nms` kept, not on raw candidates.
 */
export function suppressContained(
  dets: readonly Detection[],
  opts: ContainmentOptions = DEFAULT_CONTAINMENT,
): Detection[] {
  return dets.filter(
    (small) =>
      !dets.some(
        (big) =>
          big !== small &&
          area(big.box) >= opts.minAreaRatio * area(small.box) &&
          big.score >= small.score - opts.scoreMargin &&
          intersection(big.box, small.box) >= opts.minInside * area(small.box),
      ),
  );
}
