import { isUtf8 } from 'node:buffer';
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { unprocessable } from '../errors';
import type { GridRow } from './header-match';

/**
 * UTF-8 with or without BOM; UTF-16 when a BOM says so (Excel's "Unicode Text"). Text that is
 * not valid UTF-8 is read as Windows-1252, because Excel's plain "CSV (Comma delimited)"
 * saves in the Windows code page, not UTF-8. iconv-lite drops the BOM.
 */
export function decodeText(buf: Buffer): string {
  const encoding =
    buf[0] === 0xff && buf[1] === 0xfe ? 'utf-16le' : buf[0] === 0xfe && buf[1] === 0xff ? 'utf-16be' : isUtf8(buf) ? 'utf8' : 'windows-1252';
  return iconv.decode(buf, encoding);
}

/** Thrown from csv-parse's record hook to stop reading once the caller has enough rows. */
class Enough extends Error {}

/** What csv-parse's error codes mean to a teacher. */
const PROBLEMS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'quoted field is never closed',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'text after the closing quote of a quoted field',
  CSV_INVALID_CLOSING_QUOTE: 'text after the closing quote of a quoted field',
};

/**
 * RFC 4180 records through csv-parse, lenient where Excel is: quoted fields may hold delimiters,
 * quotes ("") and line breaks; any of CRLF, LF or CR ends a record; rows may differ in length.
 * Record n is sheet row n, as Excel numbers it when it opens the file. With `enough`, reading
 * stops after the first row it accepts, so a damaged row further down is left to the full read.
 */
export function csvRecords(text: string, delimiter: string, enough?: (row: GridRow) => boolean): GridRow[] {
  const rows: GridRow[] = [];
  try {
    parse(text, {
      delimiter,
      record_delimiter: ['\r\n', '\n', '\r'],
      relax_column_count: true,
      relax_quotes: true,
      trim: true,
      on_record: (cells: string[], { records }) => {
        const row = { row: records, cells };
        rows.push(row);
        if (enough?.(row)) throw new Enough();
        return null;
      },
    });
  } catch (err) {
    if (!(err instanceof Enough)) throw rosterError(err);
  }
  return rows;
}

/** A csv-parse error, by its code (its class lives in jest's realm as well as Node's), as invalid_roster with its row and column. */
function rosterError(err: unknown): unknown {
  const e = err as { code?: unknown; records?: number; column?: unknown; message?: string };
  if (typeof e.code !== 'string' || !e.code.startsWith('CSV_')) return err;
  const row = (e.records ?? 0) + 1;
  const problem = PROBLEMS[e.code] ?? String(e.message);
  const column = typeof e.column === 'number' ? `column ${e.column + 1}` : 'row';
  return unprocessable('invalid_roster', `Row ${row} of the CSV cannot be read: ${problem}.`, [{ row, column, problem }]);
}
