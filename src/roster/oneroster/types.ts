/** What a OneRoster 1.1/1.2 CSV bundle says, as far as Rollcall uses it. No I/O here. */

/** How the manifest says a file is sent: all records (bulk), changes only (delta), or not at all. */
export type FileMode = 'bulk' | 'delta' | 'absent';

/** One problem of a rejected bundle; row and column are null for a problem with the whole file. */
export interface OneRosterProblem {
  file: string;
  /** 1-based CSV record number, the header being row 1. */
  row: number | null;
  /** The column's OneRoster name, e.g. classSourcedId. */
  column: string | null;
  problem: string;
}

/** Fields every OneRoster record has. */
export interface SourcedRecord {
  sourcedId: string;
  row: number;
  /** status = tobedeleted. */
  deleted: boolean;
}

export interface RosterClass extends SourcedRecord {
  title: string;
  /** classCode, or '' when the export leaves it empty. */
  classCode: string;
}

/** Only students and teachers matter here; every other role (parent, aide, administrator…) is 'other'. */
export type Kind = 'student' | 'teacher' | 'other';

export interface RosterUser extends SourcedRecord {
  /** null when users.csv has no role column and roles.csv (1.2) names none. */
  kind: Kind | null;
  givenName: string;
  familyName: string;
  identifier: string;
  email: string;
}

export interface RosterEnrollment extends SourcedRecord {
  classSourcedId: string;
  userSourcedId: string;
  kind: Kind;
}

export interface OneRosterBundle {
  version: '1.1' | '1.2';
  modes: { classes: FileMode; users: FileMode; enrollments: FileMode };
  classes: RosterClass[];
  users: RosterUser[];
  enrollments: RosterEnrollment[];
}
