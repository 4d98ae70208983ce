import zlib from 'node:zlib';
import { parseRoster } from '../../src/roster/read-roster';
import { MAX_XLSX_UNCOMPRESSED } from '../../src/roster/sniff';
import { openZip } from '../../src/roster/zip-guard';
import { makeZip, rejection, sheetOf, XLSX_SKELETON, xlsxOf } from './helpers';

const opts = { maxRows: 1000 };

async function invalid(buf: Buffer, filename = 'roster.xlsx', maxRows = 1000) {
  const err = await rejection(parseRoster(buf, filename, { maxRows }));
  expect(err.status).toBe(422);
  expect(err.code).toBe('invalid_roster');
  return err;
}

describe('parseRoster: every row problem at once, with the sheet\'s row numbers', () => {
  test('missing ID, missing name, duplicate ID, bad email, below a title', async () => {
    const buf = await xlsxOf((wb) => {
      const ws = wb.addWorksheet('Roster');
      ws.getCell('A1').value = 'Biology - Year 9';
      ws.mergeCells('A1:C1');
      ws.getRow(3).values = ['Student ID', 'Name', 'Email'];
      ws.getRow(4).values = ['S1', 'Ada Lovelace', 'ada@example.edu'];
      ws.getRow(5).values = [null, 'Alan Turing'];
      ws.getRow(6).values = ['S3', '  '];
      ws.getRow(8).values = ['S1', 'Ada Again'];
      ws.getRow(9).values = ['S4', 'Grace Hopper', { text: 'Mail Grace', hyperlink: 'mailto:grace@example.edu' }];
      ws.getRow(10).values = ['S1', null];
    });
    const err = await invalid(buf);
    expect(err.message).toMatch(/6 problems in sheet "Roster"/);
    expect(err.details).toEqual([
      { row: 5, column: 'Student ID', problem: 'missing student ID' },
      { row: 6, column: 'Name', problem: 'missing name' },
      { row: 8, column: 'Student ID', problem: 'duplicate student ID "S1" (also in row 4)' },
      { row: 9, column: 'Email', problem: '"Mail Grace" is not an email address' },
      { row: 10, column: 'Student ID', problem: 'duplicate student ID "S1" (also in row 4)' },
      { row: 10, column: 'Name', problem: 'missing name' },
    ]);
  });

  test('First + Last: the problem names both columns; CSV rows count like Excel rows', async () => {
    const csv = 'Roster\n\nStudent No,First Name,Last Name\n007,,\n008,Alan,\n';
    const err = await invalid(Buffer.from(csv), 'r.csv');
    expect(err.details).toEqual([{ row: 4, column: 'First Name + Last Name', problem: 'missing name' }]);
  });

  test('absurdly long values', async () => {
    const err = await invalid(await sheetOf([['ID', 'Name'], ['X'.repeat(65), 'N'.repeat(201)]]));
    expect(err.details).toEqual([
      { row: 2, column: 'ID', problem: 'student ID longer than 64 characters' },
      { row: 2, column: 'Name', problem: 'name longer than 200 characters' },
    ]);
  });

  test('a header and no students (an untouched template) is refused, not an empty class', async () => {
    const err = await invalid(await sheetOf([['Student ID', 'Name', 'Email']]));
    expect(err.message).toMatch(/no students below the header in row 1/);
  });

  test('more students than maxRows', async () => {
    const rows = [['ID', 'Name'], ...Array.from({ length: 4 }, (_, i) => [`S${i}`, `Student ${i}`])];
    const err = await invalid(await sheetOf(rows), 'r.xlsx', 3);
    expect(err.message).toMatch(/too many rows/);
    expect((await parseRoster(await sheetOf(rows), 'r.xlsx', { maxRows: 4 })).rows).toHaveLength(4);
  });
});

describe('parseRoster: files that are not a readable roster say what to do', () => {
  const OLE2 = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
  const ole2With = (stream: string) => Buffer.concat([OLE2, Buffer.alloc(504), Buffer.from(stream, 'utf16le'), Buffer.alloc(1024)]);

  test('.xls (Excel 97-2003)', async () => {
    const err = await invalid(ole2With('Workbook'), 'roster.xls');
    expect(err.message).toMatch(/Excel 97-2003 \(\.xls\)/);
    expect(err.message).toMatch(/save it as .*\.xlsx/);
  });

  test('password-protected xlsx (an OLE2 container)', async () => {
    const err = await invalid(ole2With('EncryptedPackage'), 'roster.xlsx');
    expect(err.message).toMatch(/password-protected/);
    expect(err.message).toMatch(/save it as \.xlsx/);
  });

  test('.ods', async () => {
    const ods = makeZip([
      { name: 'mimetype', data: Buffer.from('application/vnd.oasis.opendocument.spreadsheet'), store: true },
      { name: 'content.xml', data: Buffer.from('<office:document-content/>') },
    ]);
    const err = await invalid(ods, 'roster.ods');
    expect(err.message).toMatch(/OpenDocument spreadsheet \(\.ods\)/);
    expect(err.message).toMatch(/save it as .*\.xlsx/);
  });

  test('some other zip (a .docx, say)', async () => {
    const err = await invalid(makeZip([{ name: 'word/document.xml', data: Buffer.from('<w:document/>') }]), 'roster.docx');
    expect(err.message).toMatch(/not an Excel workbook/);
  });

  test('random bytes', async () => {
    let x = 12345;
    const noise = Buffer.from(Array.from({ length: 4096 }, () => (x = (x * 1103515245 + 12345) % 2 ** 31) & 0xff));
    const err = await invalid(noise, 'roster.xlsx');
    expect(err.message).toMatch(/not a spreadsheet/);
    expect(err.message).toMatch(/\.xlsx/);
  });

  test('an HTML table or Excel 2003 XML saved with an .xls name', async () => {
    for (const text of ['<html><table><tr><td>ID</td></tr></table></html>', '\ufeff<?xml version="1.0"?><Workbook/>']) {
      const err = await invalid(Buffer.from(text), 'export.xls');
      expect(err.message).toMatch(/web page or XML file.*save it as .*\.xlsx/);
    }
  });

  test('a CSV that merely starts with "PK" is still a CSV', async () => {
    const r = await parseRoster(Buffer.from('PK,Student ID,Name\n1,S1,Ada\n'), 'r.csv', opts);
    expect(r.rows).toEqual([{ row: 2, studentId: 'S1', name: 'Ada', email: null }]);
  });

  test('an empty file', async () => {
    expect((await invalid(Buffer.alloc(0))).message).toMatch(/is empty/);
  });

  test('a truncated xlsx', async () => {
    const buf = await sheetOf([['ID', 'Name'], ['S1', 'Ada']]);
    const err = await invalid(buf.subarray(0, buf.length - 40));
    expect(err.message).toMatch(/damaged or incomplete/);
  });

  test('a zip with the right part names but garbage inside', async () => {
    const garbage = makeZip([
      { name: '[Content_Types].xml', data: Buffer.from('<Types') },
      { name: 'xl/workbook.xml', data: Buffer.from('<<not xml') },
    ]);
    const err = await invalid(garbage);
    expect(err.message).toMatch(/could not be read as an Excel workbook/);
  });
});

describe('parseRoster: zip bombs never reach exceljs', () => {
  const overLimit = MAX_XLSX_UNCOMPRESSED + 1024 * 1024;

  test('a real xlsx whose central directory declares a huge sheet', async () => {
    const buf = Buffer.from(await sheetOf([['ID', 'Name'], ['S1', 'Ada']]));
    // Patch the uncompressed size (offset 24 of the central header) of the sheet's entry.
    const cd = buf.lastIndexOf(Buffer.from('xl/worksheets/sheet1.xml')) - 46;
    expect(buf.readUInt32LE(cd)).toBe(0x02014b50);
    buf.writeUInt32LE(0xfffffff0, cd + 24);
    const err = await invalid(buf);
    expect(err.message).toMatch(/too large once uncompressed \(more than 50 MB\)/);
  });

  test('an honest bomb: declares and holds more than the limit', async () => {
    const bomb = makeZip([...XLSX_SKELETON, { name: 'xl/worksheets/sheet1.xml', data: Buffer.alloc(overLimit) }]);
    expect(bomb.length).toBeLessThan(200 * 1024);
    expect((await invalid(bomb)).message).toMatch(/too large once uncompressed/);
  });

  test('a lying bomb: declares 1 KB, inflates to more than the limit', async () => {
    const bomb = makeZip([...XLSX_SKELETON, { name: 'xl/worksheets/sheet1.xml', data: Buffer.alloc(overLimit), declaredSize: 1024 }]);
    expect((await openZip(bomb)).entries.reduce((n, e) => n + e.uncompressedSize, 0)).toBeLessThan(2048);
    expect((await invalid(bomb)).message).toMatch(/too large once uncompressed/);
  });

  test('many entries', async () => {
    const parts = Array.from({ length: 10_001 }, (_, i) => ({ name: `x/${i}`, data: Buffer.alloc(0), store: true }));
    expect((await invalid(makeZip([...XLSX_SKELETON, ...parts]))).message).toMatch(/too large/);
  });

  test('deflate data that does not inflate', async () => {
    const broken = makeZip([...XLSX_SKELETON, { name: 'xl/worksheets/sheet1.xml', data: Buffer.from('x'.repeat(100)) }]);
    const at = broken.indexOf(zlib.deflateRawSync(Buffer.from('x'.repeat(100))));
    broken.fill(0xff, at, at + 4);
    expect((await invalid(broken)).message).toMatch(/damaged or incomplete/);
  });
});
