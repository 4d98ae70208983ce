import { parseRoster } from '../../src/roster/read-roster';
import { rejection, sheetOf, xlsxOf } from './helpers';

const opts = { maxRows: 1000 };

describe('parseRoster: xlsx in the shapes teachers make them', () => {
  test('title rows, merged cells, text/numeric/formatted IDs, formulas, rich text, hyperlinks, blank rows', async () => {
    const buf = await xlsxOf((wb) => {
      const ws = wb.addWorksheet('Class 7B');
      ws.getCell('A1').value = 'Algebra I - class list 2026/27';
      ws.mergeCells('A1:D1');
      ws.getRow(4).values = ['  student   no. ', 'First Name', 'LAST-NAME', 'E-mail'];
      ws.getRow(5).values = ['00123', 'Ada', 'Lovelace', { text: 'ada@example.edu', hyperlink: 'mailto:ada@example.edu' }];
      ws.getRow(6).values = [1001, { richText: [{ text: 'Gra' }, { text: 'ce', font: { bold: true } }] }, 'Hopper', null];
      ws.getRow(8).values = [
        { formula: '"S"&"2002"', result: 'S2002' },
        'Alan',
        'Turing',
        { formula: 'LOWER("ALAN@EXAMPLE.EDU")', result: 'alan@example.edu' },
      ];
      ws.getRow(9).values = [417, 'Katherine', 'Johnson'];
      ws.getCell('A9').numFmt = '000000';
      ws.getRow(10).values = ['  S-77\u00a0', 'Emmy   Noether'];
      ws.mergeCells('B10:C10');
      ws.getRow(11).values = [20250012, 'Mary', 'Jackson', { text: 'mary@example.edu', hyperlink: 'mailto:mary@example.edu' }];
      ws.getRow(12).values = [1e3, 'Dorothy', 'Vaughan'];
      ws.getRow(13).values = [{ formula: 'A12*2', result: 2000.0000000000002 }, 'Grace', 'Kelly'];
      ws.getRow(14).values = [{ sharedFormula: 'A13', result: 3000 }, 'Joan', 'Clarke'];
    });
    const r = await parseRoster(buf, 'class.xlsx', opts);
    expect(r.sheet).toBe('Class 7B');
    expect(r.headerRow).toBe(4);
    expect(r.rows).toEqual([
      { row: 5, studentId: '00123', name: 'Ada Lovelace', email: 'ada@example.edu' },
      { row: 6, studentId: '1001', name: 'Grace Hopper', email: null },
      { row: 8, studentId: 'S2002', name: 'Alan Turing', email: 'alan@example.edu' },
      { row: 9, studentId: '000417', name: 'Katherine Johnson', email: null },
      { row: 10, studentId: 'S-77', name: 'Emmy Noether', email: null },
      { row: 11, studentId: '20250012', name: 'Mary Jackson', email: 'mary@example.edu' },
      { row: 12, studentId: '1000', name: 'Dorothy Vaughan', email: null },
      { row: 13, studentId: '2000', name: 'Grace Kelly', email: null },
      { row: 14, studentId: '3000', name: 'Joan Clarke', email: null },
    ]);
  });

  test('numbers read with the 15 significant digits Excel shows, so float noise cannot hide a duplicate', async () => {
    const buf = await sheetOf([
      ['Student ID', 'Name'],
      [1001, 'Grace Hopper'],
      [{ formula: 'A2+0.1-0.1', result: 1001.0000000000001 }, 'Grace Kelly'],
      [12.5, 'Half'],
    ]);
    const err = await rejection(parseRoster(buf, 'c.xlsx', opts));
    expect(err.details).toEqual([{ row: 3, column: 'Student ID', problem: 'duplicate student ID "1001" (also in row 2)' }]);
  });

  test('a single Name column; other columns are ignored', async () => {
    const buf = await sheetOf([
      ['#', 'Student ID', 'Student Name', 'Enrolled', 'Notes'],
      [1, 'S1', 'Ada Lovelace', new Date(Date.UTC(2026, 8, 1)), 'front row'],
      [2, 'S2', 'Alan Turing', true, null],
      [3, null, null, null, 'left in October'], // only an unread column: not a student
    ]);
    const r = await parseRoster(buf, 'c.xlsx', opts);
    expect(r.rows).toEqual([
      { row: 2, studentId: 'S1', name: 'Ada Lovelace', email: null },
      { row: 3, studentId: 'S2', name: 'Alan Turing', email: null },
    ]);
  });

  test('"Student ID" wins over a plain "ID" column (often a row number)', async () => {
    const buf = await sheetOf([
      ['ID', 'Name', 'Student ID'],
      [1, 'Ada', 'S1001'],
    ]);
    const r = await parseRoster(buf, 'c.xlsx', opts);
    expect(r.rows[0].studentId).toBe('S1001');
  });

  test('a value merged down several rows belongs to the first row only', async () => {
    const buf = await xlsxOf((wb) => {
      const ws = wb.addWorksheet('S');
      ws.getRow(1).values = ['ID', 'Name'];
      ws.getRow(2).values = ['S1', 'Ada'];
      ws.getRow(3).values = [null, 'Alan'];
      ws.mergeCells('A2:A3');
    });
    const err = await rejection(parseRoster(buf, 'c.xlsx', opts));
    expect(err.details).toEqual([{ row: 3, column: 'ID', problem: 'missing student ID' }]);
  });
});

describe('parseRoster: which sheet', () => {
  const workbook = () =>
    xlsxOf((wb) => {
      wb.addWorksheet('Instructions'); // empty
      const hidden = wb.addWorksheet('Lookup', { state: 'hidden' });
      hidden.addRow(['ID', 'Name']);
      hidden.addRow(['X1', 'Not a student']);
      const ws = wb.addWorksheet('Class');
      ws.addRow(['ID', 'Name']);
      ws.addRow(['S1', 'Ada']);
      const other = wb.addWorksheet('Class B');
      other.addRow(['ID', 'Name']);
      other.addRow(['S9', 'Zoe']);
    });

  test('the first visible sheet with data by default', async () => {
    const r = await parseRoster(await workbook(), 'c.xlsx', opts);
    expect(r.sheet).toBe('Class');
    expect(r.rows.map((x) => x.studentId)).toEqual(['S1']);
  });

  test('a named sheet, matched case- and space-insensitively', async () => {
    const r = await parseRoster(await workbook(), 'c.xlsx', { ...opts, sheet: ' class b' });
    expect(r.sheet).toBe('Class B');
    expect(r.rows.map((x) => x.studentId)).toEqual(['S9']);
  });

  test('an empty sheet name means the default', async () => {
    expect((await parseRoster(await workbook(), 'c.xlsx', { ...opts, sheet: ' ' })).sheet).toBe('Class');
  });

  test('an unknown sheet lists the sheets there are', async () => {
    const err = await rejection(parseRoster(await workbook(), 'c.xlsx', { ...opts, sheet: 'Term 2' }));
    expect(err.status).toBe(422);
    expect(err.code).toBe('invalid_roster');
    expect(err.message).toContain('"Instructions", "Lookup", "Class", "Class B"');
    expect(err.details).toEqual({ sheets: ['Instructions', 'Lookup', 'Class', 'Class B'] });
  });

  test('a workbook with no data anywhere', async () => {
    const buf = await xlsxOf((wb) => wb.addWorksheet('Empty'));
    const err = await rejection(parseRoster(buf, 'c.xlsx', opts));
    expect(err.code).toBe('invalid_roster');
    expect(err.message).toMatch(/no sheet with data/);
  });
});
