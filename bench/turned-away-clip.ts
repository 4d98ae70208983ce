import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import sharp from 'sharp';

/** Tile size of one person in the turned-away clip: head and shoulders of a fixture photo. */
const W = 400;
const H = 480;

/**
 * A person's tile: the photo as it is, or turned away: squeezed to 45% of its width (a head
 * turned ~60°) and blurred, too far for YuNet to find a face in it.
 */
async function tile(photo: Buffer, clear: boolean): Promise<Buffer> {
  if (clear) return sharp(photo).resize(W, H, { fit: 'cover' }).jpeg().toBuffer();
  const narrow = Math.round(W * 0.45);
  const left = Math.round((W - narrow) / 2);
  return sharp(photo).resize(narrow, H, { fit: 'fill' }).blur(6).extend({ left, right: W - narrow - left, background: '#808080' }).jpeg().toBuffer();
}

/**
 * A clip where each face is turned away in most frames: the people side by side, person k clear
 * during the k-th stretch of `each` seconds and turned away in the others. Tracks can name them
 * all; a single frame shows only one of them clearly. Used by the video tests and bench:video.
 */
export async function turnedAwayClip(photos: Buffer[], out: string, each: number): Promise<void> {
  const frames = fs.mkdtempSync(`${out}.frames-`);
  try {
    for (let k = 0; k < photos.length; k++) {
      const tiles = await Promise.all(photos.map((p, i) => tile(p, i === k)));
      await sharp({ create: { width: W * photos.length, height: H, channels: 3, background: '#808080' } })
        .composite(tiles.map((input, i) => ({ input, left: i * W, top: 0 })))
        .jpeg()
        .toFile(`${frames}/f${k}.jpg`);
    }
    execFileSync('ffmpeg', [
      '-hide_banner', '-loglevel', 'error', '-y',
      '-framerate', String(1 / each), '-i', `${frames}/f%d.jpg`,
      '-vf', 'fps=15,format=yuv420p', '-c:v', 'libx264', '-preset', 'veryfast', out,
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
  } finally {
    fs.rmSync(frames, { recursive: true, force: true });
  }
}
