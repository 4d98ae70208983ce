import type { Queryable } from '../db';

/** Everything stored about one student, read for a subject-access export (GDPR art. 15). */
export const subjectAccessRepo = {
  async classes(q: Queryable, studentPk: string) {
    return q.query<{ class_id: string; code: string; name: string; added_at: Date }>(
      `SELECT c.id AS class_id, c.code, c.name, m.added_at
       FROM class_members m JOIN classes c ON c.id = m.class_id WHERE m.student_pk = $1 ORDER BY c.code`,
      [studentPk],
    );
  },

  async attendance(q: Queryable, studentPk: string) {
    return q.query<{ session_id: string; class_code: string; taken_at: Date; status: string; similarity: number | null; source: string; photo_id: string | null; note: string | null; updated_at: Date }>(
      `SELECT r.session_id, c.code AS class_code, a.taken_at, r.status, r.similarity, r.source, r.photo_id, r.note, r.updated_at
       FROM attendance_records r JOIN attendance_sessions a ON a.id = r.session_id JOIN classes c ON c.id = a.class_id
       WHERE r.student_pk = $1 ORDER BY a.taken_at, r.session_id`,
      [studentPk],
    );
  },

  /** Where the student's face was found in recorded photos (boxes only: no pixels are kept here). */
  async detections(q: Queryable, studentPk: string) {
    return q.query<{ id: string; session_id: string; photo_id: string; x: number; y: number; width: number; height: number; detection_score: number; status: string; similarity: number | null }>(
      `SELECT d.id::text, p.session_id, d.photo_id, d.x, d.y, d.width, d.height, d.detection_score, d.status, d.similarity
       FROM detections d JOIN session_photos p ON p.id = d.photo_id WHERE d.student_pk = $1 ORDER BY d.id`,
      [studentPk],
    );
  },

  /** Enrolled faces with their embeddings (as '[x,y,…]' text, the same on both backends) and crops. */
  async faces(q: Queryable, studentPk: string) {
    return q.query<{ id: string; created_at: Date; quality: number; detection_score: number; face_width: number; embedding: string; crop: Uint8Array | null }>(
      `SELECT id::text, created_at, quality, detection_score, face_width, embedding::text AS embedding, crop
       FROM face_embeddings WHERE student_pk = $1 ORDER BY id`,
      [studentPk],
    );
  },

  /** Audit rows about the student (consent, erasures) and about their attendance (corrections). */
  async audit(q: Queryable, studentId: string) {
    return q.query<{ id: string; at: Date; actor: string; action: string; entity: string; entity_id: string; before: unknown; after: unknown; note: string | null }>(
      `SELECT id::text, at, actor, action, entity, entity_id, before, after, note FROM audit_log
       WHERE (entity = 'student' AND entity_id = $1) OR (entity = 'attendance' AND after->>'student_id' = $1)
       ORDER BY id`,
      [studentId],
    );
  },
};
