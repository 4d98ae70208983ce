import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { mediaKind } from '../../src/vision/media-kind';
import { PpmStream, PpmStreamError } from '../../src/vision/ppm-stream';
import { frameSharpness, SharpestPerWindow } from '../../src/vision/frame-sharpness';
import { decodeImage } from '../../src/vision/decode';
import { fixturePath, heicPath } from '../helpers/fixtures';

const ftyp = (brand: string) => Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from(`ftyp${brand}`, 'latin1'), Buffer.alloc(16)]);

describe('mediaKind: by the bytes, never the name', () => {
  test('photos, including HEIC/AVIF (ftyp with an image brand)', () => {
    expect(mediaKind(fs.readFileSync(fixturePath('group/two_people.jpg')))).toBe('image');
    for (const f of fs.readdirSync(path.dirname(heicPath('x'))).filter((n) => n.endsWith('.heic'))) expect(mediaKind(fs.readFileSync(heicPath(f)))).toBe('image');
    for (const b of ['heic', 'mif1', 'avif', 'msf1']) expect(mediaKind(ftyp(b))).toBe('image');
    expect(mediaKind(Buffer.alloc(0))).toBe('image');
  });
  test('MP4, MOV, 3GP and WebM', () => {
    for (const b of ['isom', 'mp42', 'qt  ', 'M4V ', '3gp5', 'avc1']) expect(mediaKind(ftyp(b))).toBe('video');
    expect(mediaKind(Buffer.concat([Buffer.from([0, 0, 0, 8]), Buffer.from('wide'), Buffer.alloc(8)]))).toBe('video');
    expect(mediaKind(Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x01, 0, 0, 0]))).toBe('video');
  });
});

describe('PpmStream', () => {
  const frame = (w: number, h: number, fill: number) => Buffer.concat([Buffer.from(`P6\n${w} ${h}\n255\n`), Buffer.alloc(w * h * 3, fill)]);

  test('frames split anywhere across chunks come back whole, in order', () => {
    const all = Buffer.concat([frame(4, 3, 1), frame(2, 2, 2), frame(5, 1, 3)]);
    for (const size of [1, 7, 40, all.length]) {
      const s = new PpmStream();
      const out = [];
      for (let i = 0; i < all.length; i += size) out.push(...s.push(all.subarray(i, i + size)));
      expect(out.map((f) => [f.width, f.height, f.data.length, f.data[0]])).toEqual([
        [4, 3, 36, 1],
        [2, 2, 12, 2],
        [5, 1, 15, 3],
      ]);
      expect(s.incomplete).toBe(false);
    }
  });
  test('a stream cut inside a frame is incomplete; a header sees the size first; garbage throws', () => {
    const sizes: number[][] = [];
    const s = new PpmStream((w, h) => sizes.push([w, h]));
    expect(s.push(frame(4, 4, 9).subarray(0, 30))).toEqual([]);
    expect(sizes).toEqual([[4, 4]]);
    expect(s.incomplete).toBe(true);
    expect(() => new PpmStream().push(Buffer.alloc(100, 65))).toThrow(PpmStreamError);
  });
});

describe('frameSharpness and SharpestPerWindow', () => {
  test('a real photo scores higher than the same photo blurred', async () => {
    const buf = fs.readFileSync(fixturePath('group/obama_and_biden.jpg'));
    const sharp1 = await decodeImage(buf, { maxPixels: 60e6 });
    const blurred = await decodeImage(await sharp(buf).blur(4).jpeg().toBuffer(), { maxPixels: 60e6 });
    expect(frameSharpness(sharp1)).toBeGreaterThan(2 * frameSharpness(blurred));
  });
  test('keeps the sharpest of each window, and the last partial window on flush', () => {
    const w = new SharpestPerWindow<string>(2);
    expect([w.push('a', 1), w.push('b', 3), w.push('c', 5), w.push('d', 2), w.push('e', 1)]).toEqual([null, 'b', null, 'c', null]);
    expect(w.flush()).toBe('e');
    expect(w.flush()).toBeNull();
  });
});
