import ExcelJS from 'exceljs';
import { unprocessable } from '../errors';
import { cellText } from './cell-value';
import type { Grid, GridRow } from './header-match';
import { MAX_XLSX_UNCOMPRESSED, rejectFile, zipRejection } from './sniff';
import { assertZipWithin, type Zip } from './zip-guard';

/** An xlsx upload as text rows of one sheet. `zip` is sniffRoster's look at the same bytes. */
export async function readXlsxGrid(buf: Buffer, zip: Zip, filename: string, sheet?: string): Promise<Grid> {
  try {
    await assertZipWithin(zip, MAX_XLSX_UNCOMPRESSED);
  } catch (err) {
    throw zipRejection(filename, err);
  }
  const wb = new ExcelJS.Workbook();
  try {
    // exceljs types its input as its own Buffer interface; a Node Buffer is what it reads at runtime.
    await wb.xlsx.load(buf as unknown as ExcelJS.Buffer);
  } catch {
    throw rejectFile(filename, 'could not be read as an Excel workbook');
  }
  const ws = pickSheet(wb, filename, sheet);
  return { sheet: ws.name, rows: () => sheetRows(ws) };
}

function pickSheet(wb: ExcelJS.Workbook, filename: string, wanted: string | undefined): ExcelJS.Worksheet {
  if (wanted?.trim()) {
    const key = wanted.trim().toLowerCase();
    const ws = wb.worksheets.find((w) => w.name === wanted) ?? wb.worksheets.find((w) => w.name.trim().toLowerCase() === key);
    if (ws) return ws;
    const sheets = wb.worksheets.map((w) => w.name);
    throw unprocessable(
      'invalid_roster',
      `"${filename}" has no sheet named "${wanted}". Its sheets are: ${sheets.map((s) => `"${s}"`).join(', ')}.`,
      { sheets },
    );
  }
  // Hidden sheets typically hold lookup lists, not the class list.
  const ws = wb.worksheets.find((w) => w.state === 'visible' && w.actualRowCount > 0);
  if (!ws) throw rejectFile(filename, 'has no sheet with data', 'Put the class list on a visible sheet and upload it again.');
  return ws;
}

function* sheetRows(ws: ExcelJS.Worksheet): Generator<GridRow> {
  for (let r = 1; r <= ws.rowCount; r++) {
    const row = ws.findRow(r);
    if (!row?.hasValues) continue;
    const cells: string[] = [];
    row.eachCell((cell, col) => {
      cells[col - 1] = cellText(cell);
    });
    yield { row: r, cells: Array.from(cells, (c) => c ?? '') };
  }
}
