import { attendanceRate, countStatuses, type Totals } from './matrix-table';
import type { AttendanceStatus, MatrixSession, MatrixStudent } from './types';

/**
 * Attendance insight from the same students × sessions matrix as the class export, counted by the
 * export's own functions, so the page's charts and the spreadsheet can never disagree.
 */

/** Under this share of their sessions attended, a student is chronically absent (the usual school definition: missing 10%). */
export const CHRONIC_ABSENCE_RATE = 0.9;

export interface SessionStats extends Totals {
  id: string;
  taken_at: Date;
  /** Students on the roster for the session. */
  students: number;
  /** (present + late) / students; null for a session with nobody on the roster. */
  rate: number | null;
}

export interface StudentStats extends Totals {
  student_id: string;
  name: string;
  /** Sessions the student was on the roster for. */
  sessions: number;
  rate: number | null;
  chronically_absent: boolean;
  /** One per session of the answer, same order; null = not on the roster then. */
  statuses: (AttendanceStatus | null)[];
}

export interface AttendanceStats {
  sessions: SessionStats[];
  students: StudentStats[];
  totals: Totals & { rate: number | null };
  chronic_absence_rate: number;
}

const round4 = (x: number | null) => (x === null ? null : Math.round(x * 10000) / 10000);
const counted = (t: Totals) => t.present + t.absent + t.late + t.excused;

export function attendanceStats(sessions: MatrixSession[], students: MatrixStudent[]): AttendanceStats {
  const perSession = sessions.map((s, i) => {
    const t = countStatuses(students.map((st) => st.statuses[i]));
    return { id: s.id, taken_at: s.takenAt, ...t, students: counted(t), rate: round4(attendanceRate(t)) };
  });
  const perStudent = students.map((st) => {
    const t = countStatuses(st.statuses);
    const rate = attendanceRate(t);
    return {
      student_id: st.studentId,
      name: st.name,
      ...t,
      sessions: counted(t),
      rate: round4(rate),
      chronically_absent: rate !== null && rate < CHRONIC_ABSENCE_RATE,
      statuses: st.statuses,
    };
  });
  const all = countStatuses(students.flatMap((st) => st.statuses));
  return { sessions: perSession, students: perStudent, totals: { ...all, rate: round4(attendanceRate(all)) }, chronic_absence_rate: CHRONIC_ABSENCE_RATE };
}
