import sharp from 'sharp';
import { alignFace } from './align';
import type { Landmarks, RgbImage } from './types';

/** The aligned 112×112 face as a JPEG: what STORE_FACE_CROPS keeps of an enrolment photo. */
export function faceCropJpeg(img: RgbImage, landmarks: Landmarks, quality = 90): Promise<Buffer> {
  const crop = alignFace(img, landmarks);
  return sharp(crop.data, { raw: { width: crop.width, height: crop.height, channels: 3 } }).jpeg({ quality }).toBuffer();
}
