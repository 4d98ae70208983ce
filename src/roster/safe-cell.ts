/**
 * Student names and notes come from untrusted rosters and end up in spreadsheets that
 * teachers open. Nothing we export may run as a formula or break the file.
 */

/** What makes Excel, LibreOffice or Google Sheets read a typed value as a formula (OWASP). */
const FORMULA_START = /^[=+\-@\t\r]/;

/** XML 1.0 cannot carry these; one of them would make the whole xlsx unreadable. */
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Excel refuses to open a file with a longer cell. */
const EXCEL_MAX_CELL_CHARS = 32767;

export function looksLikeFormula(s: string): boolean {
  return FORMULA_START.test(s);
}

/**
 * For xlsx: always written as a string value, which Excel shows as text and never evaluates,
 * even when it starts with "=" (exceljs only writes a formula for a {formula} object).
 */
export function safeXlsxText(s: string): string {
  const clean = s.replace(XML_INVALID, '');
  if (clean.length <= EXCEL_MAX_CELL_CHARS) return clean;
  // Do not cut a surrogate pair in half.
  return clean.slice(0, EXCEL_MAX_CELL_CHARS).replace(/[\uD800-\uDBFF]$/, '');
}

/** For CSV, where a cell has no type: a leading apostrophe makes spreadsheets keep it as text. */
export function safeCsvText(s: string): string {
  return looksLikeFormula(s) ? `'${s}` : s;
}
