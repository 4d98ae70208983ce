import { toCsv, CsvCell } from './csv-write';
import { STATUS_LABEL } from './status-labels';
import { DEFAULT_TIME_ZONE, wallClock } from './time';
import type { SessionExport, SessionExportRow } from './types';
import { ABSENT_FILL, ABSENT_FONT, addInfoSheet, addRow, addTableSheet, createWorkbookWriter, displayText, fitWidth, XlsxValue, xlsxBuffer } from './xlsx-out';

/** One attendance session: a row per roster student, absences highlighted. */

const HEADERS = ['Student ID', 'Name', 'Status', 'Similarity', 'Source', 'Time', 'Note'];
const SIMILARITY_COLUMN = 4;
const SOURCE_LABEL: Record<SessionExportRow['source'], string> = { auto: 'Auto', manual: 'Manual', review: 'Review' };

export function writeSessionXlsx(s: SessionExport): Promise<Buffer> {
  const rows = s.rows.map((r): XlsxValue[] => [
    r.studentId,
    r.name,
    STATUS_LABEL[r.status],
    r.similarity,
    SOURCE_LABEL[r.source],
    r.time && wallClock(r.time, s.timeZone).excel,
    r.note,
  ]);
  return xlsxBuffer(async (out) => {
    const wb = createWorkbookWriter(out);
    const ws = addTableSheet(wb, 'Attendance', {
      headers: HEADERS,
      widths: HEADERS.map((h, i) => fitWidth([h, ...rows.map((r) => displayText(r[i]))])),
    });
    s.rows.forEach((r, i) => {
      addRow(ws, rows[i], (row) => {
        row.getCell(SIMILARITY_COLUMN).numFmt = '0.000';
        if (r.status === 'absent') {
          row.fill = ABSENT_FILL;
          row.font = ABSENT_FONT;
        }
      });
    });
    ws.commit();
    addInfoSheet(wb, 'Session info', sessionInfo(s));
    await wb.commit();
  });
}

function sessionInfo(s: SessionExport): [string, XlsxValue][] {
  const tz = s.timeZone ?? DEFAULT_TIME_ZONE;
  const count = (status: SessionExportRow['status']) => s.rows.filter((r) => r.status === status).length;
  return [
    ['Class', s.classCode],
    ['Class name', s.className],
    ['Session ID', s.sessionId],
    ['Taken at', wallClock(s.takenAt, tz).excel],
    ['Photos', s.photos],
    ['Unknown faces', s.unknownFaces],
    ['Students', s.rows.length],
    ['Present', count('present')],
    ['Absent', count('absent')],
    ['Late', count('late')],
    ['Excused', count('excused')],
    ['Time zone', tz],
    ['Generated at', wallClock(s.generatedAt ?? new Date(), tz).excel],
  ];
}

export function writeSessionCsv(s: SessionExport): Buffer {
  const rows: CsvCell[][] = [HEADERS];
  for (const r of s.rows) {
    const time = r.time && wallClock(r.time, s.timeZone);
    rows.push([
      r.studentId,
      r.name,
      STATUS_LABEL[r.status],
      r.similarity === null ? null : Math.round(r.similarity * 1000) / 1000,
      SOURCE_LABEL[r.source],
      time ? `${time.date} ${time.time}` : null,
      r.note,
    ]);
  }
  return toCsv(rows);
}
