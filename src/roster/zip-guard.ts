import zlib from 'node:zlib';

/**
 * Just enough of the zip format to check an upload before exceljs (JSZip) inflates it.
 * JSZip trusts the sizes in the central directory and only notices a lie after inflating
 * everything, so we read the directory ourselves and then inflate each entry with a hard
 * output cap equal to its declared size: a zip bomb fails here, cheaply, whatever it declares.
 */

export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  compressedSize: number;
  uncompressedSize: number;
  localOffset: number;
}

export class ZipRejected extends Error {
  constructor(readonly reason: 'damaged' | 'too_large', message: string) {
    super(message);
    this.name = 'ZipRejected';
  }
}

const EOCD_SIG = 0x06054b50;
const EOCD64_LOCATOR_SIG = 0x07064b50;
const EOCD64_SIG = 0x06064b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;
const U16_MAX = 0xffff;
const U32_MAX = 0xffffffff;
const ZIP64_EXTRA_ID = 0x0001;
/** An xlsx has a few dozen parts; thousands means something else (or an attack on the parser). */
const MAX_ENTRIES = 10_000;
const STORED = 0;
const DEFLATED = 8;

/** By name, not instanceof: Buffer's errors come from Node's own realm, which a VM (jest) does not share. */
const isRangeError = (err: unknown) => (err as Error | null)?.name === 'RangeError';

const damaged = (what: string) => new ZipRejected('damaged', `damaged zip: ${what}`);

/** Reads the central directory. Throws ZipRejected for anything malformed. */
export function listZipEntries(buf: Buffer): ZipEntry[] {
  try {
    return readCentralDirectory(buf);
  } catch (err) {
    // Buffer reads past the end throw RangeError: a truncated or lying directory.
    if (isRangeError(err)) throw damaged('offset out of range');
    throw err;
  }
}

function readCentralDirectory(buf: Buffer): ZipEntry[] {
  const eocd = findEndOfCentralDirectory(buf);
  let count = buf.readUInt16LE(eocd + 10);
  let offset = buf.readUInt32LE(eocd + 16);
  if (count === U16_MAX || offset === U32_MAX) {
    const locator = eocd - 20;
    if (locator < 0 || buf.readUInt32LE(locator) !== EOCD64_LOCATOR_SIG) throw damaged('zip64 locator missing');
    const eocd64 = toSafeNumber(buf.readBigUInt64LE(locator + 8));
    if (buf.readUInt32LE(eocd64) !== EOCD64_SIG) throw damaged('zip64 directory missing');
    count = toSafeNumber(buf.readBigUInt64LE(eocd64 + 32));
    offset = toSafeNumber(buf.readBigUInt64LE(eocd64 + 48));
  }
  if (count > MAX_ENTRIES) throw new ZipRejected('too_large', `zip has ${count} entries`);

  const entries: ZipEntry[] = [];
  for (let i = 0, p = offset; i < count; i++) {
    if (buf.readUInt32LE(p) !== CENTRAL_SIG) throw damaged(`bad central directory entry ${i}`);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const entry: ZipEntry = {
      name: buf.toString('utf8', p + 46, p + 46 + nameLen),
      flags: buf.readUInt16LE(p + 8),
      method: buf.readUInt16LE(p + 10),
      compressedSize: buf.readUInt32LE(p + 20),
      uncompressedSize: buf.readUInt32LE(p + 24),
      localOffset: buf.readUInt32LE(p + 42),
    };
    applyZip64Extra(entry, buf.subarray(p + 46 + nameLen, p + 46 + nameLen + extraLen));
    entries.push(entry);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

function findEndOfCentralDirectory(buf: Buffer): number {
  // The record is 22 bytes plus a comment of at most 64 KiB, so it sits near the end.
  const last = buf.length - 22;
  for (let i = last; i >= 0 && i >= last - U16_MAX; i--) {
    if (buf.readUInt32LE(i) === EOCD_SIG) return i;
  }
  throw damaged('no end of central directory');
}

/** Zip64 moves sizes that overflow 32 bits into an extra field, in this fixed order. */
function applyZip64Extra(entry: ZipEntry, extra: Buffer): void {
  for (let p = 0; p + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(p);
    const size = extra.readUInt16LE(p + 2);
    if (id === ZIP64_EXTRA_ID) {
      let q = p + 4;
      const next = () => {
        const v = toSafeNumber(extra.readBigUInt64LE(q));
        q += 8;
        return v;
      };
      if (entry.uncompressedSize === U32_MAX) entry.uncompressedSize = next();
      if (entry.compressedSize === U32_MAX) entry.compressedSize = next();
      if (entry.localOffset === U32_MAX) entry.localOffset = next();
      return;
    }
    p += 4 + size;
  }
}

/** Anything above 2^53 is absurd for an upload; saturating keeps the size checks simple. */
function toSafeNumber(v: bigint): number {
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
}

/** Inflates one entry, never producing more than `limit` bytes. */
export function readZipEntry(buf: Buffer, entry: ZipEntry, limit: number): Buffer {
  if (entry.flags & 1) throw damaged(`${entry.name} is encrypted`);
  let data: Buffer;
  try {
    const p = entry.localOffset;
    if (buf.readUInt32LE(p) !== LOCAL_SIG) throw damaged(`bad local header for ${entry.name}`);
    // The local header has its own name and extra lengths, which may differ from the directory's.
    const start = p + 30 + buf.readUInt16LE(p + 26) + buf.readUInt16LE(p + 28);
    if (start + entry.compressedSize > buf.length) throw damaged(`${entry.name} is truncated`);
    data = buf.subarray(start, start + entry.compressedSize);
  } catch (err) {
    if (isRangeError(err)) throw damaged(`${entry.name} is out of range`);
    throw err;
  }
  if (entry.method === STORED) {
    if (data.length > limit) throw new ZipRejected('too_large', `${entry.name} is larger than declared`);
    return data;
  }
  if (entry.method !== DEFLATED) throw damaged(`${entry.name} uses compression method ${entry.method}`);
  try {
    return zlib.inflateRawSync(data, { maxOutputLength: Math.max(1, limit) });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new ZipRejected('too_large', `${entry.name} expands to more than declared`);
    }
    throw damaged(`${entry.name} does not inflate`);
  }
}

/**
 * Refuses a zip whose parts declare more than `maxBytes` in total, or whose parts expand
 * beyond what they declare. After this, inflating the whole file costs at most `maxBytes`.
 */
export function assertZipWithin(buf: Buffer, entries: ZipEntry[], maxBytes: number): void {
  const declared = entries.reduce((sum, e) => sum + e.uncompressedSize, 0);
  if (declared > maxBytes) {
    throw new ZipRejected('too_large', `declares ${declared} uncompressed bytes`);
  }
  for (const entry of entries) {
    const out = readZipEntry(buf, entry, entry.uncompressedSize);
    if (out.length !== entry.uncompressedSize) throw damaged(`${entry.name} has the wrong size`);
  }
}
