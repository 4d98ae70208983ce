import { ALIGNED_SIZE } from './align';
import type { Detection, FaceQuality, RgbImage } from './types';

/**
 * Where a face stops being usable for enrolment. Each `min`/`max` value raises a reason; between
 * it and the matching `good` value the score falls linearly. Calibrated on the shared fixtures
 * (YuNet landmarks, 112×112 crops; quality.test.ts re-checks every enrol/query face):
 * - blur: enrol/query faces measure 404–6217 (group faces down to 64, a 46-px face). Blurring
 *   fixture faces with a Gaussian shows the embedding holds (cosine to the sharp copy ≥ 0.91)
 *   while the measure stays ≥ 49, and falls to 0.29–0.86 once it drops below ~40.
 * - yaw: enrol/query |yaw| ≤ 0.24, group faces ≤ 0.36; detector false positives 0.41–0.53.
 * - roll: enrol/query |roll| ≤ 9°, group faces ≤ 10°. YuNet's landmarks follow a rotated face
 *   only part of the way (turned 30° it reads 12–29°, 45° reads 16–29°) and not at all beyond
 *   ~60° (90° and 180° read 20° or less), so 25° already means a strongly rotated face; past
 *   ~60° only the falling detector score (0.53–0.81) gives it away.
 * - score: enrol/query faces 0.86–0.91, group faces ≥ 0.79; false positives and faces rotated
 *   ≥ 60° mostly below 0.75.
 * - size: enrolment's own default minimum (ENROL_MIN_FACE_SIZE = 40); the smallest enrol/query
 *   face is 55 px.
 */
export interface QualityThresholds {
  /** Face box width in pixels. */
  minSize: number;
  goodSize: number;
  /** Variance of the Laplacian of the aligned crop's face region. */
  minBlur: number;
  goodBlur: number;
  /** Detector confidence. */
  minScore: number;
  goodScore: number;
  /** |yaw| as a fraction of the eye distance (see estimatePose). */
  maxYaw: number;
  goodYaw: number;
  /** |roll| in degrees. */
  maxRoll: number;
  goodRoll: number;
}

export const DEFAULT_QUALITY_THRESHOLDS: Readonly<QualityThresholds> = {
  minSize: 40,
  goodSize: 80,
  minBlur: 50,
  goodBlur: 200,
  minScore: 0.75,
  goodScore: 0.85,
  maxYaw: 0.4,
  goodYaw: 0.2,
  maxRoll: 25,
  goodRoll: 15,
};

/**
 * The rectangle of the aligned crop that holds eyes, nose and mouth (template points span
 * x 38–74, y 51–92). Measuring sharpness only here keeps hair, background and the black warp
 * border — which can be sharp or flat regardless of the face — out of the figure.
 */
const FACE_REGION = { x0: 28, x1: 84, y0: 36, y1: 104 } as const;

/**
 * Sharpness: variance of the 4-neighbour Laplacian of the gray face region. A defocused or
 * motion-blurred face has little high-frequency energy, so the variance collapses.
 */
export function laplacianVariance(crop: RgbImage): number {
  const { data, width } = crop;
  const gray = (x: number, y: number) => {
    const p = (y * width + x) * 3;
    return 0.299 * data[p] + 0.587 * data[p + 1] + 0.114 * data[p + 2];
  };
  let sum = 0, sumSq = 0, n = 0;
  for (let y = FACE_REGION.y0; y < FACE_REGION.y1; y++) {
    for (let x = FACE_REGION.x0; x < FACE_REGION.x1; x++) {
      const v = gray(x - 1, y) + gray(x + 1, y) + gray(x, y - 1) + gray(x, y + 1) - 4 * gray(x, y);
      sum += v;
      sumSq += v * v;
      n++;
    }
  }
  const mean = sum / n;
  return sumSq / n - mean * mean;
}

/**
 * Head pose from the five landmarks, no model needed.
 * yaw: how far the nose tip sits from the eye midpoint along the eye line, as a fraction of the
 * eye distance (0 frontal; ±0.5 means the nose is in line with one eye, i.e. near profile;
 * positive = nose towards the image's right).
 * roll: angle of the eye line in degrees (positive = clockwise in image coordinates, y down).
 */
export function estimatePose(landmarks: Detection['landmarks']): { yaw: number; roll: number } {
  const [[lx, ly], [rx, ry], [nx, ny]] = landmarks;
  const ex = rx - lx, ey = ry - ly;
  const eyeDist = Math.hypot(ex, ey);
  if (eyeDist === 0) return { yaw: 0, roll: 0 };
  const yaw = ((nx - (lx + rx) / 2) * ex + (ny - (ly + ry) / 2) * ey) / (eyeDist * eyeDist);
  const roll = (Math.atan2(ey, ex) * 180) / Math.PI;
  return { yaw, roll };
}

/** 0 at `bad`, 1 at `good`, linear between (works for either direction of "better"). */
function ramp(value: number, bad: number, good: number): number {
  return Math.min(1, Math.max(0, (value - bad) / (good - bad)));
}

/**
 * Quality of one detected face from its 112×112 aligned crop. `reasons` lists hard failures
 * (enrolment refuses a face with any); `score` is the product of the per-factor ramps, for
 * ranking faces that all pass.
 */
export function assessQuality(
  crop: RgbImage,
  detection: Detection,
  thresholds: Partial<QualityThresholds> = {},
): FaceQuality {
  if (crop.width !== ALIGNED_SIZE || crop.height !== ALIGNED_SIZE) {
    throw new Error(`assessQuality needs the ${ALIGNED_SIZE}×${ALIGNED_SIZE} aligned crop`);
  }
  const t = { ...DEFAULT_QUALITY_THRESHOLDS, ...thresholds };
  const size = detection.box.width;
  const blur = laplacianVariance(crop);
  const { yaw, roll } = estimatePose(detection.landmarks);
  const reasons: string[] = [];
  if (size < t.minSize) reasons.push('small');
  if (blur < t.minBlur) reasons.push('blurry');
  if (detection.score < t.minScore) reasons.push('low_score');
  if (Math.abs(yaw) > t.maxYaw) reasons.push('profile');
  if (Math.abs(roll) > t.maxRoll) reasons.push('tilted');
  const score =
    ramp(size, t.minSize, t.goodSize) *
    ramp(blur, t.minBlur, t.goodBlur) *
    ramp(detection.score, t.minScore, t.goodScore) *
    ramp(Math.abs(yaw), t.maxYaw, t.goodYaw) *
    ramp(Math.abs(roll), t.maxRoll, t.goodRoll);
  return { score, reasons, size, blur, yaw, roll };
}
