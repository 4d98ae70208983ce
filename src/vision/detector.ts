import type * as ort from 'onnxruntime-node';
import { Tensor } from 'onnxruntime-node';
import sharp from 'sharp';
import { nms, suppressContained } from './nms';
import { createSession } from './onnx';
import type { Box, Detection, Point, RgbImage } from './types';
import { decodeYunet, YUNET_OUTPUT_NAMES } from './yunet-decode';

export interface DetectOptions {
  /** Faces narrower than this (pixels of the full image) are not reported. */
  minFaceSize: number;
  /** Minimum YuNet score (cls × obj). */
  scoreThreshold: number;
  /** How large the finest level may be; see finestScale. */
  scale: ScalePolicy;
}

/**
 * The scale policy: the finest level is the photo resized to about `pixelBudget` pixels, but
 * never enlarged more than `maxUpscale` times. YuNet misses most faces under about 14 px and finds
 * nearly all from about 20 px (real group photos, bench:vision), so a small or shrunk photo is
 * enlarged until its 10-px faces reach 30 px, and a 12-MP photo stays near native resolution.
 * Every photo then costs about as much detector time as a 12-MP one, and no more.
 */
export interface ScalePolicy {
  pixelBudget: number;
  maxUpscale: number;
}

/** Measured on realgroups/ shrunk to 10-px faces: 3× finds what 4× and 5× find (bench:vision). */
export const DEFAULT_SCALE: ScalePolicy = { pixelBudget: 12_600_000, maxUpscale: 3 };

/**
 * Within this band of native size a resize of the whole photo costs more than the pixels it
 * saves or adds: a 12.2-MP phone photo (4032×3024) is detected as it is.
 */
const NATIVE_BAND = [0.9, 1.25] as const;

/** The finest level's scale for a `width`×`height` photo: > 1 enlarges, < 1 shrinks. */
export function finestScale(width: number, height: number, policy: ScalePolicy): number {
  const s = Math.min(policy.maxUpscale, Math.sqrt(policy.pixelBudget / (width * height)));
  return s >= NATIVE_BAND[0] && s < NATIVE_BAND[1] ? 1 : s;
}

/**
 * How an image is cut up for the model. The finest level is the photo at the scale policy's
 * scale (see finestScale); each coarser level is `levelStep` times smaller, down to
 * `coarseLongSide`, and finds the faces too big for the level above. Every level is cut into
 * tiles of at most `tileSize` so memory does not grow with the photo.
 */
export interface DetectorTuning {
  tileSize: number;
  /**
   * Tiles overlap by at least this much, so a face box up to `tileOverlap - 2 × EDGE_MARGIN` on
   * its longer side lies whole, clear of the edges, in some tile.
   */
  tileOverlap: number;
  /** Each level is this many times smaller than the one before. */
  levelStep: number;
  /** The long side of the coarsest level, seen in one tile: big faces, close to the camera. */
  coarseLongSide: number;
}

/**
 * Measured on the 2-core box: 1664-px tiles (about 2.4 MP of model input) keep decode + detect
 * of a 12-MP photo near 380 MB peak and cut either orientation of it into 3×2 tiles; smaller
 * tiles cost more CPU in seams and per-run overhead. A 192-px overlap holds faces up to 160 px
 * tall whole at full resolution, and a step of 4 hands bigger faces to the next level at 40 px
 * or more. 640 is YuNet's training size: a face filling the photo is seen whole there.
 */
export const DEFAULT_TUNING: DetectorTuning = { tileSize: 1664, tileOverlap: 192, levelStep: 4, coarseLongSide: 640 };

/** YuNet needs input sides that are multiples of its largest stride. */
const ALIGN = 32;
/**
 * A box this close to a tile edge that is not an image edge may be part of a face cut by the
 * tile: YuNet fires on half faces and puts the cut side of the box a few pixels off the edge.
 */
const EDGE_MARGIN = 16;
const NMS_IOU = 0.45;

/** The part of a level one model run sees; the model input is the level's tile size, zero-padded. */
export interface Tile {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Level {
  /** Level pixels per photo pixel. */
  scale: number;
  width: number;
  height: number;
  /** Model input size for every tile of this level, multiples of 32. */
  inputWidth: number;
  inputHeight: number;
  tiles: Tile[];
}

const alignUp = (n: number) => Math.ceil(n / ALIGN) * ALIGN;

/**
 * Tiles along one axis: as few as cover `length`, overlapping by at least `overlap`, all of one
 * input size. Starts are multiples of 32, so every tile puts YuNet's anchor grid where a single
 * pass over the whole level would: a face scores the same whichever tile it falls in. The last
 * tile may reach past the end (that part is zero padding, as for any image edge).
 */
function axisTiles(length: number, tileSize: number, overlap: number): { starts: number[]; size: number } {
  if (length <= tileSize) return { starts: [0], size: alignUp(length) };
  const seam = alignUp(overlap);
  for (let n = 2; ; n++) {
    const stride = alignUp((length - seam) / n);
    if (stride + seam <= tileSize) return { starts: Array.from({ length: n }, (_, i) => i * stride), size: stride + seam };
  }
}

/** The pyramid levels and their tiles for a `width`×`height` image whose finest level is at `finest` scale. */
export function planLevels(width: number, height: number, finest = 1, tuning: DetectorTuning = DEFAULT_TUNING): Level[] {
  // YuNet's 640 px, or the photo's own size when that is smaller: an enlarged photo's big faces are found at native size.
  const coarsest = Math.min(finest, 1, tuning.coarseLongSide / Math.max(width, height));
  const scales = [finest];
  // Ends exactly on `coarsest` (compared as the same number, so rounding cannot loop forever).
  while (scales[scales.length - 1] > coarsest) {
    scales.push(Math.max(scales[scales.length - 1] / tuning.levelStep, coarsest));
  }
  return scales.map((s) => {
    const lw = Math.max(1, Math.round(width * s));
    const lh = Math.max(1, Math.round(height * s));
    const xs = axisTiles(lw, tuning.tileSize, tuning.tileOverlap);
    const ys = axisTiles(lh, tuning.tileSize, tuning.tileOverlap);
    const tiles = ys.starts.flatMap((y) =>
      xs.starts.map((x) => ({ x, y, width: Math.min(xs.size, lw - x), height: Math.min(ys.size, lh - y) })),
    );
    return { scale: s, width: lw, height: lh, inputWidth: xs.size, inputHeight: ys.size, tiles };
  });
}

/**
 * YuNet face detector over full-resolution photos. One ONNX session per model file per process;
 * calls are serialised because they share one input buffer.
 */
export class FaceDetector {
  private static readonly loaded = new Map<string, Promise<FaceDetector>>();
  private input = new Float32Array(0);
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly tuning: DetectorTuning,
  ) {}

  static load(modelPath: string, tuning: DetectorTuning = DEFAULT_TUNING): Promise<FaceDetector> {
    const key = `${modelPath}\0${JSON.stringify(tuning)}`;
    let detector = FaceDetector.loaded.get(key);
    if (!detector) {
      detector = createSession(modelPath).then((session) => new FaceDetector(session, tuning));
      // A failed load (missing file) is not cached, so a later call can retry.
      detector.catch(() => FaceDetector.loaded.delete(key));
      FaceDetector.loaded.set(key, detector);
    }
    return detector;
  }

  /** Faces sorted by score, best first, in the image's pixel coordinates, boxes clamped to it. */
  detect(img: RgbImage, opts: DetectOptions): Promise<Detection[]> {
    const run = this.queue.then(() => this.detectNow(img, opts));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async detectNow(img: RgbImage, opts: DetectOptions): Promise<Detection[]> {
    // Tiles are copied straight out of this buffer: a wrong size must not read past it.
    if (img.data.length !== img.width * img.height * 3) {
      throw new Error(`RgbImage of ${img.width}x${img.height} has ${img.data.length} bytes, expected ${img.width * img.height * 3}`);
    }
    const candidates: Detection[] = [];
    let levelImg = img;
    const levels = planLevels(img.width, img.height, finestScale(img.width, img.height, opts.scale), this.tuning);
    for (const [i, level] of levels.entries()) {
      if (level.width !== levelImg.width || level.height !== levelImg.height) {
        // Each level is resized from the previous one, which is cheaper than from the photo, except
        // after an enlarged level: the photo's own pixels are fewer and sharper.
        levelImg = await resize(levelImg.width > img.width ? img : levelImg, level.width, level.height);
      }
      // A level answers only for faces its tiles are sure to hold whole; bigger ones are the next
      // level's, which sees them at 40 px or more. Besides, at full resolution YuNet hallucinates
      // big faces in the blur of high-megapixel photos. The coarsest level answers for every size.
      const maxFace = i < levels.length - 1 ? this.tuning.tileOverlap - 2 * EDGE_MARGIN : Infinity;
      const sx = img.width / level.width;
      const sy = img.height / level.height;
      for (const tile of level.tiles) {
        const found = await this.detectTile(levelImg, tile, level, opts.scoreThreshold);
        for (const d of keepWhole(found, tile, level, maxFace)) candidates.push(transform(d, tile.x, tile.y, sx, sy));
      }
    }
    return suppressContained(nms(candidates, NMS_IOU))
      .map((d) => ({ ...d, box: clampBox(d.box, img.width, img.height) }))
      .filter((d) => d.box.width >= opts.minFaceSize && d.box.height > 0);
  }

  /** Every candidate in one tile, in the tile's coordinates. */
  private async detectTile(img: RgbImage, tile: Tile, level: Level, scoreThreshold: number): Promise<Detection[]> {
    const { inputWidth: inW, inputHeight: inH } = level;
    const input = this.fillInput(img, tile, inW, inH);
    const result = await this.session.run({ [this.session.inputNames[0]]: new Tensor('float32', input, [1, 3, inH, inW]) });
    const outputs: Record<string, Float32Array> = {};
    for (const name of YUNET_OUTPUT_NAMES) outputs[name] = result[name].data as Float32Array;
    return decodeYunet(outputs, inW, inH, scoreThreshold);
  }

  /** Packs a tile as YuNet wants it (BGR, 0-255, planar), zero-padded bottom/right, into the shared buffer. */
  private fillInput(img: RgbImage, tile: Tile, inW: number, inH: number): Float32Array {
    const plane = inW * inH;
    if (this.input.length < 3 * plane) this.input = new Float32Array(3 * plane);
    const input = this.input.subarray(0, 3 * plane);
    if (tile.width < inW || tile.height < inH) input.fill(0);
    const src = img.data;
    for (let y = 0; y < tile.height; y++) {
      let s = ((tile.y + y) * img.width + tile.x) * 3;
      const row = y * inW;
      for (let x = 0; x < tile.width; x++, s += 3) {
        input[row + x] = src[s + 2];
        input[plane + row + x] = src[s + 1];
        input[2 * plane + row + x] = src[s];
      }
    }
    return input;
  }
}

/**
 * The detections of a tile (tile coordinates) that are no bigger than `maxFace` either way and
 * clear of every tile edge that is not an image edge: those a tile edge may have cut are whole,
 * and clear of the edges, in a neighbouring tile, which the overlap guarantees up to `maxFace`.
 */
export function keepWhole(dets: Detection[], tile: Tile, level: Level, maxFace: number): Detection[] {
  const left = tile.x > 0 ? EDGE_MARGIN : -Infinity;
  const top = tile.y > 0 ? EDGE_MARGIN : -Infinity;
  const right = tile.x + tile.width < level.width ? tile.width - EDGE_MARGIN : Infinity;
  const bottom = tile.y + tile.height < level.height ? tile.height - EDGE_MARGIN : Infinity;
  return dets.filter(
    ({ box: b }) =>
      Math.max(b.width, b.height) <= maxFace && b.x >= left && b.y >= top && b.x + b.width <= right && b.y + b.height <= bottom,
  );
}

/** Moves a detection by (dx, dy), then scales it by (sx, sy): tile → level → full image. */
function transform(d: Detection, dx: number, dy: number, sx: number, sy: number): Detection {
  const px = (x: number) => (x + dx) * sx;
  const py = (y: number) => (y + dy) * sy;
  const [a, b, c, e, f] = d.landmarks.map(([x, y]): Point => [px(x), py(y)]);
  return {
    box: { x: px(d.box.x), y: py(d.box.y), width: d.box.width * sx, height: d.box.height * sy },
    landmarks: [a, b, c, e, f],
    score: d.score,
  };
}

async function resize(img: RgbImage, width: number, height: number): Promise<RgbImage> {
  const data = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .resize(width, height, { fit: 'fill' })
    .raw()
    .toBuffer();
  return { data, width, height };
}

function clampBox(b: Box, width: number, height: number): Box {
  const x = Math.min(Math.max(b.x, 0), width);
  const y = Math.min(Math.max(b.y, 0), height);
  return {
    x,
    y,
    width: Math.min(b.x + b.width, width) - x,
    height: Math.min(b.y + b.height, height) - y,
  };
}
