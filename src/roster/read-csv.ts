import path from 'node:path';
import { cleanText } from './cell-value';
import { csvRecords, decodeText } from './csv-parse';
import { findHeader, Grid, GridRow } from './header-match';

/** Excel writes ";" where the decimal separator is a comma, and tabs for "Unicode Text". */
const DELIMITERS = [',', ';', '\t'];

export function readCsvGrid(buf: Buffer, filename: string): Grid {
  const text = decodeText(buf);
  const delimiter = chooseDelimiter(text);
  return {
    // Excel names a CSV's only sheet after the file; do the same so messages read alike.
    sheet: path.parse(filename).name || 'CSV',
    rows: () => cleanRecords(text, delimiter),
  };
}

function* cleanRecords(text: string, delimiter: string): Generator<GridRow> {
  for (const r of csvRecords(text, delimiter)) yield { row: r.row, cells: r.cells.map(cleanText) };
}

/** The delimiter under which the header row is recognised; if none, "no header" follows anyway. */
function chooseDelimiter(text: string): string {
  return DELIMITERS.find((d) => findHeader(cleanRecords(text, d)) !== null) ?? ',';
}
