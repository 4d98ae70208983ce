import type { Cell, CellValue } from 'exceljs';

/**
 * Turns whatever a spreadsheet cell holds into the text a teacher sees in it, so that IDs
 * compare as strings: a numeric 1001 is "1001" (never "1001.0" or "1.001e3"), a text "00123"
 * stays "00123", and a formula contributes its cached result.
 */

/** Trimmed, single-spaced, NFC text; zero-width characters pasted from web portals removed. */
export function cleanText(s: string): string {
  return s.replace(/[\u200B-\u200D\uFEFF]/g, '').normalize('NFC').replace(/\s+/g, ' ').trim();
}

export function cellText(cell: Cell): string {
  // exceljs echoes a merged range's value in every cell of it; only the master really holds it.
  if (cell.master !== cell) return '';
  return cleanText(valueText(cell.value, cell.numFmt));
}

function valueText(v: CellValue | undefined, numFmt: string | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return numberText(v, numFmt);
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (v instanceof Date) return dateText(v);
  if ('richText' in v) return v.richText.map((run) => run.text).join('');
  // A hyperlink's text may itself be rich text; a bare mailto link shows its address.
  if ('hyperlink' in v) return valueText(v.text as CellValue, numFmt) || v.hyperlink.replace(/^mailto:/i, '');
  if ('formula' in v || 'sharedFormula' in v) return valueText(v.result, numFmt);
  return ''; // error values (#N/A, #REF!...) read as empty, so the row is reported as missing data
}

function numberText(n: number, numFmt: string | undefined): string {
  if (!Number.isFinite(n)) return '';
  if (Number.isInteger(n)) {
    const digits = BigInt(n).toString();
    // A custom format such as 00000 shows 123 as "00123", and that is the ID the school uses.
    return n >= 0 && numFmt && /^0+$/.test(numFmt) ? digits.padStart(numFmt.length, '0') : digits;
  }
  // Excel shows at most 15 significant digits; anything beyond is binary noise (0.1 + 0.2).
  return String(Number(n.toPrecision(15)));
}

/** exceljs hands dates back as UTC instants of the wall-clock value typed in. */
function dateText(d: Date): string {
  const iso = d.toISOString();
  const date = iso.slice(0, 10);
  const time = iso.slice(11, 19);
  if (time === '00:00:00') return date;
  return `${date} ${time.endsWith(':00') ? time.slice(0, 5) : time}`;
}
