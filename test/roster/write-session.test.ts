import ExcelJS from 'exceljs';
import { writeSessionCsv, writeSessionXlsx } from '../../src/roster/write-session';
import type { SessionExport } from '../../src/roster/types';
import { openZip } from '../../src/roster/zip-guard';
import { readXlsx } from './helpers';

const EVIL = '=HYPERLINK("http://evil.example","click")';

const session: SessionExport = {
  classCode: 'MATH-101',
  className: 'Algebra I',
  sessionId: 'sess-42',
  takenAt: new Date('2026-11-23T08:05:00Z'),
  unknownFaces: 2,
  photos: 3,
  timeZone: 'Europe/Paris',
  generatedAt: new Date('2026-11-23T10:00:00Z'),
  rows: [
    { studentId: '00123', name: 'Ada Lovelace', status: 'present', similarity: 0.8123, source: 'auto', time: new Date('2026-11-23T08:05:30Z'), note: null },
    { studentId: 'S2', name: EVIL, status: 'absent', similarity: null, source: 'auto', time: null, note: null },
    { studentId: 'S3', name: 'Hopper, Grace "Amazing"', status: 'late', similarity: 0.7, source: 'manual', time: new Date('2026-11-23T08:20:00Z'), note: 'bus\nlate' },
    { studentId: '-5', name: '@SUM(A1)', status: 'excused', similarity: null, source: 'manual', time: null, note: '+1 doctor' },
  ],
};

describe('writeSessionXlsx', () => {
  let wb: ExcelJS.Workbook;
  let ws: ExcelJS.Worksheet;
  let buf: Buffer;
  beforeAll(async () => {
    buf = await writeSessionXlsx(session);
    wb = await readXlsx(buf);
    ws = wb.getWorksheet('Attendance') as ExcelJS.Worksheet;
  });

  test('sheets, bold frozen header, fitted widths', () => {
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Attendance', 'Session info']);
    expect(ws.getRow(1).values).toEqual([undefined, 'Student ID', 'Name', 'Status', 'Similarity', 'Source', 'Time', 'Note']);
    for (let c = 1; c <= 7; c++) expect(ws.getRow(1).getCell(c).font?.bold).toBe(true);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(ws.getColumn(2).width).toBe(EVIL.length + 2);
    expect(ws.getColumn(3).width).toBe(10); // "Excused" + 2 is below the minimum of 10
  });

  test('cell by cell', () => {
    expect(ws.rowCount).toBe(5);
    const r2 = ws.getRow(2);
    expect(r2.getCell(1).value).toBe('00123');
    expect(r2.getCell(2).value).toBe('Ada Lovelace');
    expect(r2.getCell(3).value).toBe('Present');
    expect(r2.getCell(4).value).toBe(0.8123);
    expect(r2.getCell(4).numFmt).toBe('0.000');
    expect(r2.getCell(5).value).toBe('Auto');
    // 08:05 UTC is 09:05 in Paris; Excel shows the wall clock.
    expect(r2.getCell(6).value).toEqual(new Date('2026-11-23T09:05:30Z'));
    expect(r2.getCell(6).numFmt).toBe('yyyy-mm-dd hh:mm');
    expect(r2.getCell(7).value).toBeNull();
    expect(ws.getRow(3).getCell(3).value).toBe('Absent');
    expect(ws.getRow(4).getCell(7).value).toBe('bus\nlate');
    expect(ws.getRow(5).getCell(1).value).toBe('-5');
  });

  test('absent rows are filled light red, others are not', () => {
    for (let c = 1; c <= 7; c++) {
      expect(ws.getRow(3).getCell(c).fill).toEqual({ type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFC7CE' } });
    }
    expect(ws.getRow(2).getCell(3).fill).toBeUndefined();
    expect(ws.getRow(4).getCell(3).fill).toBeUndefined();
  });

  test('formula-looking names are stored as plain strings, no formula anywhere in the file', async () => {
    const cell = ws.getRow(3).getCell(2);
    expect(cell.type).toBe(ExcelJS.ValueType.String);
    expect(cell.value).toBe(EVIL);
    expect(ws.getRow(5).getCell(2).type).toBe(ExcelJS.ValueType.String);
    const zip = await openZip(buf);
    const sheets = zip.entries.filter((e) => e.name.startsWith('xl/worksheets/'));
    const sheetXml = (await Promise.all(sheets.map((e) => zip.read(e, e.uncompressedSize)))).join('');
    expect(sheetXml).not.toMatch(/<f[ >]/);
  });

  test('"Session info" holds the metadata', () => {
    const info = wb.getWorksheet('Session info') as ExcelJS.Worksheet;
    const pairs = Object.fromEntries(info.getSheetValues().slice(1).map((r) => [(r as ExcelJS.CellValue[])[1], (r as ExcelJS.CellValue[])[2]]));
    expect(pairs).toEqual({
      Class: 'MATH-101',
      'Class name': 'Algebra I',
      'Session ID': 'sess-42',
      'Taken at': new Date('2026-11-23T09:05:00Z'),
      Photos: 3,
      'Unknown faces': 2,
      Students: 4,
      Present: 1,
      Absent: 1,
      Late: 1,
      Excused: 1,
      'Time zone': 'Europe/Paris',
      'Generated at': new Date('2026-11-23T11:00:00Z'),
    });
    expect(info.getCell('A1').font?.bold).toBe(true);
  });

  test('control characters from a roster cannot corrupt the file', async () => {
    const bad = await writeSessionXlsx({ ...session, rows: [{ ...session.rows[0], name: 'Ada\u0000\u0007 Lovelace\uD800' }] });
    const back = await readXlsx(bad);
    expect(back.getWorksheet('Attendance')?.getCell('B2').value).toBe('Ada Lovelace');
  });
});

describe('writeSessionCsv', () => {
  const text = writeSessionCsv(session).toString('utf8');

  test('UTF-8 BOM, CRLF, RFC 4180 quoting, formula prefixes', () => {
    expect(text.startsWith('\ufeff')).toBe(true);
    expect(text.slice(1).split('\r\n')).toEqual([
      'Student ID,Name,Status,Similarity,Source,Time,Note',
      '00123,Ada Lovelace,Present,0.812,Auto,2026-11-23 09:05,',
      `S2,"'=HYPERLINK(""http://evil.example"",""click"")",Absent,,Auto,,`,
      'S3,"Hopper, Grace ""Amazing""",Late,0.7,Manual,2026-11-23 09:20,"bus\nlate"',
      "'-5,'@SUM(A1),Excused,,Manual,,'+1 doctor",
      '',
    ]);
  });
});
