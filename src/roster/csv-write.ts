import { safeCsvText } from './safe-cell';

/**
 * RFC 4180 CSV for spreadsheets: a UTF-8 BOM (without it Excel guesses the Windows code page and
 * mangles accented names), CRLF line ends, and quotes only where a field needs them.
 */

export type CsvCell = string | number | null;

const BOM = '\uFEFF';

export function toCsv(rows: CsvCell[][]): Buffer {
  const lines = rows.map((cells) => cells.map(csvField).join(','));
  return Buffer.from(BOM + lines.join('\r\n') + '\r\n', 'utf8');
}

function csvField(v: CsvCell): string {
  if (v === null) return '';
  if (typeof v === 'number') return String(v);
  const s = safeCsvText(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
