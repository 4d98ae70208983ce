import { iou } from '../src/vision/nms';
import type { Box } from '../src/vision/types';

/** A found box counts as a reference face when they overlap this much (reference boxes are drawn by hand). */
export const MATCH_IOU = 0.3;

export interface TruthMatch {
  /** For each reference face, the index of the found box matched to it, or -1. */
  foundIndex: number[];
  /** Found boxes that match no reference face. */
  falsePositives: number;
}

/** One-to-one matching of found boxes to reference faces, best overlaps first. */
export function matchToTruth(found: readonly Box[], truth: readonly Box[], minIou = MATCH_IOU): TruthMatch {
  const pairs = truth.flatMap((t, ti) => found.map((f, fi) => ({ ti, fi, iou: iou(t, f) }))).filter((p) => p.iou >= minIou);
  const foundIndex = truth.map(() => -1);
  const used = new Set<number>();
  for (const p of pairs.sort((a, b) => b.iou - a.iou)) {
    if (foundIndex[p.ti] >= 0 || used.has(p.fi)) continue;
    foundIndex[p.ti] = p.fi;
    used.add(p.fi);
  }
  return { foundIndex, falsePositives: found.length - used.size };
}

/** The face-width bins recall is reported in (pixels of the photo as sent). */
export const WIDTH_BINS = [
  { label: '10-16', min: 10, max: 16 },
  { label: '16-24', min: 16, max: 24 },
  { label: '24-32', min: 24, max: 32 },
  { label: '32-48', min: 32, max: 48 },
  { label: '>48', min: 48, max: Infinity },
] as const;

export const widthBin = (width: number): string | undefined => WIDTH_BINS.find((b) => width >= b.min && width < b.max)?.label;
