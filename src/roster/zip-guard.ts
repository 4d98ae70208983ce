import yauzl from 'yauzl';

/**
 * Checks an upload before exceljs (JSZip) inflates it. JSZip trusts the sizes in the central
 * directory and only notices a lie after inflating everything; yauzl streams each entry and
 * stops it as soon as it yields more than it declares, so a zip bomb fails here, cheaply.
 */

export interface ZipEntry {
  name: string;
  uncompressedSize: number;
  source: yauzl.Entry;
}

export interface Zip {
  entries: ZipEntry[];
  /** Inflates one entry, never holding more than `limit` bytes of it. */
  read(entry: ZipEntry, limit: number): Promise<Buffer>;
}

export class ZipRejected extends Error {
  constructor(
    readonly reason: 'damaged' | 'too_large',
    message: string,
  ) {
    super(message);
    this.name = 'ZipRejected';
  }
}

/** An xlsx has a few dozen parts; thousands means something else (or an attack on the parser). */
const MAX_ENTRIES = 10_000;

/** yauzl's error when an entry inflates beyond its declared size (validateEntrySizes). */
const INFLATES_BEYOND = /^too many bytes in the stream/;

const damaged = (err: unknown) => new ZipRejected('damaged', `damaged zip: ${(err as Error).message}`);

/** Reads the central directory. Throws ZipRejected for anything malformed. */
export async function openZip(buf: Buffer): Promise<Zip> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.fromBufferPromise(buf, { lazyEntries: true, autoClose: false, validateEntrySizes: true });
  } catch (err) {
    throw damaged(err);
  }
  if (zip.entryCount > MAX_ENTRIES) throw new ZipRejected('too_large', `zip has ${zip.entryCount} entries`);
  const entries: ZipEntry[] = [];
  try {
    for await (const source of zip.eachEntry()) entries.push({ name: source.fileName, uncompressedSize: source.uncompressedSize, source });
  } catch (err) {
    throw damaged(err);
  }
  return { entries, read: (entry, limit) => readEntry(zip, entry, limit) };
}

async function readEntry(zip: yauzl.ZipFile, entry: ZipEntry, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    const stream = await zip.openReadStreamPromise(entry.source);
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      length += chunk.length;
      // Leaving the loop destroys the stream: nothing more is inflated.
      if (length > limit) throw new ZipRejected('too_large', `${entry.name} expands to more than ${limit} bytes`);
      chunks.push(chunk);
    }
  } catch (err) {
    if (err instanceof ZipRejected) throw err;
    if (INFLATES_BEYOND.test((err as Error).message)) throw new ZipRejected('too_large', `${entry.name} expands to more than declared`);
    throw damaged(err);
  }
  return Buffer.concat(chunks, length);
}

/**
 * Refuses a zip whose parts declare more than `maxBytes` in total, or whose parts expand
 * beyond what they declare. After this, inflating the whole file costs at most `maxBytes`.
 */
export async function assertZipWithin(zip: Zip, maxBytes: number): Promise<void> {
  const declared = zip.entries.reduce((sum, e) => sum + e.uncompressedSize, 0);
  if (declared > maxBytes) {
    throw new ZipRejected('too_large', `declares ${declared} uncompressed bytes`);
  }
  for (const entry of zip.entries) await zip.read(entry, entry.uncompressedSize);
}
