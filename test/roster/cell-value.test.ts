import ExcelJS from 'exceljs';
import { cellText, cleanText } from '../../src/roster/cell-value';

/** The text of a cell holding `value` (with an optional number format). */
function textOf(value: ExcelJS.CellValue, numFmt?: string): string {
  const cell = new ExcelJS.Workbook().addWorksheet('S').getCell('A1');
  cell.value = value;
  if (numFmt) cell.numFmt = numFmt;
  return cellText(cell);
}

describe('cellText', () => {
  test.each<[string, ExcelJS.CellValue, string | undefined, string]>([
    ['integer', 1001, undefined, '1001'],
    ['integer typed as 1001.0', 1001.0, undefined, '1001'],
    ['large integer, never exponent notation', 1e20, undefined, '100000000000000000000'],
    ['zero-padded number format', 123, '00000', '00123'],
    ['general format ignores padding', 123, 'General', '123'],
    ['fraction', 12.5, undefined, '12.5'],
    ['float noise beyond 15 digits', 0.1 + 0.2, undefined, '0.3'],
    ['text keeps leading zeros', '00123', undefined, '00123'],
    ['whitespace trimmed and collapsed', '  Ada \u00a0  Lovelace\n', undefined, 'Ada Lovelace'],
    ['zero-width characters dropped', '\u200bS1001\ufeff', undefined, 'S1001'],
    ['date', new Date(Date.UTC(2026, 10, 23)), undefined, '2026-11-23'],
    ['date and time', new Date(Date.UTC(2026, 10, 23, 9, 5)), undefined, '2026-11-23 09:05'],
    ['boolean', true, undefined, 'TRUE'],
    ['rich text', { richText: [{ text: 'Ad' }, { text: 'a', font: { italic: true } }] }, undefined, 'Ada'],
    ['hyperlink text', { text: 'Ada', hyperlink: 'https://example.edu/ada' }, undefined, 'Ada'],
    ['mailto link without text', { text: '', hyperlink: 'mailto:ada@example.edu' }, undefined, 'ada@example.edu'],
    ['formula result', { formula: '1000+1', result: 1001 }, undefined, '1001'],
    ['formula without a cached result', { formula: 'A2' } as ExcelJS.CellFormulaValue, undefined, ''],
    ['error value', { error: '#N/A' }, undefined, ''],
    ['empty', null, undefined, ''],
  ])('%s', (_what, value, numFmt, expected) => {
    expect(textOf(value, numFmt)).toBe(expected);
  });

  test('composed and decomposed accents compare equal', () => {
    expect(cleanText('Chloe\u0301')).toBe(cleanText('Chlo\u00e9'));
  });
});
