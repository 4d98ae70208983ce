import type { RgbImage } from './types';

/** The header ffmpeg's PPM encoder writes before each frame: "P6\n<width> <height>\n255\n". */
const HEADER = /^P6\s+(\d+)\s+(\d+)\s+255\s/;
/** Longer than any real header; a stream without one by then is not PPM. */
const MAX_HEADER = 64;

export class PpmStreamError extends Error {}

/**
 * Splits a stream of binary PPM (P6) images, as ffmpeg's image2pipe writes them, into RGB frames.
 * Chunks are kept in a list and joined once per frame, so a 6-MB frame arriving in 64-kB pieces
 * is copied once. `onHeader` sees each frame's size before its pixels are buffered, so a caller
 * can refuse an oversized frame without holding it.
 */
export class PpmStream {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private frame: { width: number; height: number; bytes: number } | null = null;

  constructor(private readonly onHeader: (width: number, height: number) => void = () => {}) {}

  /** Adds bytes; returns the frames they completed, in order. */
  push(chunk: Buffer): RgbImage[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const out: RgbImage[] = [];
    for (;;) {
      if (!this.frame && !this.readHeader()) return out;
      const f = this.frame!;
      if (this.buffered < f.bytes) return out;
      const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.buffered);
      // A copy, so the frame does not pin the rest of a large chunk.
      out.push({ data: Buffer.from(all.subarray(0, f.bytes)), width: f.width, height: f.height });
      const rest = all.subarray(f.bytes);
      this.chunks = rest.length ? [rest] : [];
      this.buffered = rest.length;
      this.frame = null;
    }
  }

  /** True when bytes are left over at the end: the stream stopped inside a frame. */
  get incomplete(): boolean {
    return this.buffered > 0;
  }

  private readHeader(): boolean {
    const head = (this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks)).subarray(0, MAX_HEADER).toString('latin1');
    const m = HEADER.exec(head);
    if (!m) {
      if (this.buffered >= MAX_HEADER) throw new PpmStreamError('not a PPM stream');
      return false;
    }
    const width = Number(m[1]);
    const height = Number(m[2]);
    this.onHeader(width, height);
    const all = Buffer.concat(this.chunks, this.buffered);
    const rest = all.subarray(m[0].length);
    this.chunks = [rest];
    this.buffered = rest.length;
    this.frame = { width, height, bytes: width * height * 3 };
    return true;
  }
}
