import { unprocessable } from '../errors';
import type { GridRow } from './header-match';

/**
 * RFC 4180 CSV reading, lenient where Excel is: quoted fields may hold delimiters, quotes ("")
 * and line breaks; any of CRLF, LF or CR ends a record. Record n is sheet row n, as Excel
 * numbers it when it opens the file.
 */

/**
 * UTF-8 with or without BOM; UTF-16 when a BOM says so (Excel's "Unicode Text"). Text that is
 * not valid UTF-8 is read as Windows-1252, because Excel's plain "CSV (Comma delimited)"
 * saves in the Windows code page, not UTF-8.
 */
export function decodeText(buf: Buffer): string {
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) return buf.toString('utf8', 3);
  if (buf[0] === 0xff && buf[1] === 0xfe) return new TextDecoder('utf-16le').decode(buf.subarray(2));
  if (buf[0] === 0xfe && buf[1] === 0xff) return new TextDecoder('utf-16be').decode(buf.subarray(2));
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    return new TextDecoder('windows-1252').decode(buf);
  }
}

export function* csvRecords(text: string, delimiter: string): Generator<GridRow> {
  const n = text.length;
  let i = 0;
  for (let row = 1; i < n; row++) {
    const cells: string[] = [];
    for (;;) {
      let value = '';
      if (text[i] === '"') {
        for (i++; ; ) {
          const close = text.indexOf('"', i);
          if (close === -1) {
            throw unprocessable('invalid_roster', `A quoted field in row ${row} is never closed.`, [
              { row, column: `column ${cells.length + 1}`, problem: 'quoted field is never closed' },
            ]);
          }
          value += text.slice(i, close);
          i = close + 1;
          if (text[i] !== '"') break;
          value += '"';
          i++;
        }
      }
      // Unquoted text, or stray text after a closing quote, runs to the next delimiter or line end.
      const stop = fieldEnd(text, i, delimiter);
      value += text.slice(i, stop);
      i = stop;
      cells.push(value);
      if (text[i] !== delimiter) break;
      i++;
    }
    if (text[i] === '\r') i++;
    if (text[i] === '\n') i++;
    yield { row, cells };
  }
}

function fieldEnd(text: string, from: number, delimiter: string): number {
  let i = from;
  while (i < text.length) {
    const c = text[i];
    if (c === delimiter || c === '\n' || c === '\r') break;
    i++;
  }
  return i;
}
