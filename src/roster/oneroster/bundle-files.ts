import { AppError } from '../../errors';
import { assertZipWithin, listZipEntries, readZipEntry, ZipRejected } from '../zip-guard';
import { invalidBundle } from './problems';

/**
 * The CSV files of a OneRoster zip, by file name. They sit at the top of the zip, or inside one
 * folder when someone zipped the export's folder instead of its contents. The zip goes through
 * the zip guard first, so a bomb or a lie about sizes costs nothing.
 */
export async function bundleFiles(zip: Buffer, filename: string, maxUncompressedBytes: number): Promise<Map<string, Buffer>> {
  let entries;
  try {
    entries = listZipEntries(zip);
    assertZipWithin(zip, entries, maxUncompressedBytes);
  } catch (e) {
    if (!(e instanceof ZipRejected)) throw e;
    if (e.reason === 'too_large') throw new AppError(413, 'zip_too_large', `the zip is too large once uncompressed (${e.message})`);
    throw invalidBundle([{ file: filename, row: null, column: null, problem: `not a readable zip file (${e.message})` }]);
  }
  const manifest = entries.find((e) => /^([^/]+\/)?manifest\.csv$/i.test(e.name) && !e.name.startsWith('__MACOSX/'));
  if (!manifest) {
    throw invalidBundle([{ file: 'manifest.csv', row: null, column: null, problem: 'manifest.csv is missing: this zip is not a OneRoster CSV bundle' }]);
  }
  const folder = manifest.name.slice(0, manifest.name.length - 'manifest.csv'.length);
  const files = new Map<string, Buffer>();
  for (const e of entries) {
    if (!e.name.startsWith(folder) || e.name.slice(folder.length).includes('/')) continue;
    files.set(e.name.slice(folder.length).toLowerCase(), readZipEntry(zip, e, e.uncompressedSize));
  }
  return files;
}
