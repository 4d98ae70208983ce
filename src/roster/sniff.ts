import { AppError, unprocessable } from '../errors';
import { openZip, type Zip, ZipRejected } from './zip-guard';

/**
 * Decides from the bytes (never the file name, which users get wrong) whether an upload is an
 * xlsx workbook or CSV text, and turns every other spreadsheet-ish file into an invalid_roster
 * that tells the teacher what to do.
 */

export type RosterFormat = { kind: 'xlsx'; zip: Zip } | { kind: 'csv' };

const ZIP_MAGIC = Buffer.from('PK\x03\x04', 'latin1');
const OLE2_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
/** Excel stores a password-protected xlsx inside an OLE2 file with this stream. */
const ENCRYPTED_STREAM = Buffer.from('EncryptedPackage', 'utf16le');
/** A class list is a few hundred KB; this is generous and bounds what exceljs may inflate. */
export const MAX_XLSX_UNCOMPRESSED = 50 * 1024 * 1024;
const ODF_MIMETYPE = 'application/vnd.oasis.opendocument';
const SAVE_AS = 'Open it in Excel (or LibreOffice) and save it as "Excel Workbook (.xlsx)", then upload it again.';

export const rejectFile = (filename: string, why: string, advice = SAVE_AS): AppError =>
  unprocessable('invalid_roster', `"${filename}" ${why}. ${advice}`);

export async function sniffRoster(buf: Buffer, filename: string): Promise<RosterFormat> {
  if (buf.length === 0) throw rejectFile(filename, 'is empty', 'Upload an .xlsx or .csv class list.');
  if (buf.subarray(0, 8).equals(OLE2_MAGIC)) {
    if (buf.includes(ENCRYPTED_STREAM)) {
      throw rejectFile(filename, 'is password-protected', 'Remove the password in Excel and save it as .xlsx, then upload it again.');
    }
    throw rejectFile(filename, 'is an old Excel 97-2003 (.xls) file');
  }
  if (buf.subarray(0, 4).equals(ZIP_MAGIC)) return { kind: 'xlsx', zip: await xlsxZip(buf, filename) };
  if (looksBinary(buf)) {
    throw rejectFile(filename, 'is not a spreadsheet', 'Upload the class list as an Excel workbook (.xlsx) or a CSV file.');
  }
  // School portals often export an HTML table or Excel 2003 XML and call it .xls (\s covers a BOM too).
  if (/^\s*</.test(buf.subarray(0, 1024).toString('utf8'))) {
    throw rejectFile(filename, 'is a web page or XML file, not a real Excel file');
  }
  return { kind: 'csv' };
}

async function xlsxZip(buf: Buffer, filename: string): Promise<Zip> {
  let zip: Zip;
  try {
    zip = await openZip(buf);
  } catch (err) {
    throw zipRejection(filename, err);
  }
  const names = new Set(zip.entries.map((e) => e.name));
  if (names.has('xl/workbook.xml')) return zip;
  if (names.has('xl/workbook.bin')) throw rejectFile(filename, 'is an Excel binary workbook (.xlsb)');
  if ((await readMimetype(zip)).startsWith(ODF_MIMETYPE)) {
    throw rejectFile(filename, 'is an OpenDocument spreadsheet (.ods)');
  }
  throw rejectFile(filename, 'is a zip file but not an Excel workbook');
}

/** Maps a zip-guard refusal to what the teacher sees; anything else is a bug and passes through. */
export function zipRejection(filename: string, err: unknown): unknown {
  if (!(err instanceof ZipRejected)) return err;
  if (err.reason === 'too_large') {
    return rejectFile(
      filename,
      `is too large once uncompressed (more than ${MAX_XLSX_UNCOMPRESSED / 1024 / 1024} MB)`,
      'Save just the class list as .xlsx (without other sheets or pictures), then upload it again.',
    );
  }
  return rejectFile(filename, 'is damaged or incomplete');
}

async function readMimetype(zip: Zip): Promise<string> {
  const entry = zip.entries.find((e) => e.name === 'mimetype');
  if (!entry) return '';
  try {
    return (await zip.read(entry, 256)).toString('latin1');
  } catch (err) {
    if (err instanceof ZipRejected) return '';
    throw err;
  }
}

/** Text (any of the encodings CSV readers accept) has no NULs and almost no control bytes. */
function looksBinary(buf: Buffer): boolean {
  if (buf[0] === 0xff && buf[1] === 0xfe) return false; // UTF-16LE BOM: NULs are expected
  if (buf[0] === 0xfe && buf[1] === 0xff) return false; // UTF-16BE BOM
  const head = buf.subarray(0, 8192);
  let control = 0;
  for (const b of head) {
    if (b === 0) return true;
    if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c) || b === 0x7f) control++;
  }
  return control > head.length / 100;
}
