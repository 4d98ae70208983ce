import { AppError } from '../../errors';
import { cleanText } from '../cell-value';
import { csvRecords, decodeText } from '../csv-parse';
import type { OneRosterProblem } from './types';

/**
 * One CSV file of a bundle, read through the roster CSV reader (BOM and encodings, quoted fields
 * with commas and line breaks), with its columns found by name: OneRoster names them in camelCase,
 * exports vary the case, and any column Rollcall does not know is ignored.
 */
export interface CsvTable {
  file: string;
  rows: { row: number; cells: string[] }[];
  /** The column's index by its lower-cased name. */
  columns: Map<string, number>;
}

export function readCsvTable(file: string, buf: Buffer, problems: OneRosterProblem[]): CsvTable | null {
  const rows: CsvTable['rows'] = [];
  try {
    for (const r of csvRecords(decodeText(buf), ',')) {
      const cells = r.cells.map(cleanText);
      if (cells.some((c) => c !== '')) rows.push({ row: r.row, cells });
    }
  } catch (err) {
    // The reader reports an unreadable record as a roster problem; here it belongs to this file.
    if (!(err instanceof AppError) || !Array.isArray(err.details)) throw err;
    for (const d of err.details as { row: number; column: string; problem: string }[]) problems.push({ file, ...d });
    return null;
  }
  const [header, ...data] = rows;
  if (!header) {
    problems.push({ file, row: null, column: null, problem: 'the file is empty (a header row is needed)' });
    return null;
  }
  return { file, rows: data, columns: new Map(header.cells.map((name, i) => [name.toLowerCase(), i])) };
}

/** Reads one value of a row by column name ('' when the column or the cell is missing). */
export const cell = (t: CsvTable, cells: string[], column: string): string => {
  const i = t.columns.get(column.toLowerCase());
  return i === undefined ? '' : (cells[i] ?? '');
};

export const hasColumn = (t: CsvTable, column: string): boolean => t.columns.has(column.toLowerCase());
