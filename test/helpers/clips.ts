import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fixturePath } from './fixtures';

/**
 * Short test clips made with ffmpeg from the real fixture photos. CI installs ffmpeg, so a test
 * that needs it is skipped only on a developer machine without it (never silently in CI).
 */
export const haveFfmpeg = spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).status === 0;
export const describeWithFfmpeg = haveFfmpeg || process.env.CI ? describe : describe.skip;

/** HEVC clips need an ffmpeg built with libx265 (Debian's is): skipped, saying why, only outside CI. */
const haveLibx265 = haveFfmpeg && /\blibx265\b/.test(spawnSync('ffmpeg', ['-hide_banner', '-encoders'], { encoding: 'utf8' }).stdout);
export const testWithLibx265 = (name: string, fn: () => Promise<void>) =>
  haveLibx265 || process.env.CI ? test(name, fn) : test.skip(`${name} [skipped: this ffmpeg has no libx265 encoder]`, fn);

const ffmpeg = (args: string[]) => execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });

const H264 = ['-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p'];

/**
 * A camera sweep across a real photo: a `width`×`height` window slides from its left edge to its
 * right over `seconds`, so faces enter and leave the picture.
 */
export function panClip(photo: string, out: string, o: { width: number; height: number; seconds: number; fps?: number; codec?: string[] }) {
  ffmpeg([
    '-loop', '1', '-i', fixturePath(photo),
    '-vf', `crop=w=${o.width}:h=${o.height}:x='(iw-ow)*t/${o.seconds}':y='(ih-oh)/2',format=yuv420p`,
    '-t', String(o.seconds), '-r', String(o.fps ?? 15), ...(o.codec ?? H264), out,
  ]);
}

/** Photos one after another, `each` seconds apiece, fitted into a `size`×`size` frame. */
export function slideshowClip(photos: string[], out: string, o: { size: number; each: number; codec?: string[] }) {
  const inputs = photos.flatMap((p) => ['-loop', '1', '-t', String(o.each), '-i', fixturePath(p)]);
  const fit = photos
    .map((_, i) => `[${i}:v]scale=${o.size}:${o.size}:force_original_aspect_ratio=decrease,pad=${o.size}:${o.size}:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=15[v${i}]`)
    .join(';');
  const concat = `${photos.map((_, i) => `[v${i}]`).join('')}concat=n=${photos.length}:v=1:a=0,format=yuv420p[out]`;
  ffmpeg([...inputs, '-filter_complex', `${fit};${concat}`, '-map', '[out]', ...(o.codec ?? H264), out]);
}

/**
 * The clip as a phone held upright stores it: pixels turned a quarter clockwise, with
 * metadata telling players to turn them back (`rotate` 90, anticlockwise). With `rotate` 0 the
 * same pixels are left lying on their side.
 */
export function phoneRotatedClip(src: string, out: string, rotate: 90 | 0 = 90) {
  const lying = `${out}.lying.mp4`;
  ffmpeg(['-i', src, '-vf', 'transpose=1', ...H264, lying]);
  // The tag is written only when copying the stream, not while encoding it.
  ffmpeg(['-i', lying, '-c', 'copy', '-metadata:s:v:0', `rotate=${rotate}`, out]);
}

/** A tiny still clip of any length (cheap to make even when long). */
export function stillClip(photo: string, out: string, seconds: number, size = 160) {
  ffmpeg(['-loop', '1', '-i', fixturePath(photo), '-vf', `scale=${size}:${size},format=yuv420p`, '-t', String(seconds), '-r', '1', ...H264, out]);
}

/** An audio-only MP4 (an M4A): an ISO-BMFF file with no video stream. */
export function audioOnlyClip(out: string) {
  ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440:duration=1', '-c:a', 'aac', out]);
}

/** H.265 as iPhones record it: tagged `hvc1` (ffmpeg's default is `hev1`, which Apple's players refuse). */
export const HEVC = ['-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', 'log-level=error', '-tag:v', 'hvc1', '-pix_fmt', 'yuv420p'];

/** The clip's frames at `fps` per second as PNG files in `dir`, in order. */
export function framesOf(src: string, dir: string, fps: number): string[] {
  fs.mkdirSync(dir, { recursive: true });
  ffmpeg(['-i', src, '-vf', `fps=${fps}`, path.join(dir, 'f%03d.png')]);
  return fs.readdirSync(dir).sort().map((n) => path.join(dir, n));
}

export const VP8 = ['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '1M'];

/**
 * The clip with its header (mvhd, tkhd, mdhd durations) claiming about 600 hours: the pixels are
 * the same few seconds, so only the stated length can refuse it before decoding.
 */
export function claimingHours(clip: Buffer): Buffer {
  const b = Buffer.from(clip);
  // Offset of the 32-bit duration after each box's type (version 0 boxes, as ffmpeg writes them).
  const durationAt: Record<string, number> = { mvhd: 20, mdhd: 20, tkhd: 24 };
  for (const [box, off] of Object.entries(durationAt)) {
    for (let i = b.indexOf(box); i >= 0; i = b.indexOf(box, i + 4)) {
      if (b[i + 4] !== 0) throw new Error(`claimingHours: ${box} is not version 0`);
      b.writeUInt32BE(0x7fffffff, i + off);
    }
  }
  return b;
}
