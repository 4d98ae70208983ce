import path from 'node:path';
import { cleanText } from './cell-value';
import { csvRecords, decodeText } from './csv-parse';
import { findHeader, Grid, GridRow, HEADER_SCAN_ROWS } from './header-match';

/** Excel writes ";" where the decimal separator is a comma, and tabs for "Unicode Text". */
const DELIMITERS = [',', ';', '\t'];

export function readCsvGrid(buf: Buffer, filename: string): Grid {
  const text = decodeText(buf);
  const rows = cleanRecords(csvRecords(text, chooseDelimiter(text)));
  return {
    // Excel names a CSV's only sheet after the file; do the same so messages read alike.
    sheet: path.parse(filename).name || 'CSV',
    rows: () => rows,
  };
}

const cleanRecords = (records: GridRow[]): GridRow[] => records.map((r) => ({ row: r.row, cells: r.cells.map(cleanText) }));

/**
 * The delimiter under which the header row is recognised; if none, "no header" follows anyway.
 * Each try reads only as far as the header search looks.
 */
function chooseDelimiter(text: string): string {
  const head = (delimiter: string) => {
    let filled = 0;
    return csvRecords(text, delimiter, (r) => r.cells.some((c) => cleanText(c) !== '') && ++filled >= HEADER_SCAN_ROWS);
  };
  return DELIMITERS.find((d) => findHeader(cleanRecords(head(d))) !== null) ?? ',';
}
