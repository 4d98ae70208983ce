import { AppError } from '../../errors';
import { assertZipWithin, openZip, ZipRejected, type Zip } from '../zip-guard';
import { invalidBundle } from './problems';

/**
 * The CSV files of a OneRoster zip, by file name. They sit at the top of the zip, or inside one
 * folder when someone zipped the export's folder instead of its contents. The zip goes through
 * the zip guard first, so a bomb or a lie about sizes costs nothing.
 */
export async function bundleFiles(zip: Buffer, filename: string, maxUncompressedBytes: number): Promise<Map<string, Buffer>> {
  const rejected = (e: unknown) => {
    if (!(e instanceof ZipRejected)) return e;
    if (e.reason === 'too_large') return new AppError(413, 'zip_too_large', `the zip is too large once uncompressed (${e.message})`);
    return invalidBundle([{ file: filename, row: null, column: null, problem: `not a readable zip file (${e.message})` }]);
  };
  let archive: Zip;
  try {
    archive = await openZip(zip);
    await assertZipWithin(archive, maxUncompressedBytes);
  } catch (e) {
    throw rejected(e);
  }
  const entries = archive.entries;
  const manifest = entries.find((e) => /^([^/]+\/)?manifest\.csv$/i.test(e.name) && !e.name.startsWith('__MACOSX/'));
  if (!manifest) {
    throw invalidBundle([{ file: 'manifest.csv', row: null, column: null, problem: 'manifest.csv is missing: this zip is not a OneRoster CSV bundle' }]);
  }
  const folder = manifest.name.slice(0, manifest.name.length - 'manifest.csv'.length);
  const files = new Map<string, Buffer>();
  for (const e of entries) {
    if (!e.name.startsWith(folder) || e.name.slice(folder.length).includes('/')) continue;
    files.set(e.name.slice(folder.length).toLowerCase(), await archive.read(e, e.uncompressedSize).catch((err: unknown) => Promise.reject(rejected(err))));
  }
  return files;
}
