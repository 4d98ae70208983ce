import sharp from 'sharp';
import { AppError } from '../errors';
import { decodeHeic } from './heic';
import type { RgbImage } from './types';

/** Raster photo formats we accept, as sharp names them ('heif': AVIF, and HEIC through ./heic). */
const ACCEPTED_FORMATS = new Set(['jpeg', 'png', 'webp', 'heif', 'tiff', 'gif']);

/** Anything smaller cannot hold a detectable face, and YuNet needs at least one 32-px cell. */
export const MIN_IMAGE_SIDE = 32;

const invalidImage = (message: string) => new AppError(400, 'invalid_image', message);

/**
 * Decodes an uploaded photo into upright, 8-bit sRGB RGB pixels (alpha flattened on white), once.
 *
 * The header is read first (no pixels) so that oversized images are refused before anything
 * is allocated. Truncated or corrupt pixel data is refused rather than decoded in part: a
 * half-grey photo would silently mark the students in the missing half absent.
 */
export async function decodeImage(buf: Buffer, opts: { maxPixels: number }): Promise<RgbImage> {
  if (buf.length === 0) throw invalidImage('The file is empty.');
  // sharp has no PDF loader here, so it would call a PDF "not an image"; say what it is instead.
  if (buf.subarray(0, 5).toString('latin1') === '%PDF-') throw unsupported('PDF');

  // Header only: no pixel limit here, so a bomb is reported by its size below, not as corrupt.
  const meta = await sharp(buf, { limitInputPixels: false })
    .metadata()
    .catch(() => {
      throw invalidImage('The file is not a readable image.');
    });
  // sharp decodes AV1-coded HEIF (AVIF) itself; HEVC-coded HEIF (HEIC) goes to ./heic.
  const heic = meta.format === 'heif' && meta.compression === 'hevc';
  if (!ACCEPTED_FORMATS.has(meta.format) || (meta.format === 'heif' && !heic && meta.compression !== 'av1')) {
    throw unsupported(meta.format.toUpperCase());
  }
  const { width, height } = meta.autoOrient;
  if (width * height > opts.maxPixels) {
    throw new AppError(
      413,
      'image_too_large',
      `The image is ${width}x${height} (${width * height} pixels); the limit is ${opts.maxPixels} pixels.`,
      { width, height, maxPixels: opts.maxPixels },
    );
  }
  if (width < MIN_IMAGE_SIDE || height < MIN_IMAGE_SIDE) {
    throw invalidImage(`The image is too small (${width}x${height}); both sides must be at least ${MIN_IMAGE_SIDE} pixels.`);
  }
  if (heic) return decodeHeic(buf, { width, height });

  try {
    // 'error' aborts on truncated or corrupt data but tolerates the harmless libjpeg warnings
    // many phone photos carry. Only the first page/frame is loaded (sharp's default).
    const { data, info } = await sharp(buf, { failOn: 'error', limitInputPixels: opts.maxPixels, autoOrient: true })
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height };
  } catch {
    throw invalidImage('The image data is truncated or corrupt.');
  }
}

function unsupported(format: string): AppError {
  return new AppError(
    415,
    'unsupported_media_type',
    `${format} files are not supported; send a JPEG, PNG, WebP, HEIC, AVIF, TIFF or GIF photo.`,
    { format },
  );
}
