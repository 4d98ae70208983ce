import JSZip from 'jszip';
import { AppError } from '../../src/errors';
import { readOneRosterBundle } from '../../src/roster/oneroster/read-bundle';
import { makeSchool, setMode, toCsv, zipBundle } from '../helpers/oneroster-bundle';

const LIMIT = 10 * 1024 * 1024;

async function refusal(p: Promise<unknown>): Promise<AppError> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(AppError);
  return e as AppError;
}

describe('reading a OneRoster bundle', () => {
  test('files inside one folder of the zip (a zipped export folder) are read', async () => {
    const zip = new JSZip();
    for (const [name, rows] of Object.entries(makeSchool({ students: 2, classes: 1, perStudent: 1 }))) zip.file(`export-2026/${name}`, toCsv(rows));
    const b = await readOneRosterBundle(await zip.generateAsync({ type: 'nodebuffer' }), 'x.zip', LIMIT);
    expect([b.classes.length, b.users.length, b.enrollments.length]).toEqual([1, 3, 3]);
    expect(b.users.map((u) => u.kind)).toEqual(['teacher', 'student', 'student']);
  });

  test('a missing required column, a bad status and a bad date are each reported where they are', async () => {
    const files = makeSchool({ students: 2, classes: 1, perStudent: 1 });
    files['classes.csv'] = files['classes.csv'].map((r) => r.filter((_, i) => i !== 3)); // no title column
    files['users.csv'][2][1] = 'inactive';
    files['users.csv'][3][2] = 'yesterday';
    const e = await refusal(readOneRosterBundle(await zipBundle(files), 'x.zip', LIMIT));
    expect([e.status, e.code]).toEqual([422, 'invalid_oneroster']);
    expect(e.details).toEqual([
      { file: 'classes.csv', row: 1, column: 'title', problem: 'the header has no title column' },
      { file: 'users.csv', row: 3, column: 'status', problem: 'status must be active or tobedeleted (found "inactive")' },
      { file: 'users.csv', row: 4, column: 'dateLastModified', problem: '"yesterday" is not a date and time' },
    ]);
  });

  test('an unclosed quote is reported with its file; an unknown version is refused', async () => {
    const files = makeSchool({ students: 1, classes: 1, perStudent: 1 });
    const { 'classes.csv': _, ...rest } = files;
    const e = await refusal(readOneRosterBundle(await zipBundle(rest, { 'classes.csv': 'sourcedId,title\nc-0,"Algebra\n' }), 'x.zip', LIMIT));
    expect(e.details).toEqual([{ file: 'classes.csv', row: 2, column: 'column 2', problem: 'quoted field is never closed' }]);
    files['manifest.csv'][2][1] = '1.0';
    setMode(files, 'users', 'bulk');
    const v = await refusal(readOneRosterBundle(await zipBundle(files), 'x.zip', LIMIT));
    expect(v.details).toEqual([{ file: 'manifest.csv', row: 3, column: 'value', problem: 'oneroster.version must be 1.1 or 1.2 (found "1.0")' }]);
  });

  test('a zip that inflates beyond the limit is refused before it is read (413 zip_too_large)', async () => {
    const files = makeSchool({ students: 1, classes: 1, perStudent: 1 });
    const e = await refusal(readOneRosterBundle(await zipBundle(files, { 'padding.csv': Buffer.alloc(2 * 1024 * 1024) }), 'x.zip', 1024 * 1024));
    expect([e.status, e.code]).toEqual([413, 'zip_too_large']);
  });
});
