import type { AttendanceStatus } from './types';

/** One letter per cell keeps a 200-session matrix readable. */
export const STATUS_LETTER: Record<AttendanceStatus, string> = { present: 'P', absent: 'A', late: 'L', excused: 'E' };

export const STATUS_LABEL: Record<AttendanceStatus, string> = {
  present: 'Present',
  absent: 'Absent',
  late: 'Late',
  excused: 'Excused',
};
