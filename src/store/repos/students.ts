import type { Queryable } from '../db';
import { CONSENT_COLUMNS, CONSENT_JOIN, type ConsentColumns } from './consent';

export interface StudentRow {
  id: string;
  student_id: string;
  name: string;
  email: string | null;
}

export const studentsRepo = {
  async insert(q: Queryable, studentId: string, name: string, email: string | null): Promise<StudentRow | null> {
    const rows = await q.query<StudentRow>(
      `INSERT INTO students (student_id, name, email) VALUES ($1, $2, $3)
       ON CONFLICT (student_id) DO NOTHING RETURNING id, student_id, name, email`,
      [studentId, name, email],
    );
    return rows[0] ?? null;
  },

  async get(q: Queryable, studentId: string): Promise<(StudentRow & ConsentColumns & { faces: number; created_at: Date }) | null> {
    const rows = await q.query<StudentRow & ConsentColumns & { faces: number; created_at: Date }>(
      `SELECT s.id, s.student_id, s.name, s.email, s.created_at, ${CONSENT_COLUMNS},
              (SELECT count(*)::int FROM face_embeddings e WHERE e.student_pk = s.id) AS faces
       FROM students s ${CONSENT_JOIN} WHERE s.student_id = $1`,
      [studentId],
    );
    return rows[0] ?? null;
  },

  /** Serialises consent changes and enrolment of one student (see ConsentService). */
  async lock(q: Queryable, pk: string): Promise<void> {
    await q.query('SELECT 1 FROM students WHERE id = $1 FOR UPDATE', [pk]);
  },

  async byStudentIds(q: Queryable, ids: string[]): Promise<StudentRow[]> {
    if (ids.length === 0) return [];
    return q.query('SELECT id, student_id, name, email FROM students WHERE student_id = ANY($1::text[])', [ids]);
  },

  async update(q: Queryable, pk: string, name: string, email: string | null): Promise<void> {
    await q.query('UPDATE students SET name = $2, email = $3, updated_at = now() WHERE id = $1', [pk, name, email]);
  },

  /** Removes the student; embeddings, memberships and attendance go with them (ON DELETE CASCADE). */
  async delete(q: Queryable, pk: string): Promise<void> {
    await q.query('DELETE FROM students WHERE id = $1', [pk]);
  },
};
