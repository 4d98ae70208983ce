import type { Queryable } from '../db';
import { CONSENT_COLUMNS, CONSENT_JOIN, type ConsentColumns } from './consent';

export interface ClassRow {
  id: string;
  code: string;
  name: string;
  match_threshold: number | null;
  created_at: Date;
}

export interface RosterStudent extends ConsentColumns {
  pk: string;
  student_id: string;
  name: string;
  email: string | null;
  faces: number;
}

export const classesRepo = {
  async insert(q: Queryable, code: string, name: string, matchThreshold: number | null): Promise<ClassRow | null> {
    const rows = await q.query<ClassRow>(
      `INSERT INTO classes (code, name, match_threshold) VALUES ($1, $2, $3)
       ON CONFLICT (code) DO NOTHING RETURNING *`,
      [code, name, matchThreshold],
    );
    return rows[0] ?? null;
  },

  /** Every class, or those the teacher `teacherId` is assigned to. */
  async list(q: Queryable, teacherId: string | null = null): Promise<(ClassRow & { students: number })[]> {
    return q.query(
      `SELECT c.*, (SELECT count(*)::int FROM class_members m WHERE m.class_id = c.id) AS students
       FROM classes c
       WHERE $1::uuid IS NULL OR EXISTS (SELECT 1 FROM class_teachers t WHERE t.class_id = c.id AND t.user_id = $1::uuid)
       ORDER BY c.code`,
      [teacherId],
    );
  },

  async get(q: Queryable, id: string): Promise<(ClassRow & { students: number }) | null> {
    const rows = await q.query<ClassRow & { students: number }>(
      `SELECT c.*, (SELECT count(*)::int FROM class_members m WHERE m.class_id = c.id) AS students
       FROM classes c WHERE c.id::text = $1 OR c.code = $1`,
      [id],
    );
    return rows[0] ?? null;
  },

  async roster(q: Queryable, classId: string): Promise<RosterStudent[]> {
    return q.query(
      `SELECT s.id AS pk, s.student_id, s.name, s.email, ${CONSENT_COLUMNS},
              (SELECT count(*)::int FROM face_embeddings e WHERE e.student_pk = s.id) AS faces
       FROM class_members m JOIN students s ON s.id = m.student_pk ${CONSENT_JOIN}
       WHERE m.class_id = $1 ORDER BY s.student_id`,
      [classId],
    );
  },

  async isMember(q: Queryable, classId: string, studentPk: string): Promise<boolean> {
    const rows = await q.query('SELECT 1 FROM class_members WHERE class_id = $1 AND student_pk = $2', [classId, studentPk]);
    return rows.length > 0;
  },

  async addMembers(q: Queryable, classId: string, studentPks: string[]): Promise<void> {
    if (studentPks.length === 0) return;
    await q.query(
      `INSERT INTO class_members (class_id, student_pk) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING`,
      [classId, studentPks],
    );
  },

  async removeMembers(q: Queryable, classId: string, studentPks: string[]): Promise<void> {
    if (studentPks.length === 0) return;
    await q.query('DELETE FROM class_members WHERE class_id = $1 AND student_pk = ANY($2::uuid[])', [classId, studentPks]);
  },
};
