/** Shared shapes of the face pipeline. Coordinates are pixels of the upright (EXIF-rotated) image. */

/** Packed 8-bit RGB, row-major, 3 bytes per pixel, no padding. */
export interface RgbImage {
  data: Buffer;
  width: number;
  height: number;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export type Point = [number, number];

/** Five landmarks in ArcFace template order: left eye, right eye, nose, left mouth, right mouth (image left/right). */
export type Landmarks = [Point, Point, Point, Point, Point];

export interface Detection {
  box: Box;
  landmarks: Landmarks;
  score: number;
}

export interface FaceQuality {
  /** 0..1, higher is better. */
  score: number;
  /** Machine-readable reasons the face is weak: 'small', 'blurry', 'low_score', 'profile', 'tilted'. */
  reasons: string[];
  /** Inter-ocular-ish size: the face box width in pixels. */
  size: number;
  blur: number;
  yaw: number;
  roll: number;
}

export interface EmbeddedFace extends Detection {
  /** L2-normalised 512-d embedding. */
  embedding: Float32Array;
  quality: FaceQuality;
}

export interface StageTimings {
  decode: number;
  detect: number;
  align: number;
  embed: number;
}
