import type HeicDecode from 'heic-decode';
import sharp from 'sharp';
import { AppError } from '../errors';
import type { RgbImage } from './types';

let loading: Promise<typeof HeicDecode> | undefined;
/** Loaded on the first HEIC only: the WebAssembly build takes ~0.5 s and ~20 MB to load. */
const heicDecode = () => (loading ??= import('heic-decode').then((m) => m.default));

const corrupt = () => new AppError(400, 'invalid_image', 'The image data is truncated or corrupt.');

/**
 * Decodes HEIC (HEVC-coded HEIF, what iPhones save by default) into the same upright, packed 8-bit
 * RGB as decodeImage, alpha flattened on white. sharp's prebuilt libvips decodes only AV1-coded
 * HEIF (AVIF), so this uses libheif compiled to WebAssembly (heic-decode, over libheif-js).
 *
 * `checked` is the size decodeImage has already checked against MAX_PIXELS from sharp's header
 * read. libheif reads its own header first, without pixels, and nothing is decoded unless it agrees.
 *
 * Orientation: libheif applies the irot/imir transforms itself, and both headers give the size
 * after them. EXIF orientation is ignored, as HEIF specifies: iPhones write one equal to irot,
 * and applying both would turn a portrait photo twice.
 *
 * 10-bit HEIC comes out as 8-bit. Not converted: an embedded ICC profile (iPhones embed Display
 * P3) is taken as sRGB, so colours come out a little duller. On obama2.jpg stored as P3 HEIC: mean
 * abs diff 3.7 against the JPEG (2.5 as sRGB HEIC), cosine to obama.jpg 0.769 (0.771 as sRGB).
 *
 * libheif-js writes to console.log when it cannot parse or decode a file (a truncated upload):
 * that line would break the one-JSON-object-per-line logs, so console.log is muted while libheif
 * runs (see muted). The request still gets its 400.
 *
 * Cost, measured on the 2-core development VM: decodeImage of a 12-MP (4032x3024) HEIC takes
 * 2.5 s (median of 5, 1.7-3.0 s; a JPEG of that size takes 0.17 s), single-threaded WebAssembly
 * that yields to the event loop at least every ~0.1 s. The WebAssembly heap keeps its high-water
 * mark: RSS stays ~100 MB higher after a 12-MP photo.
 */
export async function decodeHeic(buf: Buffer, checked: { width: number; height: number }): Promise<RgbImage> {
  const decode = await heicDecode();
  const images = await muted(() => decode.all({ buffer: buf })).catch(() => {
    throw corrupt();
  });
  try {
    // Top-level images exclude thumbnails, grid tiles and alpha/depth maps: the first is the photo.
    const image = images[0];
    if (image.width !== checked.width || image.height !== checked.height) {
      throw new AppError(400, 'invalid_image', `The image header is inconsistent (${image.width}x${image.height} or ${checked.width}x${checked.height}).`);
    }
    const rgba = await muted(() => image.decode()).catch(() => {
      throw corrupt();
    });
    const { data, info } = await sharp(rgba.data, { raw: { width: rgba.width, height: rgba.height, channels: 4 } })
      .flatten({ background: '#ffffff' })
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height };
  } finally {
    images.dispose();
  }
}

let mutedCalls = 0;
let consoleLog: typeof console.log = console.log;

/**
 * Runs `work` with console.log silenced, counted so that overlapping HEIC decodes restore it once.
 * Only third-party code uses console.log here: Rollcall's logger writes to stdout itself.
 */
async function muted<T>(work: () => Promise<T>): Promise<T> {
  if (mutedCalls++ === 0) {
    consoleLog = console.log;
    console.log = () => undefined;
  }
  try {
    return await work();
  } finally {
    if (--mutedCalls === 0) console.log = consoleLog;
  }
}
