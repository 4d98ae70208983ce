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
  /**
   * Back-row faces as they really are, one to three of these per face: framed tightly (little
   * hair or shoulders), tilted 10–30° in the plane, squeezed to 60–80% of their width (a crude
   * stand-in for a head turned 30–60°), low contrast, slightly blurred. Glasses and true pose
   * cannot be pasted: the real photos of realgroups/ have those.
   */
  hard?: boolean;
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

/** One to three degradations of `hard` (see ClassroomOptions), drawn with `rand`, for a face pasted `faceW` px wide. */
async function harden(src: FaceSource, rand: () => number, faceW: number): Promise<FaceSource> {
  let { patch, box } = src;
  const raw = (img: RgbImage) => sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } });
  const pick = [0, 1, 2, 3, 4].filter(() => rand() < 0.45);
  if (pick.length === 0) pick.push(Math.floor(rand() * 5));
  for (const k of pick.slice(0, 3)) {
    if (k === 0) {
      // Tight framing: 10% of context around the face box.
      const left = Math.max(0, Math.round(box.x - 0.1 * box.width)), top = Math.max(0, Math.round(box.y - 0.1 * box.height));
      const width = Math.min(patch.width - left, Math.round(box.width * 1.2)), height = Math.min(patch.height - top, Math.round(box.height * 1.2));
      patch = { data: await raw(patch).extract({ left, top, width, height }).raw().toBuffer(), width, height };
      box = { ...box, x: box.x - left, y: box.y - top };
    } else if (k === 1) {
      // In-plane tilt; the box keeps its size, centred where the face centre moved to (the patch grows).
      const deg = (10 + rand() * 20) * (rand() < 0.5 ? -1 : 1);
      const { data, info } = await raw(patch).rotate(deg, { background: '#808080' }).raw().toBuffer({ resolveWithObject: true });
      const rad = (deg * Math.PI) / 180, cx = box.x + box.width / 2 - patch.width / 2, cy = box.y + box.height / 2 - patch.height / 2;
      const nx = cx * Math.cos(rad) - cy * Math.sin(rad) + info.width / 2, ny = cx * Math.sin(rad) + cy * Math.cos(rad) + info.height / 2;
      patch = { data, width: info.width, height: info.height };
      box = { ...box, x: nx - box.width / 2, y: ny - box.height / 2 };
    } else if (k === 2) {
      const f = 0.6 + rand() * 0.2, width = Math.max(1, Math.round(patch.width * f));
      patch = { data: await raw(patch).resize(width, patch.height, { fit: 'fill' }).raw().toBuffer(), width, height: patch.height };
      box = { ...box, x: box.x * f, width: box.width * f };
    } else if (k === 3) {
      const a = 0.4 + rand() * 0.2;
      patch = { ...patch, data: await raw(patch).linear(a, 128 * (1 - a)).raw().toBuffer() };
    } else {
      // Sigma 0.5–1 px of the pasted face: slightly out of focus.
      patch = { ...patch, data: await raw(patch).blur(Math.max(0.3, ((0.5 + rand() * 0.5) * box.width) / faceW)).raw().toBuffer() };
    }
  }
  return { patch, box };
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
    const { patch, box } = opts.hard ? await harden(sources[i % sources.length], rand, faceW) : sources[i % sources.length];
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
