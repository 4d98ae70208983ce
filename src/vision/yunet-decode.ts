import type { Detection, Landmarks, Point } from './types';

/**
 * Turns YuNet's raw head outputs into candidate faces, exactly as models/MANIFEST.json "decode"
 * describes. Pure: no onnxruntime here, so it is unit-tested with hand-made tensors.
 */

export const YUNET_STRIDES = [8, 16, 32] as const;

/** The model's twelve output names: cls_8 … kps_32. */
export const YUNET_OUTPUT_NAMES: readonly string[] = YUNET_STRIDES.flatMap((s) =>
  ['cls', 'obj', 'bbox', 'kps'].map((head) => `${head}_${s}`),
);

/** Output name → its data (batch 1), as read from the session's result tensors. */
export type YunetOutputs = Readonly<Record<string, Float32Array>>;

/**
 * Candidates scoring at least `scoreThreshold`, in the pixel space of the (padded) model input.
 * `inputWidth`/`inputHeight` are that input's size, multiples of 32.
 */
export function decodeYunet(
  out: YunetOutputs,
  inputWidth: number,
  inputHeight: number,
  scoreThreshold: number,
): Detection[] {
  const found: Detection[] = [];
  for (const s of YUNET_STRIDES) {
    const cols = inputWidth / s;
    const rows = inputHeight / s;
    const n = cols * rows;
    const cls = head(out, `cls_${s}`, n);
    const obj = head(out, `obj_${s}`, n);
    const bbox = head(out, `bbox_${s}`, 4 * n);
    const kps = head(out, `kps_${s}`, 10 * n);
    for (let i = 0; i < n; i++) {
      const score = cls[i] * obj[i];
      if (score < scoreThreshold) continue;
      const px = (i % cols) * s;
      const py = Math.floor(i / cols) * s;
      const cx = px + bbox[4 * i] * s;
      const cy = py + bbox[4 * i + 1] * s;
      const w = Math.exp(bbox[4 * i + 2]) * s;
      const h = Math.exp(bbox[4 * i + 3]) * s;
      const point = (k: number): Point => [px + kps[10 * i + 2 * k] * s, py + kps[10 * i + 2 * k + 1] * s];
      const landmarks: Landmarks = [point(0), point(1), point(2), point(3), point(4)];
      found.push({ box: { x: cx - w / 2, y: cy - h / 2, width: w, height: h }, landmarks, score });
    }
  }
  return found;
}

function head(out: YunetOutputs, name: string, expectedLength: number): Float32Array {
  const data = out[name];
  if (!data) throw new Error(`YuNet output ${name} is missing`);
  // A mismatch means the input size was not a multiple of 32 or the model is not YuNet.
  if (data.length !== expectedLength) {
    throw new Error(`YuNet output ${name} has ${data.length} values, expected ${expectedLength}`);
  }
  return data;
}
