import ExcelJS from 'exceljs';
import { Writable } from 'node:stream';
import { writeMatrixCsv, writeMatrixXlsx, writeMatrixXlsxTo } from '../../src/roster/write-matrix';
import type { MatrixExport } from '../../src/roster/types';
import { readXlsx } from './helpers';

const matrix: MatrixExport = {
  classCode: 'MATH-101',
  className: 'Algebra I',
  timeZone: 'UTC',
  generatedAt: new Date('2026-11-30T12:00:00Z'),
  sessions: [
    { id: 's1', takenAt: new Date('2026-11-23T08:00:00Z'), unknownFaces: 0 },
    { id: 's2', takenAt: new Date('2026-11-24T08:00:00Z'), unknownFaces: 1 },
    { id: 's3', takenAt: new Date('2026-11-24T13:30:00Z'), unknownFaces: 2 },
    { id: 's4', takenAt: new Date('2026-11-25T08:00:00Z'), unknownFaces: 0 },
  ],
  students: [
    { studentId: '00123', name: 'Ada Lovelace', statuses: ['present', 'absent', 'late', 'excused'] },
    { studentId: 'S2', name: '=1+1', statuses: ['absent', 'absent', 'present', 'present'] },
    { studentId: 'S3', name: 'Late Joiner', statuses: [null, null, 'present', 'absent'] },
  ],
};

const HEADERS = ['Student ID', 'Name', '2026-11-23', '2026-11-24 08:00', '2026-11-24 13:30', '2026-11-25', 'Present', 'Absent', 'Late', 'Excused', 'Attendance %'];
const RED = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFC7CE' } };

describe('writeMatrixXlsx', () => {
  let wb: ExcelJS.Workbook;
  let ws: ExcelJS.Worksheet;
  const row = (n: number) => (ws.getRow(n).values as ExcelJS.CellValue[]).slice(1);
  beforeAll(async () => {
    wb = await readXlsx(await writeMatrixXlsx(matrix));
    ws = wb.getWorksheet('Attendance') as ExcelJS.Worksheet;
  });

  test('header: session dates (with times where a date repeats), bold, frozen on ID and name', () => {
    expect(row(1)).toEqual(HEADERS);
    HEADERS.forEach((_, i) => expect(ws.getRow(1).getCell(i + 1).font?.bold).toBe(true));
    expect(ws.views[0]).toMatchObject({ state: 'frozen', xSplit: 2, ySplit: 1 });
    expect(ws.getColumn(2).width).toBe('Present (incl. late)'.length + 2);
    expect(ws.getColumn(4).width).toBe('2026-11-24 08:00'.length + 2);
  });

  test('P/A/L/E cells, totals and attendance % per student; blanks where not on the roster', () => {
    expect(row(2)).toEqual(['00123', 'Ada Lovelace', 'P', 'A', 'L', 'E', 1, 1, 1, 1, 0.5]);
    expect(row(3)).toEqual(['S2', '=1+1', 'A', 'A', 'P', 'P', 2, 2, 0, 0, 0.5]);
    expect(row(4)).toEqual(['S3', 'Late Joiner', undefined, undefined, 'P', 'A', 1, 1, 0, 0, 0.5]);
    expect(ws.getRow(2).getCell(11).numFmt).toBe('0.0%');
  });

  test('a last row counts who attended each session (late included)', () => {
    expect(row(5)).toEqual([undefined, 'Present (incl. late)', 1, 0, 3, 1, 4, 4, 1, 1, 0.5]);
    expect(ws.getRow(5).getCell(3).font?.bold).toBe(true);
    expect(ws.rowCount).toBe(5);
  });

  test('absences and only absences are light red', () => {
    for (let r = 2; r <= 4; r++) {
      for (let c = 3; c <= 6; c++) {
        const cell = ws.getRow(r).getCell(c);
        if (cell.value === 'A') expect(cell.fill).toEqual(RED);
        else expect(cell.fill).toBeUndefined();
      }
    }
    expect(ws.getCell('D2').font?.color?.argb).toBe('FF9C0006');
  });

  test('a formula-looking name is a plain string', () => {
    expect(ws.getCell('B3').type).toBe(ExcelJS.ValueType.String);
    expect(ws.getCell('B3').formula).toBeUndefined();
  });

  test('"Sessions" sheet: class, generated at, and one row per session column', () => {
    const info = wb.getWorksheet('Sessions') as ExcelJS.Worksheet;
    const rows = Array.from(info.getSheetValues(), (r) => (r ? (r as ExcelJS.CellValue[]).slice(1) : []));
    expect(rows.slice(1)).toEqual([
      ['Class', 'MATH-101'],
      ['Class name', 'Algebra I'],
      ['Students', 3],
      ['Sessions', 4],
      ['Time zone', 'UTC'],
      ['Generated at', new Date('2026-11-30T12:00:00Z')],
      [],
      ['Column', 'Session ID', 'Taken at', 'Unknown faces', 'Present (incl. late)'],
      ['2026-11-23', 's1', new Date('2026-11-23T08:00:00Z'), 0, 1],
      ['2026-11-24 08:00', 's2', new Date('2026-11-24T08:00:00Z'), 1, 0],
      ['2026-11-24 13:30', 's3', new Date('2026-11-24T13:30:00Z'), 2, 3],
      ['2026-11-25', 's4', new Date('2026-11-25T08:00:00Z'), 0, 1],
    ]);
    expect(info.getCell('A8').font?.bold).toBe(true);
  });
});

describe('matrix edge cases', () => {
  test('dates follow the time zone; sessions in the same minute still get distinct columns', async () => {
    const m: MatrixExport = {
      ...matrix,
      timeZone: 'America/New_York',
      sessions: [
        { id: 'a', takenAt: new Date('2026-11-24T02:00:00Z'), unknownFaces: 0 }, // 21:00 on the 23rd in New York
        { id: 'b', takenAt: new Date('2026-11-24T14:00:10Z'), unknownFaces: 0 },
        { id: 'c', takenAt: new Date('2026-11-24T14:00:50Z'), unknownFaces: 0 },
      ],
      students: [{ studentId: 'S1', name: 'Ada', statuses: ['present', 'present', 'present'] }],
    };
    const ws = (await readXlsx(await writeMatrixXlsx(m))).worksheets[0];
    expect((ws.getRow(1).values as ExcelJS.CellValue[]).slice(3, 6)).toEqual(['2026-11-23', '2026-11-24 09:00', '2026-11-24 09:00 (2)']);
  });

  test('no sessions yet: headers and a blank rate', async () => {
    const m: MatrixExport = { ...matrix, sessions: [], students: [{ studentId: 'S1', name: 'Ada', statuses: [] }] };
    const ws = (await readXlsx(await writeMatrixXlsx(m))).worksheets[0];
    expect((ws.getRow(2).values as ExcelJS.CellValue[]).slice(1)).toEqual(['S1', 'Ada', 0, 0, 0, 0]);
  });

  test('statuses that do not line up with the sessions are a programming error', () => {
    const m: MatrixExport = { ...matrix, students: [{ studentId: 'S1', name: 'Ada', statuses: ['present'] }] };
    expect(() => writeMatrixCsv(m)).toThrow(/1 statuses for 4 sessions/);
  });

  test('writeMatrixXlsxTo streams into any writable', async () => {
    const chunks: Buffer[] = [];
    const out = new Writable({
      write(chunk: Buffer, _enc, done) {
        chunks.push(chunk);
        done();
      },
    });
    await writeMatrixXlsxTo(matrix, out);
    const ws = (await readXlsx(Buffer.concat(chunks))).worksheets[0];
    expect(ws.getCell('C2').value).toBe('P');
  });
});

describe('writeMatrixCsv', () => {
  test('BOM, CRLF, letters, totals, percentages, formula-safe names', () => {
    const text = writeMatrixCsv(matrix).toString('utf8');
    expect(text.startsWith('\ufeff')).toBe(true);
    expect(text.slice(1).split('\r\n')).toEqual([
      HEADERS.join(','),
      '00123,Ada Lovelace,P,A,L,E,1,1,1,1,50',
      "S2,'=1+1,A,A,P,P,2,2,0,0,50",
      'S3,Late Joiner,,,P,A,1,1,0,0,50',
      ',Present (incl. late),1,0,3,1,4,4,1,1,50',
      '',
    ]);
  });

  test('percentages keep one decimal', () => {
    const m: MatrixExport = {
      ...matrix,
      sessions: matrix.sessions.slice(0, 3),
      students: [{ studentId: 'S1', name: 'Ada', statuses: ['present', 'absent', 'late'] }],
    };
    expect(writeMatrixCsv(m).toString('utf8')).toContain('\r\nS1,Ada,P,A,L,1,1,1,0,66.7\r\n');
  });
});
