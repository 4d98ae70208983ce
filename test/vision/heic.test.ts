import fs from 'node:fs';
import { loadConfig, pipelineOptions } from '../../src/config';
import { cosine } from '../../src/vision/embedder';
import { FacePipeline, type PipelineOptions } from '../../src/vision/pipeline';
import { fixturePath, heicPath, sharedModelsDir } from '../helpers/fixtures';
import { decode, decodeError, MAX_PIXELS } from '../helpers/decode';

// test/fixtures/heic/*.heic are made by scripts/make-heic-fixtures.ts from ../shared/fixtures
// (the photo is MIT-licensed, from ageitgey/face_recognition): obama2.heic from
// people/obama/obama2.jpg, obama2-irot.heic from the same photo stored sideways with an irot
// property and EXIF orientation 6 (as iPhones store portrait photos). See their README.md.

const heic = (name: string) => fs.readFileSync(heicPath(name));


const meanAbsDiff = (a: Buffer, b: Buffer) => {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
};

/** The stored (before irot) size in the `ispe` property: [width, height]. */
const ispe = (buf: Buffer) => {
  const at = buf.indexOf('ispe', 0, 'latin1');
  return [buf.readUInt32BE(at + 8), buf.readUInt32BE(at + 12)];
};

/** A copy whose header claims another size: the pixel data is left as it is. */
function withIspe(buf: Buffer, width: number, height: number): Buffer {
  const copy = Buffer.from(buf);
  const at = copy.indexOf('ispe', 0, 'latin1');
  copy.writeUInt32BE(width, at + 8);
  copy.writeUInt32BE(height, at + 12);
  return copy;
}

describe('decodeImage: HEIC', () => {
  let reference: Buffer;
  beforeAll(async () => {
    reference = (await decode(fs.readFileSync(fixturePath('people/obama/obama2.jpg')))).data;
  });

  it('decodes to the same upright picture as the JPEG it was made from', async () => {
    const img = await decode(heic('obama2.heic'));
    expect([img.width, img.height]).toEqual([626, 1200]);
    expect(img.data.length).toBe(626 * 1200 * 3);
    // x265 at quality 40 against the JPEG: about 2.5 on 0-255.
    expect(meanAbsDiff(img.data, reference)).toBeLessThan(6);
  });

  it('turns a sideways-stored photo upright by its irot, once, without applying EXIF orientation too', async () => {
    const buf = heic('obama2-irot.heic');
    expect(ispe(buf)).toEqual([1200, 626]);
    expect(buf.includes('irot', 0, 'latin1')).toBe(true);
    // Applying EXIF orientation 6 on top of irot would give 1200x626; ignoring irot, 1200x626 too.
    const img = await decode(buf);
    expect([img.width, img.height]).toEqual([626, 1200]);
    expect(meanAbsDiff(img.data, reference)).toBeLessThan(6);
  });

  it('flattens alpha on white', async () => {
    // alpha.heic: 64x64, left half opaque (200, 30, 30), right half fully transparent.
    const img = await decode(heic('alpha.heic'));
    expect([img.width, img.height]).toEqual([64, 64]);
    const pixel = (x: number, y: number) => [...img.data.subarray((y * 64 + x) * 3, (y * 64 + x) * 3 + 3)];
    for (const y of [4, 32, 60]) {
      pixel(8, y).forEach((v, c) => expect(Math.abs(v - [200, 30, 30][c])).toBeLessThanOrEqual(12));
      pixel(56, y).forEach((v) => expect(v).toBeGreaterThanOrEqual(243));
    }
  });

  it('refuses a HEIC over maxPixels from its header, with the usual details', async () => {
    const err = await decodeError(heic('obama2.heic'), 626 * 1200 - 1);
    expect({ status: err.status, code: err.code }).toEqual({ status: 413, code: 'image_too_large' });
    expect(err.details).toEqual({ width: 626, height: 1200, maxPixels: 626 * 1200 - 1 });
  });

  it('refuses a HEIC whose header claims 30000x30000 without decoding a pixel', async () => {
    // Decoding would fail (the coded picture is 626x1200) with a 400, or need 3.6 GB: a 413 shows
    // that the header was checked first.
    const before = process.memoryUsage().rss;
    const err = await decodeError(withIspe(heic('obama2.heic'), 30000, 30000));
    expect({ status: err.status, code: err.code }).toEqual({ status: 413, code: 'image_too_large' });
    expect(err.details).toEqual({ width: 30000, height: 30000, maxPixels: MAX_PIXELS });
    expect(process.memoryUsage().rss - before).toBeLessThan(100 * 1024 * 1024);
  });

  it('refuses a HEIC under 32 px on a side as too small', async () => {
    const err = await decodeError(withIspe(heic('obama2.heic'), 16, 16));
    expect({ status: err.status, code: err.code }).toEqual({ status: 400, code: 'invalid_image' });
    expect(err.message).toMatch(/too small/);
  });

  it.each([0.1, 0.5, 0.9, 0.999])('refuses a HEIC cut at %p of its length as invalid_image', async (fraction) => {
    const buf = heic('obama2.heic');
    const err = await decodeError(buf.subarray(0, Math.floor(buf.length * fraction)));
    expect({ status: err.status, code: err.code }).toEqual({ status: 400, code: 'invalid_image' });
  });

  it('keeps libheif quiet on a bad file, also for overlapping decodes, and gives console.log back', async () => {
    const original = console.log;
    const spy = jest.fn();
    console.log = spy;
    try {
      const buf = heic('obama2.heic');
      const cut = buf.subarray(0, buf.length >> 1);
      const errs = await Promise.all([decodeError(cut), decodeError(cut), decode(buf)]);
      expect(errs.slice(0, 2).map((e) => (e as { code: string }).code)).toEqual(['invalid_image', 'invalid_image']);
      expect(spy).not.toHaveBeenCalled();
      expect(console.log).toBe(spy);
    } finally {
      console.log = original;
    }
  });

  it('names HEIC among the accepted formats when refusing one', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64"/></svg>');
    const err = await decodeError(svg);
    expect(err.status).toBe(415);
    expect(err.message).toMatch(/HEIC/);
  });
});

describe('FacePipeline on HEIC', () => {
  const config = loadConfig({});
  const OPTS: PipelineOptions = pipelineOptions(config);
  let pipeline: FacePipeline;
  beforeAll(async () => {
    pipeline = await FacePipeline.load(sharedModelsDir);
  });

  it.each(['obama2.heic', 'obama2-irot.heic'])('%s: one face, matching both of obama\'s enrolment photos', async (name) => {
    const r = await pipeline.run(heic(name), OPTS);
    expect(r.image).toEqual({ width: 626, height: 1200 });
    expect(r.faces).toHaveLength(1);
    for (const enrol of ['people/obama/obama.jpg', 'people/obama/obama2.jpg']) {
      const [me] = (await pipeline.run(fs.readFileSync(fixturePath(enrol)), OPTS)).faces;
      const sim = cosine(r.faces[0].embedding, me.embedding);
      expect([enrol, sim > Math.max(0.6, config.matchThreshold)]).toEqual([enrol, true]);
    }
  });
});
