import { STATUS_LETTER } from './status-labels';
import { wallClock } from './time';
import type { AttendanceStatus, MatrixExport } from './types';

/**
 * The class matrix as plain values, computed once and rendered by both the xlsx and the CSV
 * writer so the two can never disagree on a total.
 */

export interface Totals {
  present: number;
  absent: number;
  late: number;
  excused: number;
}

export interface MatrixLine {
  studentId: string;
  name: string;
  letters: (string | null)[];
  totals: Totals;
  /** (present + late) / sessions the student was on the roster for; null if none. */
  rate: number | null;
}

export interface MatrixTable {
  /** Student ID, Name, one column per session, then TOTAL_HEADERS. */
  headers: string[];
  sessionLabels: string[];
  lines: MatrixLine[];
  /** Per session: students present or late. */
  attended: number[];
  totals: Totals;
  rate: number | null;
}

export const ATTENDED_LABEL = 'Present (incl. late)';
const TOTAL_HEADERS = ['Present', 'Absent', 'Late', 'Excused', 'Attendance %'];

export function buildMatrixTable(m: MatrixExport): MatrixTable {
  const sessionLabels = labelSessions(m.sessions.map((s) => s.takenAt), m.timeZone);
  const attended = m.sessions.map(() => 0);
  const lines = m.students.map((s) => {
    if (s.statuses.length !== m.sessions.length) {
      throw new Error(`student ${s.studentId} has ${s.statuses.length} statuses for ${m.sessions.length} sessions`);
    }
    s.statuses.forEach((st, i) => {
      if (st === 'present' || st === 'late') attended[i]++;
    });
    const totals = countStatuses(s.statuses);
    return {
      studentId: s.studentId,
      name: s.name,
      letters: s.statuses.map((st) => (st ? STATUS_LETTER[st] : null)),
      totals,
      rate: attendanceRate(totals),
    };
  });
  const totals = sumTotals(lines.map((l) => l.totals));
  return {
    headers: ['Student ID', 'Name', ...sessionLabels, ...TOTAL_HEADERS],
    sessionLabels,
    lines,
    attended,
    totals,
    rate: attendanceRate(totals),
  };
}

/** The four count columns, in TOTAL_HEADERS order. */
export function totalCells(t: Totals): number[] {
  return [t.present, t.absent, t.late, t.excused];
}

export function countStatuses(statuses: (AttendanceStatus | null)[]): Totals {
  const t: Totals = { present: 0, absent: 0, late: 0, excused: 0 };
  for (const st of statuses) if (st) t[st]++;
  return t;
}

function sumTotals(all: Totals[]): Totals {
  const t: Totals = { present: 0, absent: 0, late: 0, excused: 0 };
  for (const x of all) {
    t.present += x.present;
    t.absent += x.absent;
    t.late += x.late;
    t.excused += x.excused;
  }
  return t;
}

/** A session a student was not on the roster for (null) counts neither for nor against them. */
export function attendanceRate(t: Totals): number | null {
  const counted = t.present + t.absent + t.late + t.excused;
  return counted === 0 ? null : (t.present + t.late) / counted;
}

/**
 * ISO dates; where two sessions share a date, all of that date's sessions get the time too,
 * and any still equal (same minute) a "(2)" suffix, so every column can be told apart.
 */
function labelSessions(dates: Date[], timeZone: string | undefined): string[] {
  const clocks = dates.map((d) => wallClock(d, timeZone));
  const perDate = new Map<string, number>();
  for (const c of clocks) perDate.set(c.date, (perDate.get(c.date) ?? 0) + 1);
  const seen = new Map<string, number>();
  return clocks.map((c) => {
    const label = (perDate.get(c.date) ?? 0) > 1 ? `${c.date} ${c.time}` : c.date;
    const n = (seen.get(label) ?? 0) + 1;
    seen.set(label, n);
    return n > 1 ? `${label} (${n})` : label;
  });
}
