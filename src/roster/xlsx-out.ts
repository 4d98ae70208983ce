import ExcelJS from 'exceljs';
import { Writable } from 'node:stream';
import { safeXlsxText } from './safe-cell';
import { EXCEL_DATETIME_FORMAT } from './time';

/**
 * The pieces both exports share. They use exceljs's streaming writer: rows go to the zip as
 * they are committed, so memory stays flat however many students × sessions there are.
 */

export type XlsxValue = string | number | Date | null;

/** Excel's own "light red fill with dark red text" conditional style. */
export const ABSENT_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFC7CE' } };
export const ABSENT_FONT: Partial<ExcelJS.Font> = { color: { argb: 'FF9C0006' } };

export function createWorkbookWriter(out: Writable): ExcelJS.stream.xlsx.WorkbookWriter {
  // Shared strings: the same few words (P, A, Present...) repeat across thousands of cells.
  return new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: true });
}

/** Runs a streaming write into memory, for callers that want the whole file as a Buffer. */
export async function xlsxBuffer(write: (out: Writable) => Promise<void>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const out = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  await write(out);
  return Buffer.concat(chunks);
}

/**
 * A width (in Excel's character units) that fits the longest text, within reason. The minimum
 * is 10 because exceljs silently drops a width of exactly 9, its idea of the default.
 */
export function fitWidth(texts: Iterable<string>, min = 10, max = 60): number {
  let longest = 0;
  for (const t of texts) longest = Math.max(longest, t.length);
  return Math.min(max, Math.max(min, longest + 2));
}

export interface SheetLayout {
  headers: string[];
  widths: number[];
  /** Columns kept visible when scrolling right (the header row always stays). */
  frozenColumns?: number;
}

/** A sheet whose first row is a bold, frozen header with a filter. */
export function addTableSheet(wb: ExcelJS.stream.xlsx.WorkbookWriter, name: string, layout: SheetLayout): ExcelJS.Worksheet {
  const ws = wb.addWorksheet(name, {
    views: [{ state: 'frozen', xSplit: layout.frozenColumns ?? 0, ySplit: 1 }],
  });
  ws.columns = layout.widths.map((width) => ({ width }));
  ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: layout.headers.length } };
  addRow(ws, layout.headers, (row) => {
    row.font = { bold: true };
  });
  return ws;
}

/** Writes and commits one row. Every string goes through safeXlsxText, dates get a readable format. */
export function addRow(ws: ExcelJS.Worksheet, values: XlsxValue[], style?: (row: ExcelJS.Row) => void): void {
  const row = ws.addRow(values.map((v) => (typeof v === 'string' ? safeXlsxText(v) : v)));
  values.forEach((v, i) => {
    if (v instanceof Date) row.getCell(i + 1).numFmt = EXCEL_DATETIME_FORMAT;
  });
  style?.(row);
  row.commit();
}

export interface InfoTable {
  headers: string[];
  rows: XlsxValue[][];
}

/** Metadata as bold-keyed key/value rows, optionally followed by a small table; committed. */
export function addInfoSheet(
  wb: ExcelJS.stream.xlsx.WorkbookWriter,
  name: string,
  pairs: [string, XlsxValue][],
  table?: InfoTable,
): void {
  const ws = wb.addWorksheet(name);
  const lines: XlsxValue[][] = [...pairs, ...(table ? [table.headers, ...table.rows] : [])];
  const columns = Math.max(...lines.map((l) => l.length));
  ws.columns = Array.from({ length: columns }, (_, i) => ({ width: fitWidth(lines.map((l) => displayText(l[i] ?? null))) }));
  for (const pair of pairs) {
    addRow(ws, pair, (row) => {
      row.getCell(1).font = { bold: true };
    });
  }
  if (table) {
    addRow(ws, []);
    addRow(ws, table.headers, (row) => {
      row.font = { bold: true };
    });
    for (const r of table.rows) addRow(ws, r);
  }
  ws.commit();
}

/** Roughly what Excel shows, for sizing columns. */
export function displayText(v: XlsxValue): string {
  if (v === null) return '';
  if (v instanceof Date) return EXCEL_DATETIME_FORMAT;
  return String(v);
}
