import { unprocessable } from '../errors';
import { collectRoster } from './collect-rows';
import { ACCEPTED_HEADERS, findHeader, HEADER_SCAN_ROWS } from './header-match';
import { readCsvGrid } from './read-csv';
import { readXlsxGrid } from './read-xlsx';
import { sniffRoster } from './sniff';
import type { ParsedRoster, ParseRosterOptions } from './types';

/**
 * Reads a class list (.xlsx or .csv, told apart by content) into validated students.
 * Every refusal is a 422 invalid_roster whose message says what to change; row problems come
 * in `details` as [{row, column, problem}] with the sheet's own row numbers.
 */
export async function parseRoster(buf: Buffer, filename: string, opts: ParseRosterOptions): Promise<ParsedRoster> {
  const format = await sniffRoster(buf, filename);
  // A CSV has a single sheet, so opts.sheet has nothing to choose between there.
  const grid = format.kind === 'xlsx' ? await readXlsxGrid(buf, format.zip, filename, opts.sheet) : readCsvGrid(buf, filename);
  const header = findHeader(grid.rows());
  if (!header) {
    throw unprocessable(
      'invalid_roster',
      `No header row found in the first ${HEADER_SCAN_ROWS} rows of sheet "${grid.sheet}". The roster needs ${ACCEPTED_HEADERS}.`,
    );
  }
  const rows = collectRoster(header, grid.rows(), opts.maxRows, grid.sheet);
  return { sheet: grid.sheet, headerRow: header.row, rows };
}
