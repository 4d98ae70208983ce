import type ExcelJS from 'exceljs';
import type { Writable } from 'node:stream';
import { toCsv, CsvCell } from './csv-write';
import { ATTENDED_LABEL, buildMatrixTable, MatrixTable, totalCells } from './matrix-table';
import { DEFAULT_TIME_ZONE, wallClock } from './time';
import type { MatrixExport } from './types';
import { ABSENT_FILL, ABSENT_FONT, addInfoSheet, addRow, addTableSheet, createWorkbookWriter, fitWidth, xlsxBuffer } from './xlsx-out';

/**
 * The class attendance matrix: students × sessions with P/A/L/E cells, per-student totals and
 * attendance %, and a last row counting who attended each session.
 */

const SESSION_COLUMN_OFFSET = 3; // 1-based column of the first session: after Student ID, Name

export function writeMatrixXlsx(m: MatrixExport): Promise<Buffer> {
  return xlsxBuffer((out) => writeMatrixXlsxTo(m, out));
}

/** Streams the workbook into `out` (an HTTP response, say); resolves once it is finished. */
export async function writeMatrixXlsxTo(m: MatrixExport, out: Writable): Promise<void> {
  const table = buildMatrixTable(m);
  const wb = createWorkbookWriter(out);
  const ws = addTableSheet(wb, 'Attendance', {
    headers: table.headers,
    widths: [
      fitWidth(['Student ID', ...table.lines.map((l) => l.studentId)]),
      fitWidth(['Name', ATTENDED_LABEL, ...table.lines.map((l) => l.name)]),
      ...table.headers.slice(2).map((h) => fitWidth([h])),
    ],
    frozenColumns: 2, // IDs and names stay in view while scrolling through a term of sessions
  });
  const sessions = table.sessionLabels.length;
  const rateColumn = SESSION_COLUMN_OFFSET + sessions + 4; // after Present, Absent, Late, Excused
  for (const l of table.lines) {
    addRow(ws, [l.studentId, l.name, ...l.letters, ...totalCells(l.totals), l.rate], (row) => {
      l.letters.forEach((letter, i) => {
        if (letter !== 'A') return;
        const cell = row.getCell(SESSION_COLUMN_OFFSET + i);
        cell.fill = ABSENT_FILL;
        cell.font = ABSENT_FONT;
      });
      row.getCell(rateColumn).numFmt = '0.0%';
    });
  }
  addRow(ws, [null, ATTENDED_LABEL, ...table.attended, ...totalCells(table.totals), table.rate], (row) => {
    row.font = { bold: true };
    row.getCell(rateColumn).numFmt = '0.0%';
  });
  ws.commit();
  addSessionsSheet(wb, m, table);
  await wb.commit();
}

function addSessionsSheet(wb: ExcelJS.stream.xlsx.WorkbookWriter, m: MatrixExport, table: MatrixTable): void {
  const tz = m.timeZone ?? DEFAULT_TIME_ZONE;
  addInfoSheet(
    wb,
    'Sessions',
    [
      ['Class', m.classCode],
      ['Class name', m.className],
      ['Students', m.students.length],
      ['Sessions', m.sessions.length],
      ['Time zone', tz],
      ['Generated at', wallClock(m.generatedAt ?? new Date(), tz).excel],
    ],
    {
      headers: ['Column', 'Session ID', 'Taken at', 'Unknown faces', ATTENDED_LABEL],
      rows: m.sessions.map((s, i) => [table.sessionLabels[i], s.id, wallClock(s.takenAt, tz).excel, s.unknownFaces, table.attended[i]]),
    },
  );
}

export function writeMatrixCsv(m: MatrixExport): Buffer {
  const table = buildMatrixTable(m);
  const rows: CsvCell[][] = [table.headers];
  for (const l of table.lines) rows.push([l.studentId, l.name, ...l.letters, ...totalCells(l.totals), percent(l.rate)]);
  rows.push([null, ATTENDED_LABEL, ...table.attended, ...totalCells(table.totals), percent(table.rate)]);
  return toCsv(rows);
}

/** CSV has no number formats: 0.6667 → 66.7 under an "Attendance %" header. */
function percent(rate: number | null): number | null {
  return rate === null ? null : Math.round(rate * 1000) / 10;
}
