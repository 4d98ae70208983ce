import { attendanceStats, CHRONIC_ABSENCE_RATE } from '../../src/roster/attendance-stats';
import type { MatrixSession, MatrixStudent } from '../../src/roster/types';

const sessions: MatrixSession[] = [
  { id: 's1', takenAt: new Date('2026-11-23T08:00:00Z'), unknownFaces: 0 },
  { id: 's2', takenAt: new Date('2026-11-24T08:00:00Z'), unknownFaces: 1 },
  { id: 's3', takenAt: new Date('2026-11-25T08:00:00Z'), unknownFaces: 0 },
];
const students: MatrixStudent[] = [
  { studentId: 'A', name: 'Always', statuses: ['present', 'late', 'present'] },
  { studentId: 'B', name: 'Often away', statuses: ['absent', 'present', 'excused'] },
  { studentId: 'C', name: 'Joined late', statuses: [null, null, 'present'] },
  { studentId: 'D', name: 'Never counted', statuses: [null, null, null] },
];

describe('attendanceStats', () => {
  const s = attendanceStats(sessions, students);

  test('per session: counts of each status over the students on the roster then, late counting as attended', () => {
    expect(s.sessions.map((x) => [x.id, x.present, x.late, x.absent, x.excused, x.students, x.rate])).toEqual([
      ['s1', 1, 0, 1, 0, 2, 0.5],
      ['s2', 1, 1, 0, 0, 2, 1],
      ['s3', 2, 0, 0, 1, 3, 0.6667],
    ]);
  });

  test('per student: rate over their own sessions; under 90% is chronically absent (excused absences count too); no sessions, no rate', () => {
    expect(s.students.map((x) => [x.student_id, x.sessions, x.rate, x.chronically_absent])).toEqual([
      ['A', 3, 1, false],
      ['B', 3, 0.3333, true],
      ['C', 1, 1, false],
      ['D', 0, null, false],
    ]);
    expect(CHRONIC_ABSENCE_RATE).toBe(0.9);
  });

  test('exactly 90% is not chronic; just under is', () => {
    const nine = Array.from({ length: 10 }, (_, i) => (i === 0 ? 'absent' : 'present') as 'absent' | 'present');
    const ten = Array.from({ length: 10 }, (_, i) => ({ id: `s${i}`, takenAt: new Date(i * 1000), unknownFaces: 0 }));
    const r = attendanceStats(ten, [
      { studentId: 'X', name: 'x', statuses: nine },
      { studentId: 'Y', name: 'y', statuses: nine.map((v, i) => (i === 1 ? 'excused' : v)) },
    ]);
    expect(r.students.map((x) => [x.rate, x.chronically_absent])).toEqual([[0.9, false], [0.8, true]]);
  });

  test('totals over every counted cell', () => {
    expect(s.totals).toEqual({ present: 4, late: 1, absent: 1, excused: 1, rate: 0.7143 });
  });
});
