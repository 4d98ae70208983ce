import { parseRoster } from '../../src/roster/read-roster';
import { rejection } from './helpers';

const opts = { maxRows: 1000 };
const BOM = '\ufeff';
const utf8 = (s: string) => Buffer.from(s, 'utf8');

describe('parseRoster: CSV', () => {
  test('semicolon separated, BOM, quotes with delimiters, doubled quotes and line breaks, CRLF', async () => {
    const csv =
      BOM +
      'Class list;;\r\n' +
      'Student No;Name;Email\r\n' +
      '00123;"Lovelace; Ada";ada@example.edu\r\n' +
      '1001;"Grace ""Amazing"" Hopper";\r\n' +
      ';;\r\n' +
      'S2002;"Alan\r\nTuring";alan@example.edu\r\n' + // one record over two lines: still sheet row 6
      'S2003;Joan Clarke;\r\n';
    const r = await parseRoster(utf8(csv), 'class 7B.csv', opts);
    expect(r.sheet).toBe('class 7B');
    expect(r.headerRow).toBe(2);
    expect(r.rows).toEqual([
      { row: 3, studentId: '00123', name: 'Lovelace; Ada', email: 'ada@example.edu' },
      { row: 4, studentId: '1001', name: 'Grace "Amazing" Hopper', email: null },
      { row: 6, studentId: 'S2002', name: 'Alan Turing', email: 'alan@example.edu' },
      { row: 7, studentId: 'S2003', name: 'Joan Clarke', email: null },
    ]);
  });

  test('comma separated, no BOM, LF, no trailing newline, a trailing empty field', async () => {
    const r = await parseRoster(utf8('ID,First Name,Last Name,\nS1,Ada,Lovelace,\nS2,Alan,Turing,'), 'c.csv', opts);
    expect(r.rows.map((x) => [x.row, x.studentId, x.name])).toEqual([
      [2, 'S1', 'Ada Lovelace'],
      [3, 'S2', 'Alan Turing'],
    ]);
  });

  test('Excel\'s plain "CSV (Comma delimited)" in the Windows code page', async () => {
    const r = await parseRoster(Buffer.from('ID,Name\r\nS1,M\xfcller Zo\xe9\r\n', 'latin1'), 'c.csv', opts);
    expect(r.rows[0].name).toBe('Müller Zoé');
  });

  test('Excel\'s "Unicode Text": UTF-16LE with BOM, tab separated', async () => {
    const buf = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Student ID\tName\r\nS1\tZoë\r\n', 'utf16le')]);
    const r = await parseRoster(buf, 'c.txt', opts);
    expect(r.rows).toEqual([{ row: 2, studentId: 'S1', name: 'Zoë', email: null }]);
  });

  test('Windows-1252 beyond Latin-1: curly apostrophe, euro sign, Š and œ', async () => {
    // 0x92 ’, 0x80 €, 0x8a Š, 0x9c œ: the bytes Latin-1 would turn into control characters.
    const csv = Buffer.concat([Buffer.from('ID;Name;Email\r\nS1;Sin', 'latin1'), Buffer.from([0xe9, 0x61, 0x64, 0x20, 0x4f, 0x92]), Buffer.from("Brien;\r\nS2;", 'latin1'), Buffer.from([0x8a, 0x74, 0x65, 0x70, 0xe1, 0x6e, 0x20, 0x43, 0x9c, 0x75, 0x72, 0x80]), Buffer.from(';\r\n', 'latin1')]);
    const r = await parseRoster(csv, 'c.csv', opts);
    expect(r.rows.map((x) => x.name)).toEqual(['Sinéad O’Brien', 'Štepán Cœur€']);
  });

  test('UTF-16BE with BOM, and line endings mixed within one file', async () => {
    const le = Buffer.from('ID,Name\r\nS1,Zoë\nS2,Łukasz\rS3,"Ana\r\nMaría"\n', 'utf16le');
    const be = Buffer.concat([Buffer.from([0xfe, 0xff]), le.swap16()]);
    const r = await parseRoster(be, 'c.csv', opts);
    expect(r.rows).toEqual([
      { row: 2, studentId: 'S1', name: 'Zoë', email: null },
      { row: 3, studentId: 'S2', name: 'Łukasz', email: null },
      { row: 4, studentId: 'S3', name: 'Ana María', email: null },
    ]);
  });

  test('spaces around a quoted field are dropped; text after its closing quote is reported', async () => {
    const ok = await parseRoster(utf8('ID,Name\nS1, "Lovelace, Ada" \n'), 'c.csv', opts);
    expect(ok.rows[0].name).toBe('Lovelace, Ada');
    const err = await rejection(parseRoster(utf8('ID,Name\nS1,Ada\nS2,"Alan"Turing\n'), 'c.csv', opts));
    expect(err.details).toEqual([{ row: 3, column: 'column 2', problem: 'text after the closing quote of a quoted field' }]);
  });

  test('a damaged row far below the header is reported in the columns of the chosen delimiter', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => `S${i};Student ${i};`).join('\n');
    const err = await rejection(parseRoster(utf8(`ID;Name;Email\n${rows}\nS99;"Never closed;x\n`), 'c.csv', opts));
    expect(err.details).toEqual([{ row: 32, column: 'column 2', problem: 'quoted field is never closed' }]);
  });

  test('choosing the delimiter reads only the top: a row that is damaged only under another delimiter is fine', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => `S${i};Student ${i}`).join('\n');
    // Under "," the last row's second field opens a quote that never closes; under ";" it is plain text.
    const r = await parseRoster(utf8(`ID;Name\n${rows}\nS99;Pat,"Jones\n`), 'c.csv', opts);
    expect(r.rows.at(-1)).toEqual({ row: 32, studentId: 'S99', name: 'Pat,"Jones', email: null });
  });

  test('a quote that never closes is reported with its row', async () => {
    const err = await rejection(parseRoster(utf8('ID,Name\nS1,Ada\nS2,"Alan\n'), 'c.csv', opts));
    expect(err.code).toBe('invalid_roster');
    expect(err.details).toEqual([{ row: 3, column: 'column 2', problem: 'quoted field is never closed' }]);
  });
});

describe('parseRoster: header names', () => {
  test.each<[string, string, { studentId: string; name: string; email: string | null }]>([
    ['Student ID, Name', 'S1,Ada Lovelace', { studentId: 'S1', name: 'Ada Lovelace', email: null }],
    ['ID,Student Name,Email', 'S1,Ada,ada@example.edu', { studentId: 'S1', name: 'Ada', email: 'ada@example.edu' }],
    ['  student   no. ,FULL NAME', 'S1,Ada', { studentId: 'S1', name: 'Ada', email: null }],
    ['Student Number,First Name,Last Name,E-Mail Address', 'S1,Ada,Lovelace,a@b.org', { studentId: 'S1', name: 'Ada Lovelace', email: 'a@b.org' }],
    ['Matricule,Nom,Prénom,Courriel', '42,Curie,Marie,m@c.fr', { studentId: '42', name: 'Marie Curie', email: 'm@c.fr' }],
    ['student_id,first-name,SURNAME', 'S1,Ada,Lovelace', { studentId: 'S1', name: 'Ada Lovelace', email: null }],
    ['Student ID*,Name (Last First),Email (optional)', 'S1,Lovelace Ada,', { studentId: 'S1', name: 'Lovelace Ada', email: null }],
  ])('%s', async (header, line, expected) => {
    const r = await parseRoster(utf8(`${header}\n${line}\n`), 'c.csv', opts);
    expect(r.rows).toEqual([{ row: 2, ...expected }]);
  });

  test('the header may sit below up to 9 rows of titles', async () => {
    const titles = Array.from({ length: 9 }, (_, i) => `Title line ${i + 1}`).join('\n');
    const r = await parseRoster(utf8(`${titles}\nID,Name\nS1,Ada\n`), 'c.csv', opts);
    expect(r.headerRow).toBe(10);
  });

  test('not below 10 rows, and the message names the accepted headers', async () => {
    const titles = Array.from({ length: 10 }, (_, i) => `Title line ${i + 1}`).join('\n');
    const err = await rejection(parseRoster(utf8(`${titles}\nID,Name\nS1,Ada\n`), 'c.csv', opts));
    expect(err.status).toBe(422);
    expect(err.code).toBe('invalid_roster');
    for (const h of ['Student ID', 'Student No', 'Student Number', 'Matricule', 'Name', 'First Name', 'Last Name', 'Email']) {
      expect(err.message).toContain(`"${h}"`);
    }
  });

  test('First Name alone is not a name column', async () => {
    const err = await rejection(parseRoster(utf8('ID,First Name\nS1,Ada\n'), 'c.csv', opts));
    expect(err.message).toMatch(/No header row found/);
  });
});
