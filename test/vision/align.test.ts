import { ALIGNED_SIZE, ARCFACE_TEMPLATE, alignFace, estimateSimilarity, invertAffine, warpAffine, type Affine } from '../../src/vision/align';
import type { Landmarks, Point, RgbImage } from '../../src/vision/types';

const apply = (m: Affine, [x, y]: Point): Point => [m[0] * x + m[1] * y + m[2], m[3] * x + m[4] * y + m[5]];

/** scale·R(θ) plus translation, as a 2×3 matrix. */
function similarity(scale: number, theta: number, tx: number, ty: number): Affine {
  const c = scale * Math.cos(theta), s = scale * Math.sin(theta);
  return [c, -s, tx, s, c, ty];
}

function expectMatrixClose(actual: Affine, expected: Affine, tol: number): void {
  for (let i = 0; i < 6; i++) expect(Math.abs(actual[i] - expected[i])).toBeLessThan(tol);
}

describe('estimateSimilarity', () => {
  it('recovers a known rotation + scale + translation of the ArcFace template', () => {
    const truth = similarity(2.7, 0.4, -31.5, 118.25);
    const moved = ARCFACE_TEMPLATE.map((p) => apply(truth, p));
    expectMatrixClose(estimateSimilarity(ARCFACE_TEMPLATE, moved), truth, 1e-6);
    // The direction alignment uses (landmarks → template) is the inverse map.
    expectMatrixClose(estimateSimilarity(moved, ARCFACE_TEMPLATE), invertAffine(truth), 1e-6);
  });

  it('never returns a reflection, even for mirrored points', () => {
    const mirrored = ARCFACE_TEMPLATE.map(([x, y]): Point => [ALIGNED_SIZE - x, y]);
    const m = estimateSimilarity(ARCFACE_TEMPLATE, mirrored);
    expect(m[0] * m[4] - m[1] * m[3]).toBeGreaterThan(0);
  });

  it('rejects degenerate input', () => {
    expect(() => estimateSimilarity([[1, 1]], [[2, 2]])).toThrow();
    expect(() => estimateSimilarity([[1, 1], [1, 1]], [[0, 0], [1, 1]])).toThrow();
  });
});

/** The RGB triple at (x, y). */
const pixel = (img: RgbImage, x: number, y: number) => [...img.data.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3)];

describe('warpAffine', () => {
  it('moves a known pixel to where the matrix sends it', () => {
    const data = Buffer.alloc(300 * 200 * 3);
    data.set([200, 100, 50], (40 * 300 + 150) * 3);
    // Scale 2 and rotate 90°: (150, 40) → (-80, 300); the translation brings it to (20, 30).
    const m = similarity(2, Math.PI / 2, 100, -270);
    const out = warpAffine({ data, width: 300, height: 200 }, m, 64, 64);
    expect(pixel(out, 20, 30)).toEqual([200, 100, 50]);
    // One destination pixel away is half a source pixel away: a 50/50 blend with black.
    expect(pixel(out, 21, 30)).toEqual([100, 50, 25]);
    expect(pixel(out, 20, 31)).toEqual([100, 50, 25]);
    expect(pixel(out, 22, 30)).toEqual([0, 0, 0]);
  });

  it('fills samples outside the source with 0', () => {
    const src: RgbImage = { data: Buffer.alloc(4 * 4 * 3, 255), width: 4, height: 4 };
    const out = warpAffine(src, similarity(1, 0, 10, 10), 20, 20);
    expect(pixel(out, 0, 0)).toEqual([0, 0, 0]);
    expect(pixel(out, 11, 11)).toEqual([255, 255, 255]);
    expect(pixel(out, 19, 19)).toEqual([0, 0, 0]);
  });
});

describe('alignFace', () => {
  it('puts the landmarks of a scaled, rotated face on the template', () => {
    const width = 400, height = 300;
    const landmarks = ARCFACE_TEMPLATE.map((p) => apply(similarity(1.8, -0.3, 120, 90), p)) as Landmarks;
    // A black photo with a white 5×5 patch on each landmark, so the marks survive resampling.
    const data = Buffer.alloc(width * height * 3);
    for (const [lx, ly] of landmarks) {
      for (let dy = -2; dy <= 2; dy++) {
        const row = (Math.round(ly) + dy) * width;
        data.fill(255, (row + Math.round(lx) - 2) * 3, (row + Math.round(lx) + 3) * 3);
      }
    }
    const crop = alignFace({ data, width, height }, landmarks);
    expect([crop.width, crop.height]).toEqual([ALIGNED_SIZE, ALIGNED_SIZE]);
    for (const [tx, ty] of ARCFACE_TEMPLATE) expect(pixel(crop, Math.round(tx), Math.round(ty))).toEqual([255, 255, 255]);
    expect(pixel(crop, 5, 5)).toEqual([0, 0, 0]);
  });
});
