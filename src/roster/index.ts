/** Roster import and attendance export: pure functions over buffers, no database. */
export { parseRoster } from './read-roster';
export { writeSessionXlsx, writeSessionCsv } from './write-session';
export { writeMatrixXlsx, writeMatrixXlsxTo, writeMatrixCsv } from './write-matrix';
export { exportFilename } from './export-filename';
export { MAX_XLSX_UNCOMPRESSED } from './sniff';
export type * from './types';
