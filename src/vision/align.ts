import type { Landmarks, Point, RgbImage } from './types';

/** Side of the square crop the embedder (fr_feature.onnx) was trained on. */
export const ALIGNED_SIZE = 112;

/**
 * Where the five landmarks sit in a 112×112 ArcFace crop (models/MANIFEST.json, fr_feature input
 * notes). Same order as Landmarks: left eye, right eye, nose, left mouth, right mouth.
 */
export const ARCFACE_TEMPLATE: Landmarks = [
  [38.2946, 51.6963],
  [73.5318, 51.5014],
  [56.0252, 71.7366],
  [41.5493, 92.3655],
  [70.7299, 92.2041],
];

/** Row-major 2×3 affine matrix: [a, b, tx, c, d, ty] maps (x, y) to (a·x + b·y + tx, c·x + d·y + ty). */
export type Affine = [number, number, number, number, number, number];

/**
 * Least-squares similarity (uniform scale, rotation, translation; no reflection) taking `src` onto
 * `dst`. In 2-D this is Umeyama's estimator in closed form: writing points as complex numbers,
 * the optimum of Σ|w·s + t − d|² is w = Σ conj(s̄)·d̄ / Σ|s̄|² on centred points, and a complex
 * multiplier can only rotate and scale, so reflections are excluded without an SVD.
 */
export function estimateSimilarity(src: readonly Point[], dst: readonly Point[]): Affine {
  const n = src.length;
  if (n < 2 || dst.length !== n) throw new Error('estimateSimilarity needs two equal lists of at least 2 points');
  let msx = 0, msy = 0, mdx = 0, mdy = 0;
  for (let i = 0; i < n; i++) {
    msx += src[i][0]; msy += src[i][1];
    mdx += dst[i][0]; mdy += dst[i][1];
  }
  msx /= n; msy /= n; mdx /= n; mdy /= n;
  let dot = 0, cross = 0, norm = 0;
  for (let i = 0; i < n; i++) {
    const sx = src[i][0] - msx, sy = src[i][1] - msy;
    const dx = dst[i][0] - mdx, dy = dst[i][1] - mdy;
    dot += sx * dx + sy * dy;
    cross += sx * dy - sy * dx;
    norm += sx * sx + sy * sy;
  }
  if (norm === 0) throw new Error('estimateSimilarity: source points are all identical');
  const a = dot / norm; // scale·cos θ
  const b = cross / norm; // scale·sin θ
  return [a, -b, mdx - (a * msx - b * msy), b, a, mdy - (b * msx + a * msy)];
}

/** Inverse of an affine map (the warp samples the source for every destination pixel). */
export function invertAffine(m: Affine): Affine {
  const [a, b, tx, c, d, ty] = m;
  const det = a * d - b * c;
  if (det === 0) throw new Error('invertAffine: singular matrix');
  const ia = d / det, ib = -b / det, ic = -c / det, id = a / det;
  return [ia, ib, -(ia * tx + ib * ty), ic, id, -(ic * tx + id * ty)];
}

/**
 * Warps `img` by `m` (source → destination) into a width×height image with bilinear sampling
 * and a constant 0 border, matching cv2.warpAffine(INTER_LINEAR, BORDER_CONSTANT), which is how
 * ArcFace-family training crops are made. Pixel centres are at integer coordinates.
 */
export function warpAffine(img: RgbImage, m: Affine, width: number, height: number): RgbImage {
  const [a, b, tx, c, d, ty] = invertAffine(m);
  const { data: src, width: sw, height: sh } = img;
  const out = Buffer.alloc(width * height * 3);
  let o = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++, o += 3) {
      const sx = a * x + b * y + tx;
      const sy = c * x + d * y + ty;
      const x0 = Math.floor(sx), y0 = Math.floor(sy);
      // Entirely outside (including the 1-px fringe that would blend with the border): stays 0.
      if (x0 < -1 || y0 < -1 || x0 >= sw || y0 >= sh) continue;
      const fx = sx - x0, fy = sy - y0;
      const w00 = (1 - fx) * (1 - fy), w10 = fx * (1 - fy), w01 = (1 - fx) * fy, w11 = fx * fy;
      const in0 = y0 >= 0, in1 = y0 + 1 < sh, inL = x0 >= 0, inR = x0 + 1 < sw;
      const p00 = (y0 * sw + x0) * 3, p01 = p00 + sw * 3;
      for (let ch = 0; ch < 3; ch++) {
        let v = 0;
        if (in0 && inL) v += w00 * src[p00 + ch];
        if (in0 && inR) v += w10 * src[p00 + 3 + ch];
        if (in1 && inL) v += w01 * src[p01 + ch];
        if (in1 && inR) v += w11 * src[p01 + 3 + ch];
        out[o + ch] = Math.round(v);
      }
    }
  }
  return { data: out, width, height };
}

/** The 112×112 ArcFace crop of one face. An RgbImage, so quality checks and crop storage can use it too. */
export function alignFace(img: RgbImage, landmarks: Landmarks): RgbImage {
  return warpAffine(img, estimateSimilarity(landmarks, ARCFACE_TEMPLATE), ALIGNED_SIZE, ALIGNED_SIZE);
}
