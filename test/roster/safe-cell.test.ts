import { exportFilename } from '../../src/roster/export-filename';
import { looksLikeFormula, safeCsvText, safeXlsxText } from '../../src/roster/safe-cell';

describe('safe cells', () => {
  test.each(['=1+1', '+1', '-1', '@SUM(A1)', '\t=1', '\r=1'])('%j is formula-like and gets an apostrophe in CSV', (s) => {
    expect(looksLikeFormula(s)).toBe(true);
    expect(safeCsvText(s)).toBe(`'${s}`);
  });

  test.each(['Ada', ' =1', "O'Brien", '1-2', 'a=b', ''])('%j is left alone', (s) => {
    expect(looksLikeFormula(s)).toBe(false);
    expect(safeCsvText(s)).toBe(s);
  });

  test('xlsx text keeps formula-looking strings as they are (they are stored as strings)', () => {
    expect(safeXlsxText('=1+1')).toBe('=1+1');
  });

  test('xlsx text drops what XML cannot carry, keeps tabs, newlines and real emoji', () => {
    expect(safeXlsxText('a\u0000b\u0008c\td\ne\uFFFE\uD83D\uDE00\uDC00')).toBe('abc\td\ne\uD83D\uDE00');
  });

  test('xlsx text is cut to Excel\'s 32767 characters without splitting a surrogate pair', () => {
    expect(safeXlsxText('x'.repeat(40000))).toHaveLength(32767);
    expect(safeXlsxText('x'.repeat(32766) + '\uD83D\uDE00')).toBe('x'.repeat(32766));
  });
});

describe('exportFilename', () => {
  const date = new Date('2026-11-23T23:30:00Z');

  test.each<[string, string]>([
    ['MATH-101', 'MATH-101_2026-11-23.xlsx'],
    ['Algèbre I / Groupe B', 'Algebre_I_Groupe_B_2026-11-23.xlsx'],
    ['../../etc/passwd', 'etc_passwd_2026-11-23.xlsx'],
    ['"; rm -rf', 'rm_-rf_2026-11-23.xlsx'],
    ['数学', 'class_2026-11-23.xlsx'],
  ])('%j', (code, expected) => {
    expect(exportFilename(code, date, 'xlsx')).toBe(expected);
    expect(expected).toMatch(/^[A-Za-z0-9._-]+$/);
  });

  test('the date is the class\'s local date', () => {
    expect(exportFilename('MATH-101', date, 'csv', 'Europe/Paris')).toBe('MATH-101_2026-11-24.csv');
  });
});
