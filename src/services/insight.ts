import type { Db } from '../store/db';
import { sessionsRepo } from '../store/repos/sessions';
import { AppError } from '../errors';
import { attendanceStats } from '../roster/attendance-stats';
import type { ClassesService } from './classes';
import type { SessionsService } from './sessions';
import type { StudentsService } from './students';

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 24 * 3600 * 1000;

/**
 * `from`/`to` query values: an ISO date (a whole UTC day, `to` included) or date-time. Returns the
 * instant range [from, to) in milliseconds.
 */
export function dateRange(from: unknown, to: unknown): { from: number; to: number } {
  const parse = (v: unknown, field: string, end: boolean): number => {
    if (v === undefined || v === '') return end ? Infinity : -Infinity;
    const ms = typeof v === 'string' ? Date.parse(v) : NaN;
    if (!Number.isFinite(ms)) {
      throw new AppError(400, 'validation_error', `"${field}" must be a date (2026-09-01) or date-time`, [{ field, problem: 'format' }]);
    }
    return end && DATE_ONLY.test(v as string) ? ms + DAY_MS : ms;
  };
  const r = { from: parse(from, 'from', false), to: parse(to, 'to', true) };
  if (r.from >= r.to) throw new AppError(400, 'validation_error', '"from" must come before "to"', [{ field: 'from', problem: 'range' }]);
  return r;
}

/** Attendance rates for a class's insight page and for one student, from the export's own matrix. */
export class InsightService {
  constructor(
    private readonly db: Db,
    private readonly classes: ClassesService,
    private readonly sessions: SessionsService,
    private readonly students: StudentsService,
  ) {}

  async classStats(classIdOrCode: string, from: unknown, to: unknown) {
    const range = dateRange(from, to);
    const cls = await this.classes.get(classIdOrCode);
    const m = await this.sessions.matrix(cls.id);
    const keep = m.sessions.map((s) => s.takenAt.getTime() >= range.from && s.takenAt.getTime() < range.to);
    const sessions = m.sessions.filter((_, i) => keep[i]);
    const students = m.students.map((st) => ({ ...st, statuses: st.statuses.filter((_, i) => keep[i]) }));
    return { class_id: cls.id, code: m.classCode, name: m.className, ...attendanceStats(sessions, students) };
  }

  /** The student's attendance in every class they have records in. */
  async studentAttendance(studentId: string) {
    const st = await this.students.get(studentId);
    const rows = await sessionsRepo.studentRecords(this.db, st.id);
    const classes = [...new Set(rows.map((r) => r.class_id))].map((classId) => {
      const mine = rows.filter((r) => r.class_id === classId);
      const stats = attendanceStats(
        mine.map((r) => ({ id: r.session_id, takenAt: r.taken_at, unknownFaces: 0 })),
        [{ studentId: st.student_id, name: st.name, statuses: mine.map((r) => r.status) }],
      ).students[0];
      const { student_id: _, name: __, statuses: ___, ...totals } = stats;
      return {
        class_id: classId,
        code: mine[0].code,
        name: mine[0].class_name,
        ...totals,
        records: mine.map((r) => ({ session_id: r.session_id, taken_at: r.taken_at, status: r.status, source: r.source })),
      };
    });
    return { student_id: st.student_id, name: st.name, classes };
  }
}
