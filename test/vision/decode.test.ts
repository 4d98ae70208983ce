import fs from 'node:fs';
import sharp from 'sharp';
import { fixturePath, readIndex } from '../helpers/fixtures';
import { decode, decodeError, MAX_PIXELS } from '../helpers/decode';

const read = (rel: string) => fs.readFileSync(fixturePath(rel));

/** Mean absolute difference over a sample of bytes (every 7th: all channels get visited). */
const meanAbsDiff = (a: Buffer, b: Buffer) => {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < a.length; i += 7, n++) sum += Math.abs(a[i] - b[i]);
  return sum / n;
};

describe('decodeImage: bad input', () => {
  // The behaviour chosen where index.json allows alternatives: truncated data is refused, never
  // decoded in part, and an empty upload is an invalid image (the HTTP layer may call it no_file).
  const chosen: Record<string, { status: number; code: string }> = {
    'bad/corrupted.png': { status: 400, code: 'invalid_image' },
    'bad/truncated.jpg': { status: 400, code: 'invalid_image' },
    'bad/empty.png': { status: 400, code: 'invalid_image' },
    'bad/zero-bytes.jpg': { status: 400, code: 'invalid_image' },
    'bad/text.jpg': { status: 400, code: 'invalid_image' },
    'bad/cut-in-half.jpg': { status: 400, code: 'invalid_image' },
    'bad/bomb-30000x30000.png': { status: 413, code: 'image_too_large' },
  };
  const badFiles = readIndex().files.filter((f) => f.kind === 'bad');

  it('covers every bad fixture', () => {
    expect(badFiles.map((f) => f.path).sort()).toEqual(Object.keys(chosen).sort());
  });

  it.each(badFiles.map((f) => [f.path, f.expect ?? '']))('%s → the expected 4xx (%s)', async (rel, expected) => {
    const { status, code } = chosen[rel];
    expect(expected).toContain(code);
    const err = await decodeError(read(rel));
    expect({ status: err.status, code: err.code }).toEqual({ status, code });
    expect(err.message.length).toBeGreaterThan(10);
  });

  it('refuses the 30000x30000 bomb from its header, without allocating its pixels', async () => {
    const before = process.memoryUsage().rss;
    const err = await decodeError(read('bad/bomb-30000x30000.png'));
    expect(err.details).toEqual({ width: 30000, height: 30000, maxPixels: MAX_PIXELS });
    // Decoding it would need 2.7 GB; a header read needs next to nothing.
    expect(process.memoryUsage().rss - before).toBeLessThan(100 * 1024 * 1024);
  });

  it('applies maxPixels to ordinary photos too', async () => {
    const err = await decodeError(read('people/obama/obama2.jpg'), 626 * 1200 - 1);
    expect(err.code).toBe('image_too_large');
    expect(err.status).toBe(413);
  });

  it('refuses an image under 32 px on a side as too small', async () => {
    const err = await decodeError(read('bad/tiny-1x1.png'));
    expect(err.code).toBe('invalid_image');
    expect(err.message).toMatch(/too small/);
  });

  it('refuses SVG and PDF as unsupported media, not as broken images', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64"/></svg>');
    const pdf = Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n');
    for (const buf of [svg, pdf]) {
      const err = await decodeError(buf);
      expect({ status: err.status, code: err.code }).toEqual({ status: 415, code: 'unsupported_media_type' });
    }
  });
});

describe('decodeImage: formats', () => {
  // Every formats/ fixture is people/obama/obama2.jpg (626x1200) stored another way.
  let reference: Buffer;
  beforeAll(async () => {
    reference = (await decode(read('people/obama/obama2.jpg'))).data;
  });

  it.each(fs.readdirSync(fixturePath('formats')).map((f) => [f]))('%s → upright 8-bit RGB', async (file) => {
    const img = await decode(read(`formats/${file}`));
    expect([img.width, img.height]).toEqual([626, 1200]);
    expect(img.data.length).toBe(img.width * img.height * 3);
    // Same picture, same orientation: lossy re-encodes and colour conversions differ only a little.
    const tolerance = file === 'alpha.png' ? 40 : 20;
    expect(meanAbsDiff(img.data, reference)).toBeLessThan(tolerance);
  });

  it('rotates by EXIF orientation 6: the stored dimensions are swapped', async () => {
    const buf = read('formats/exif-orientation-6.jpg');
    const stored = await sharp(buf).metadata();
    expect([stored.width, stored.height, stored.orientation]).toEqual([1200, 626, 6]);
    const img = await decode(buf);
    expect([img.width, img.height]).toEqual([stored.height, stored.width]);
  });

  it('flattens alpha on white', async () => {
    // alpha.png is the photo at alpha 204/255 everywhere: every channel is lifted by at least 20% of white.
    const img = await decode(read('formats/alpha.png'));
    expect(Math.min(...img.data.subarray(0, 3 * 626 * 10))).toBeGreaterThanOrEqual(51);
    const { data: rgba } = await sharp(read('formats/alpha.png')).raw().toBuffer({ resolveWithObject: true });
    const expected = [0, 1, 2].map((c) => Math.round((rgba[c] * 204 + 255 * 51) / 255));
    img.data.subarray(0, 3).forEach((v, c) => expect(Math.abs(v - expected[c])).toBeLessThanOrEqual(1));
  });

  it('turns grayscale into three equal channels', async () => {
    const img = await decode(read('formats/grayscale.jpg'));
    for (let i = 0; i < img.data.length; i += 3 * 997) {
      expect(img.data[i + 1]).toBe(img.data[i]);
      expect(img.data[i + 2]).toBe(img.data[i]);
    }
  });
});
