import sharp, { type OverlayOptions } from 'sharp';
import type { Box, RgbImage } from '../src/vision/types';

/** A head-and-shoulders patch to paste and the face box inside it. */
export interface FaceSource {
  patch: RgbImage;
  box: Box;
}

export interface ClassroomOptions {
  width: number;
  height: number;
  faces: number;
  /**
   * Face box widths are drawn log-uniformly in [minFace, maxFace] (many small, a few large, as
   * in a class photo), stratified so the smallest faces are always represented.
   */
  minFace: number;
  maxFace: number;
  seed: number;
}

export interface SyntheticClassroom {
  /** JPEG (quality 90), the way a phone or a camera would upload it. */
  image: Buffer;
  /** Where each pasted face box ended up. */
  truth: Box[];
}

/** mulberry32: a tiny seeded PRNG, so every run of the benchmark draws the same layout. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Wall-and-clothes-like texture: smooth blobs (a random colour every CELL px, blended
 * bilinearly) plus per-pixel grain, so the detector sees structure everywhere, not a flat field.
 */
function background(width: number, height: number, rand: () => number): Buffer {
  const CELL = 150, GRAIN = 24;
  const gw = Math.ceil(width / CELL) + 1, gh = Math.ceil(height / CELL) + 1;
  // Muted colours: a brightness per cell, each channel tinted a little around it.
  const grid = new Float32Array(gw * gh * 3);
  for (let i = 0; i < grid.length; i += 3) {
    const level = 60 + rand() * 140;
    for (let c = 0; c < 3; c++) grid[i + c] = level + (rand() - 0.5) * 50;
  }
  const out = Buffer.alloc(width * height * 3);
  for (let y = 0, o = 0; y < height; y++) {
    const gy = Math.floor(y / CELL), fy = y / CELL - gy;
    for (let x = 0; x < width; x++) {
      const gx = Math.floor(x / CELL), fx = x / CELL - gx;
      const g00 = (gy * gw + gx) * 3, g01 = g00 + gw * 3;
      const grain = (rand() + rand() - 1) * GRAIN;
      for (let c = 0; c < 3; c++, o++) {
        const top = grid[g00 + c] * (1 - fx) + grid[g00 + 3 + c] * fx;
        const bottom = grid[g01 + c] * (1 - fx) + grid[g01 + 3 + c] * fx;
        out[o] = Math.max(0, Math.min(255, Math.round(top * (1 - fy) + bottom * fy + grain)));
      }
    }
  }
  return out;
}

const overlaps = (a: Box, b: Box) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/**
 * Cuts the face in `box` out of a decoded photo with half a face of context each side (hair, ears,
 * chin). The context stops short of the `others` faces of the same photo: a neighbour's face cut
 * in with it would be a real, extra face in the generated classroom.
 */
export async function cutFaceSource(img: RgbImage, box: Box, others: Box[] = []): Promise<FaceSource> {
  let left = Math.max(0, Math.floor(box.x - box.width / 2));
  let top = Math.max(0, Math.floor(box.y - box.height / 2));
  let right = Math.min(img.width, Math.ceil(box.x + box.width * 1.5));
  let bottom = Math.min(img.height, Math.ceil(box.y + box.height * 1.5));
  for (const o of others) {
    if (!overlaps(o, { x: left, y: top, width: right - left, height: bottom - top })) continue;
    // Clip the side facing the neighbour, along the axis on which its centre is farther away.
    const dx = o.x + o.width / 2 - (box.x + box.width / 2);
    const dy = o.y + o.height / 2 - (box.y + box.height / 2);
    if (Math.abs(dx) >= Math.abs(dy)) {
      if (dx < 0) left = Math.max(left, Math.min(Math.ceil(o.x + o.width), Math.floor(box.x)));
      else right = Math.min(right, Math.max(Math.floor(o.x), Math.ceil(box.x + box.width)));
    } else if (dy < 0) top = Math.max(top, Math.min(Math.ceil(o.y + o.height), Math.floor(box.y)));
    else bottom = Math.min(bottom, Math.max(Math.floor(o.y), Math.ceil(box.y + box.height)));
  }
  const width = right - left, height = bottom - top;
  const data = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .extract({ left, top, width, height })
    .raw()
    .toBuffer();
  return { patch: { data, width, height }, box: { x: box.x - left, y: box.y - top, width: box.width, height: box.height } };
}

/**
 * A classroom-like photo: `faces` patches from the sources (cycled), each scaled so its face box
 * has the drawn width, placed without overlapping on a textured background. Returns the encoded
 * image and the true face boxes.
 */
export async function makeClassroom(sources: FaceSource[], opts: ClassroomOptions): Promise<SyntheticClassroom> {
  const rand = prng(opts.seed);
  const placed: Box[] = [];
  const truth: Box[] = [];
  const overlays: OverlayOptions[] = [];
  const widths = Array.from({ length: opts.faces }, (_, i) => opts.minFace * Math.pow(opts.maxFace / opts.minFace, (i + rand()) / opts.faces));
  // Largest first, so the big patches still find room.
  for (const [i, faceW] of widths.reverse().entries()) {
    const { patch, box } = sources[i % sources.length];
    const scale = faceW / box.width;
    const width = Math.max(1, Math.round(patch.width * scale));
    const height = Math.max(1, Math.round(patch.height * scale));
    let at: Box | null = null;
    for (let tries = 0; tries < 1000 && !at; tries++) {
      const cand = { x: Math.floor(rand() * (opts.width - width)), y: Math.floor(rand() * (opts.height - height)), width, height };
      if (!placed.some((p) => overlaps(p, cand))) at = cand;
    }
    if (!at) throw new Error(`no room for face ${i} (${width}×${height}) in ${opts.width}×${opts.height}`);
    placed.push(at);
    const sx = width / patch.width, sy = height / patch.height;
    truth.push({ x: at.x + box.x * sx, y: at.y + box.y * sy, width: box.width * sx, height: box.height * sy });
    const resized = await sharp(patch.data, { raw: { width: patch.width, height: patch.height, channels: 3 } })
      .resize(width, height, { kernel: 'lanczos3' })
      .raw()
      .toBuffer();
    overlays.push({ input: resized, raw: { width, height, channels: 3 }, left: at.x, top: at.y });
  }
  const bg = background(opts.width, opts.height, rand);
  const image = await sharp(bg, { raw: { width: opts.width, height: opts.height, channels: 3 } })
    .composite(overlays)
    .jpeg({ quality: 90 })
    .toBuffer();
  return { image, truth };
}
