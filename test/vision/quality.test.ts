import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { ALIGNED_SIZE, ARCFACE_TEMPLATE, alignFace } from '../../src/vision/align';
import { decodeImage } from '../../src/vision/decode';
import { DEFAULT_SCALE, FaceDetector } from '../../src/vision/detector';
import { DETECTOR_FILE } from '../../src/vision/pipeline';
import { assessQuality, estimatePose, laplacianVariance } from '../../src/vision/quality';
import type { Detection, FaceQuality, Landmarks, Point, RgbImage } from '../../src/vision/types';
import { fixturePath, readIndex, sharedModelsDir } from '../helpers/fixtures';

/** Photos of one person are detected as enrolment detects them: never enlarged. */
const AS_ENROLMENT = { ...DEFAULT_SCALE, maxUpscale: 1 };

/** A 112×112 crop from a per-pixel gray function. */
function crop(gray: (x: number, y: number) => number): RgbImage {
  const data = Buffer.alloc(ALIGNED_SIZE * ALIGNED_SIZE * 3);
  for (let y = 0; y < ALIGNED_SIZE; y++) {
    for (let x = 0; x < ALIGNED_SIZE; x++) data.fill(gray(x, y), (y * ALIGNED_SIZE + x) * 3, (y * ALIGNED_SIZE + x) * 3 + 3);
  }
  return { data, width: ALIGNED_SIZE, height: ALIGNED_SIZE };
}
const checkerboard = crop((x, y) => ((x >> 1) + (y >> 1)) % 2 ? 220 : 30);

/** The template landmarks rotated by `deg` about the eye midpoint and scaled ×2: a detection in a photo. */
function detection(deg = 0, opts: { width?: number; score?: number; noseShift?: number } = {}): Detection {
  const t = (deg * Math.PI) / 180, c = Math.cos(t), s = Math.sin(t);
  const [cx, cy] = [56, 51.6];
  const landmarks = ARCFACE_TEMPLATE.map(([x, y], i): Point => {
    const dx = (x - cx + (i === 2 ? (opts.noseShift ?? 0) : 0)) * 2, dy = (y - cy) * 2;
    return [200 + c * dx - s * dy, 200 + s * dx + c * dy];
  }) as Landmarks;
  return { box: { x: 100, y: 100, width: opts.width ?? 200, height: 240 }, landmarks, score: opts.score ?? 0.9 };
}

describe('estimatePose', () => {
  it('reads an upright template face as frontal and level', () => {
    const { yaw, roll } = estimatePose(detection().landmarks);
    expect(Math.abs(yaw)).toBeLessThan(0.01);
    expect(Math.abs(roll)).toBeLessThan(0.5);
  });

  it('reads roll from the eye line and yaw from the nose offset', () => {
    expect(estimatePose(detection(40).landmarks).roll).toBeCloseTo(40 - 0.32, 1);
    // Nose moved by half the eye distance (35.2 template px): right over one eye.
    expect(estimatePose(detection(0, { noseShift: 17.6 }).landmarks).yaw).toBeCloseTo(0.5, 1);
    expect(estimatePose(detection(0, { noseShift: -17.6 }).landmarks).yaw).toBeCloseTo(-0.5, 1);
  });
});

describe('laplacianVariance', () => {
  it('is 0 on flat and linear shading and large on fine detail', () => {
    expect(laplacianVariance(crop(() => 128))).toBe(0);
    expect(laplacianVariance(crop((x, y) => x + y))).toBeCloseTo(0, 6);
    expect(laplacianVariance(checkerboard)).toBeGreaterThan(10_000);
  });
});

describe('assessQuality on synthetic detections', () => {
  it('gives a sharp, large, frontal, level, confident face full marks', () => {
    expect(assessQuality(checkerboard, detection())).toMatchObject({ score: 1, reasons: [], size: 200 });
  });

  it.each([
    ['small', detection(0, { width: 30 })],
    ['low_score', detection(0, { score: 0.6 })],
    ['profile', detection(0, { noseShift: 17.6 })],
    ['tilted', detection(40)],
  ])('flags %s', (reason, det) => {
    const q = assessQuality(checkerboard, det);
    expect(q.reasons).toEqual([reason]);
    expect(q.score).toBe(0);
  });

  it('flags a featureless crop as blurry', () => {
    expect(assessQuality(crop(() => 128), detection()).reasons).toEqual(['blurry']);
  });

  it('accepts looser thresholds from the caller', () => {
    expect(assessQuality(checkerboard, detection(0, { width: 30 }), { minSize: 20, goodSize: 30 }).reasons).toEqual([]);
  });
});

describe('assessQuality on the fixtures', () => {
  let detector: FaceDetector;
  beforeAll(async () => {
    detector = await FaceDetector.load(path.join(sharedModelsDir, DETECTOR_FILE));
  });

  /** Quality of the best-scoring face in an encoded image, or null when none is found. */
  async function bestFace(buf: Buffer): Promise<FaceQuality | null> {
    const img = await decodeImage(buf, { maxPixels: 60_000_000 });
    const [best] = await detector.detect(img, { minFaceSize: 20, scoreThreshold: 0.6, scale: AS_ENROLMENT });
    return best ? assessQuality(alignFace(img, best.landmarks), best) : null;
  }

  it('accepts the face of every enrolment and query photo', async () => {
    const files = readIndex().files.filter((f) => f.kind === 'enroll' || f.kind === 'query');
    const rejected: string[] = [];
    for (const f of files) {
      const q = await bestFace(fs.readFileSync(fixturePath(f.path)));
      if (!q || q.reasons.length > 0) rejected.push(`${f.path}: ${q ? q.reasons.join(',') : 'no face'}`);
    }
    expect(rejected).toEqual([]);
    expect(files.length).toBeGreaterThanOrEqual(20);
  });

  it('rejects a blurred copy of an enrolment face as blurry', async () => {
    const blurred = await sharp(fixturePath('people/kit_harington/john1.jpeg')).blur(6).jpeg().toBuffer();
    expect((await bestFace(blurred))?.reasons).toContain('blurry');
  });

  it('rejects a face rotated 45° as tilted', async () => {
    const rotated = await sharp(fixturePath('people/obama/obama.jpg')).rotate(45, { background: '#000' }).jpeg().toBuffer();
    expect((await bestFace(rotated))?.reasons).toContain('tilted');
  });

  it('never accepts a face rotated further (the landmarks stop following it, the score drops)', async () => {
    for (const angle of [60, 90, 135]) {
      const rotated = await sharp(fixturePath('people/obama/obama.jpg')).rotate(angle, { background: '#000' }).jpeg().toBuffer();
      const q = await bestFace(rotated);
      if (q) expect(q.reasons.length).toBeGreaterThan(0);
    }
  });
});
