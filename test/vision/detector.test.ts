import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { AppError } from '../../src/errors';
import { decodeImage } from '../../src/vision/decode';
import { DEFAULT_SCALE, DEFAULT_TUNING, FaceDetector, finestScale, keepWhole, planLevels } from '../../src/vision/detector';
import type { Box, Detection, RgbImage } from '../../src/vision/types';
import { fixturePath, readIndex, sharedModelsDir } from '../helpers/fixtures';
import { detection } from '../helpers/detection';

const MODEL = path.join(process.env.MODELS_DIR ?? sharedModelsDir, 'yunet_n_dynamic.onnx');
// 0.7, not 0.6: a stain on the wall of people/person_a/001_A.jpg scores 0.66; every real face in
// the fixtures scores 0.79 or more, and pasted 20-px faces 0.79–0.87.
const OPTS = { minFaceSize: 20, scoreThreshold: 0.7, scale: DEFAULT_SCALE };

const alignUp = (n: number) => Math.ceil(n / 32) * 32;
const decodeFixture = (rel: string) => decodeImage(fs.readFileSync(fixturePath(rel)), { maxPixels: 60_000_000 });

let detector: FaceDetector;
beforeAll(async () => {
  detector = await FaceDetector.load(MODEL);
});

/** Every result is well-formed: best first, boxes inside the image, landmarks on the face. */
function expectWellFormed(faces: Detection[], img: RgbImage, upright = true) {
  for (let i = 1; i < faces.length; i++) expect(faces[i].score).toBeLessThanOrEqual(faces[i - 1].score);
  for (const { box, landmarks, score } of faces) {
    expect(score).toBeGreaterThanOrEqual(OPTS.scoreThreshold);
    expect(box.width).toBeGreaterThanOrEqual(OPTS.minFaceSize);
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(img.width);
    expect(box.y + box.height).toBeLessThanOrEqual(img.height);
    const slack = 0.1 * box.width;
    for (const [x, y] of landmarks) {
      expect(x).toBeGreaterThanOrEqual(box.x - slack);
      expect(x).toBeLessThanOrEqual(box.x + box.width + slack);
      expect(y).toBeGreaterThanOrEqual(box.y - slack);
      expect(y).toBeLessThanOrEqual(box.y + box.height + slack);
    }
    if (upright) {
      const [leftEye, rightEye, nose, leftMouth, rightMouth] = landmarks;
      expect(leftEye[0]).toBeLessThan(rightEye[0]);
      expect(Math.max(leftEye[1], rightEye[1])).toBeLessThan(nose[1]);
      expect(nose[1]).toBeLessThan(Math.min(leftMouth[1], rightMouth[1]));
    }
  }
}

describe('planLevels', () => {
  const { tileSize, tileOverlap, coarseLongSide } = DEFAULT_TUNING;

  it.each([
    [4000, 3000],
    [3024, 4032],
    [4912, 7360],
    [1200, 626],
    [640, 480],
    [33, 2000],
  ])('%i×%i: full resolution first, tiles cover each level with the overlap', (width, height) => {
    const levels = planLevels(width, height);
    expect([levels[0].width, levels[0].height]).toEqual([width, height]);
    const last = levels[levels.length - 1];
    expect(Math.max(last.width, last.height)).toBe(Math.min(Math.max(width, height), coarseLongSide));
    expect(last.tiles).toHaveLength(1);
    for (const level of levels) {
      expect(level.inputWidth % 32).toBe(0);
      expect(level.inputHeight % 32).toBe(0);
      expect(Math.max(level.inputWidth, level.inputHeight)).toBeLessThanOrEqual(Math.max(tileSize, alignUp(coarseLongSide)));
      const xs = [...new Set(level.tiles.map((t) => t.x))];
      const ys = [...new Set(level.tiles.map((t) => t.y))];
      expect(level.tiles).toHaveLength(xs.length * ys.length);
      for (const t of level.tiles) {
        // On YuNet's 32-px grid, inside the level, and as big as the input wherever the level allows.
        expect([t.x % 32, t.y % 32]).toEqual([0, 0]);
        expect([t.width, t.height]).toEqual([Math.min(level.inputWidth, level.width - t.x), Math.min(level.inputHeight, level.height - t.y)]);
      }
      for (const [starts, size, length] of [
        [xs, level.inputWidth, level.width],
        [ys, level.inputHeight, level.height],
      ] as const) {
        expect(starts[0]).toBe(0);
        expect(starts[starts.length - 1] + size).toBeGreaterThanOrEqual(length);
        for (let i = 1; i < starts.length; i++) expect(starts[i - 1] + size - starts[i]).toBeGreaterThanOrEqual(tileOverlap);
      }
    }
  });
});

describe('finestScale', () => {
  it.each([
    // [width, height, scale]: web photos are enlarged up to maxUpscale, ...
    [338, 254, 3],
    [1024, 768, 3],
    // ... mid-size ones up to the pixel budget, ...
    [1600, 1200, Math.sqrt(12_600_000 / (1600 * 1200))],
    [2048, 1536, Math.sqrt(12_600_000 / (2048 * 1536))],
    // ... phone photos near 12 MP stay as they are, ...
    [4032, 3024, 1],
    [4000, 3000, 1],
    [3024, 4032, 1],
    // ... and bigger ones are shrunk to the budget.
    [7360, 4912, Math.sqrt(12_600_000 / (7360 * 4912))],
    [8000, 6000, Math.sqrt(12_600_000 / 48_000_000)],
  ])('%i×%i → %f', (width, height, scale) => {
    expect(finestScale(width, height, DEFAULT_SCALE)).toBeCloseTo(scale, 6);
  });

  it('never spends more than the budget outside the native band, nor enlarges past maxUpscale', () => {
    for (let width = 100; width <= 12_000; width += 97) {
      const height = Math.round(width * 0.75);
      const s = finestScale(width, height, { pixelBudget: 5_000_000, maxUpscale: 2 });
      expect(s).toBeLessThanOrEqual(2);
      if (s !== 1) expect(width * height * s * s).toBeLessThanOrEqual(5_000_000 * 1.0001);
    }
  });

  it('an enlarged finest level comes first, and coarser levels reach native size and YuNet\'s 640 px', () => {
    const levels = planLevels(1024, 768, 3);
    expect(levels.map((l) => [l.scale, l.width, l.height])).toEqual([
      [3, 3072, 2304],
      [0.75, 768, 576],
      [0.625, 640, 480],
    ]);
    // A small photo's coarsest level is the photo itself.
    expect(planLevels(338, 254, 3).map((l) => [l.width, l.height])).toEqual([
      [1014, 762],
      [338, 254],
    ]);
  });
});

describe('keepWhole', () => {
  const face = (x: number, y: number, width = 40, height = 50): Detection => detection(x, y, width, height, 0.9);
  // The middle tile of the top row of a 4000×3000 level: left and right edges are seams, its top
  // edge is the image's.
  const level = planLevels(4000, 3000)[0];
  const tile = level.tiles.find((t) => t.x > 0 && t.y === 0 && t.x + t.width < level.width)!;

  it('drops boxes at a seam, which may be faces the seam cut, and keeps those at an image edge', () => {
    const inside = face(500, 500);
    const atTop = face(500, 0);
    const atLeftSeam = face(3, 500);
    const atRightSeam = face(tile.width - 45, 500);
    expect(keepWhole([inside, atTop, atLeftSeam, atRightSeam], tile, level, 160)).toEqual([inside, atTop]);
  });

  it('drops boxes bigger than the level answers for, either way', () => {
    const small = face(500, 500, 100, 160);
    expect(keepWhole([small, face(500, 500, 161, 100), face(500, 500, 100, 161)], tile, level, 160)).toEqual([small]);
  });
});

describe('FaceDetector on the fixtures', () => {
  it('loads one session per model file', async () => {
    expect(await FaceDetector.load(MODEL)).toBe(detector);
  });

  const counted = readIndex().files.filter((f) => f.kind !== 'bad' && f.face_count !== undefined);

  it.each(counted.map((f) => [f.path, f.face_count ?? 0]))('%s: %i face(s)', async (rel, count) => {
    const img = await decodeFixture(rel).catch((e: unknown) => e);
    if (img instanceof AppError) {
      // Only a face-less fixture may be refused (tiny-1x1.png), and then with a clear 4xx.
      expect(count).toBe(0);
      expect(img.status).toBe(400);
      return;
    }
    const faces = await detector.detect(img as RgbImage, OPTS);
    expect(faces).toHaveLength(count);
    expectWellFormed(faces, img as RgbImage);
  });

  it('drops faces narrower than minFaceSize', async () => {
    // The faces of cf_010_2.jpg are 46–51 px wide.
    const img = await decodeFixture('group/cf_010_2.jpg');
    expect(await detector.detect(img, OPTS)).toHaveLength(2);
    expect(await detector.detect(img, { ...OPTS, minFaceSize: 60 })).toHaveLength(0);
  });

  it('gives the same answers to concurrent calls as to one at a time', async () => {
    const a = await decodeFixture('group/cf_000_5.jpg');
    const b = await decodeFixture('group/two_people.jpg');
    const alone = [await detector.detect(a, OPTS), await detector.detect(b, OPTS)];
    expect(await Promise.all([detector.detect(a, OPTS), detector.detect(b, OPTS)])).toEqual(alone);
  });
});

describe('FaceDetector on pasted faces', () => {
  const W = 4000;
  const H = 3000;
  let source: RgbImage;
  let sourceBox: Box;
  beforeAll(async () => {
    source = await decodeFixture('people/obama/obama2.jpg');
    [{ box: sourceBox }] = await detector.detect(source, OPTS);
  });

  /** The fixture face with half a face of context each side, scaled so its box is `faceWidth` wide. */
  async function facePatch(faceWidth: number) {
    const box = sourceBox;
    const scale = faceWidth / box.width;
    const crop = { left: Math.round(box.x - box.width / 2), top: Math.round(box.y - box.height / 2), width: Math.round(box.width * 2), height: Math.round(box.height * 2) };
    const width = Math.round(crop.width * scale);
    const height = Math.round(crop.height * scale);
    const data = await sharp(source.data, { raw: { width: source.width, height: source.height, channels: 3 } })
      .extract(crop)
      .resize(width, height)
      .raw()
      .toBuffer();
    const face = { x: (box.x - crop.left) * scale, y: (box.y - crop.top) * scale, width: box.width * scale, height: box.height * scale };
    return { data, width, height, face };
  }

  // 28 px: a back-row face. 64 and 120 px: faces the full-resolution tiles and the coarser level
  // share, or hand over (the 120-px face's box is taller than the full-resolution level answers for).
  it.each([28, 64, 120])('finds %i-px faces anywhere in a 12-MP photo, tile seams and corners included', async (faceWidth) => {
    const patch = await facePatch(faceWidth);
    // Across the first vertical and horizontal tile seams, at a seam crossing, in the corners
    // (the padded edge tiles), and in open space.
    const tiles = planLevels(W, H)[0].tiles;
    const seamX = tiles.find((t) => t.x > 0)!.x;
    const seamY = tiles.find((t) => t.y > 0)!.y;
    const at = [
      [seamX - patch.width / 2, 700],
      [1500, seamY - patch.height / 2],
      [seamX - patch.width / 2, seamY - patch.height / 2],
      [0, 0],
      [W - patch.width, H - patch.height],
      [W - patch.width, 0],
      [2700, 2200],
    ].map(([x, y]) => ({ left: Math.round(x), top: Math.round(y) }));
    const photo = await sharp({ create: { width: W, height: H, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 25 } } })
      .composite(at.map((p) => ({ input: patch.data, raw: { width: patch.width, height: patch.height, channels: 3 as const }, ...p })))
      .removeAlpha()
      .raw()
      .toBuffer();
    const img = { data: photo, width: W, height: H };

    const faces = await detector.detect(img, OPTS);
    expect(faces).toHaveLength(at.length);
    expectWellFormed(faces, img);
    // Centres land within a few pixels (the background's noise differs at every run, and moves
    // them by a pixel or so). Sizes may differ a little more: YuNet draws the same face's box a
    // few per cent larger when it sees it small (on the coarser level).
    const centre = (b: Box) => [b.x + b.width / 2, b.y + b.height / 2];
    const centreTolerance = Math.max(3, 0.05 * faceWidth);
    const sizeTolerance = Math.max(4, 0.12 * faceWidth);
    for (const p of at) {
      const want: Box = { ...patch.face, x: p.left + patch.face.x, y: p.top + patch.face.y };
      const [wx, wy] = centre(want);
      const got = faces.find((f) => Math.hypot(centre(f.box)[0] - wx, centre(f.box)[1] - wy) < faceWidth / 2);
      expect(got).toBeDefined();
      const [gx, gy] = centre(got!.box);
      expect(Math.abs(gx - wx)).toBeLessThanOrEqual(centreTolerance);
      expect(Math.abs(gy - wy)).toBeLessThanOrEqual(centreTolerance);
      expect(Math.abs(got!.box.width - want.width)).toBeLessThanOrEqual(sizeTolerance);
      expect(Math.abs(got!.box.height - want.height)).toBeLessThanOrEqual(sizeTolerance);
    }
  });
});
