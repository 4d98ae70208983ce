/** Shapes shared by roster import and attendance export. No I/O here. */

/** One student read from a roster file. */
export interface RosterRow {
  /** 1-based row number as the spreadsheet shows it, so problems can point at it. */
  row: number;
  studentId: string;
  name: string;
  email: string | null;
  /** The Consent column's decision; absent when the cell is blank or there is no such column. */
  consent?: 'granted' | 'refused';
}

export interface ParsedRoster {
  /** The sheet that was read (for CSV: the file name without extension, as Excel names it). */
  sheet: string;
  headerRow: number;
  rows: RosterRow[];
}

export interface ParseRosterOptions {
  /** Read this sheet instead of the first one with data (xlsx only). */
  sheet?: string;
  /** More data rows than this → invalid_roster. */
  maxRows: number;
}

/** One problem of a rejected roster, in the sheet's own coordinates. */
export interface RosterProblem {
  row: number;
  /** The header text as written in the file, e.g. "Student No.". */
  column: string;
  problem: string;
}

export type AttendanceStatus = 'present' | 'absent' | 'late' | 'excused';

export interface SessionExportRow {
  studentId: string;
  name: string;
  status: AttendanceStatus;
  similarity: number | null;
  source: 'auto' | 'manual' | 'review';
  time: Date | null;
  note: string | null;
}

export interface SessionExport {
  classCode: string;
  className: string;
  sessionId: string;
  takenAt: Date;
  unknownFaces: number;
  photos: number;
  rows: SessionExportRow[];
  /** IANA zone in which dates and times are shown; default UTC. */
  timeZone?: string;
  /** Defaults to now; fixed in tests so output is reproducible. */
  generatedAt?: Date;
}

export interface MatrixSession {
  id: string;
  takenAt: Date;
  unknownFaces: number;
}

export interface MatrixStudent {
  studentId: string;
  name: string;
  /** One per session, same order; null = not on the roster for that session (not counted). */
  statuses: (AttendanceStatus | null)[];
}

export interface MatrixExport {
  classCode: string;
  className: string;
  sessions: MatrixSession[];
  students: MatrixStudent[];
  timeZone?: string;
  generatedAt?: Date;
}
