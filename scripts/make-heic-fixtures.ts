import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';

/**
 * Writes the HEIC test files in test/fixtures/heic/ (`npm run heic-fixtures`).
 * They are committed, so that CI needs no HEVC encoder; regenerate rather than edit them. This
 * needs `heif-enc` (Debian: `apt-get install libheif-examples`; bookworm's libheif has x265 built in).
 *
 *   obama2.heic       people/obama/obama2.jpg (626x1200), stored upright, no metadata
 *   obama2-irot.heic  formats/exif-orientation-6.jpg: the same photo stored sideways (1200x626) with an
 *                     `irot` property and EXIF orientation 6, as an iPhone stores a portrait photo
 *   alpha.heic        64x64, left half opaque red, right half fully transparent (made here)
 *
 * The photo is ../shared/fixtures' obama2.jpg, from ageitgey/face_recognition (MIT License; see
 * test/fixtures/heic/README.md).
 */

const ROOT = path.resolve(__dirname, '..', '..');
const FIXTURES = path.resolve(ROOT, '..', 'shared', 'fixtures');
const OUT_DIR = path.join(ROOT, 'test', 'fixtures', 'heic');
/** x265 quality: about 30 KB for a 626x1200 photo, and still close to the JPEG (mean abs diff ~3). */
const QUALITY = '40';

function heifEnc(input: string, output: string): void {
  execFileSync('heif-enc', ['-q', QUALITY, '-o', output, input], { stdio: ['ignore', 'ignore', 'inherit'] });
}

interface Box {
  type: string;
  start: number;
  /** Where the payload starts (after size, type and, for full boxes, version and flags). */
  body: number;
  end: number;
}

const FULL_BOXES = new Set(['meta', 'ipma', 'iloc', 'pitm']);

function boxes(buf: Buffer, from: number, to: number): Box[] {
  const out: Box[] = [];
  for (let at = from; at < to; ) {
    const size = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    if (size < 8) throw new Error(`unsupported box size ${size} for ${type}`);
    out.push({ type, start: at, body: at + 8 + (FULL_BOXES.has(type) ? 4 : 0), end: at + size });
    at += size;
  }
  return out;
}

function child(list: Box[], type: string): Box {
  const box = list.find((b) => b.type === type);
  if (!box) throw new Error(`no ${type} box`);
  return box;
}

/** Reads or adds to an unsigned big-endian field of 0, 4 or 8 bytes. */
function shiftField(buf: Buffer, at: number, size: number, delta: number): void {
  if (size === 4) buf.writeUInt32BE(buf.readUInt32BE(at) + delta, at);
  else if (size === 8) buf.writeBigUInt64BE(buf.readBigUInt64BE(at) + BigInt(delta), at);
  else if (size !== 0) throw new Error(`unsupported iloc field size ${size}`);
}

/** Moves every file-offset item location in `iloc` by `delta` (the bytes inserted into `meta`). */
function shiftIloc(buf: Buffer, iloc: Box, delta: number): void {
  const version = buf[iloc.start + 8];
  let at = iloc.body;
  const offsetSize = buf[at] >> 4;
  const lengthSize = buf[at] & 15;
  const baseOffsetSize = buf[at + 1] >> 4;
  const indexSize = version >= 1 ? buf[at + 1] & 15 : 0;
  at += 2;
  const itemCount = version < 2 ? buf.readUInt16BE(at) : buf.readUInt32BE(at);
  at += version < 2 ? 2 : 4;
  for (let i = 0; i < itemCount; i++) {
    at += version < 2 ? 2 : 4; // item_ID
    const method = version >= 1 ? buf.readUInt16BE(at) & 15 : 0;
    at += version >= 1 ? 2 : 0;
    at += 2; // data_reference_index
    const base = at;
    at += baseOffsetSize;
    const extents = buf.readUInt16BE(at);
    at += 2;
    if (method === 0 && baseOffsetSize > 0) shiftField(buf, base, baseOffsetSize, delta);
    for (let e = 0; e < extents; e++) {
      at += indexSize;
      if (method === 0 && baseOffsetSize === 0) shiftField(buf, at, offsetSize, delta);
      at += offsetSize + lengthSize;
    }
  }
}

/**
 * Adds an essential `irot` property (rotation by angle x 90 degrees anti-clockwise) to the primary
 * image of a HEIF file written by heif-enc, which (up to libheif 1.15) cannot write one itself.
 */
export function addIrot(input: Buffer, angle: 0 | 1 | 2 | 3): Buffer {
  const buf = Buffer.from(input);
  const meta = child(boxes(buf, 0, buf.length), 'meta');
  const inMeta = boxes(buf, meta.body, meta.end);
  const pitm = child(inMeta, 'pitm');
  const primary = buf[pitm.start + 8] === 0 ? buf.readUInt16BE(pitm.body) : buf.readUInt32BE(pitm.body);
  const iprp = child(inMeta, 'iprp');
  const [ipco, ipma] = ['ipco', 'ipma'].map((t) => child(boxes(buf, iprp.body, iprp.end), t));
  const index = boxes(buf, ipco.body, ipco.end).length + 1;

  // ipma: find the primary item's entry; its associations are 1 byte each, or 2 when flags & 1.
  const version = buf[ipma.start + 8];
  const wide = (buf[ipma.start + 11] & 1) === 1;
  let at = ipma.body + 4;
  let insertAt = -1;
  for (let n = buf.readUInt32BE(ipma.body), i = 0; i < n; i++) {
    const item = version < 1 ? buf.readUInt16BE(at) : buf.readUInt32BE(at);
    at += version < 1 ? 2 : 4;
    const count = buf[at];
    const entryEnd = at + 1 + count * (wide ? 2 : 1);
    if (item === primary) {
      buf[at] = count + 1;
      insertAt = entryEnd;
    }
    at = entryEnd;
  }
  if (insertAt < 0 || insertAt < ipco.end || index > (wide ? 0x7fff : 0x7f)) throw new Error('unexpected ipma');
  const association = wide ? Buffer.from([0x80 | (index >> 8), index & 0xff]) : Buffer.from([0x80 | index]);
  const irot = Buffer.from([0, 0, 0, 9, ...Buffer.from('irot', 'latin1'), angle & 3]);
  const delta = irot.length + association.length;

  for (const [box, grow] of [[meta, delta], [iprp, delta], [ipco, irot.length], [ipma, association.length]] as const) {
    buf.writeUInt32BE(box.end - box.start + grow, box.start);
  }
  shiftIloc(buf, child(inMeta, 'iloc'), delta);
  return Buffer.concat([buf.subarray(0, ipco.end), irot, buf.subarray(ipco.end, insertAt), association, buf.subarray(insertAt)]);
}

async function main(): Promise<void> {
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'heic-fixtures-'));
  try {
    const write = (name: string, data: Buffer) => {
      fs.writeFileSync(path.join(OUT_DIR, name), data);
      console.log(`wrote test/fixtures/heic/${name} (${data.length} bytes)`);
    };
    const encode = (input: string) => {
      heifEnc(input, path.join(tmp, 'out.heic'));
      return fs.readFileSync(path.join(tmp, 'out.heic'));
    };

    // Lossless intermediates without the source's metadata (sharp keeps none unless asked).
    const upright = path.join(tmp, 'upright.png');
    await sharp(path.join(FIXTURES, 'people/obama/obama2.jpg')).png().toFile(upright);
    write('obama2.heic', encode(upright));

    // The stored (sideways) pixels, not turned upright, tagged with EXIF orientation 6 as a phone
    // would; heif-enc copies the EXIF block from a JPEG input, hence JPEG at quality 100 here.
    const sideways = path.join(tmp, 'sideways.jpg');
    await sharp(path.join(FIXTURES, 'formats/exif-orientation-6.jpg'), { autoOrient: false })
      .withExif({ IFD0: { Orientation: '6' } })
      .jpeg({ quality: 100 })
      .toFile(sideways);
    // EXIF 6 is "turn 90 degrees clockwise to view"; irot counts anti-clockwise quarter turns.
    write('obama2-irot.heic', addIrot(encode(sideways), 3));

    const alpha = path.join(tmp, 'alpha.png');
    const rgba = Buffer.alloc(64 * 64 * 4);
    for (let i = 0; i < 64 * 64; i++) if (i % 64 < 32) rgba.set([200, 30, 30, 255], i * 4);
    await sharp(rgba, { raw: { width: 64, height: 64, channels: 4 } }).png().toFile(alpha);
    write('alpha.heic', encode(alpha));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
