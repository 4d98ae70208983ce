import type { Queryable } from '../db';

export type Status = 'present' | 'absent' | 'late' | 'excused';

export interface SessionRow {
  id: string;
  class_id: string;
  taken_at: Date;
  unknown_faces: number;
  created_by: string | null;
}

export interface AttendanceRow {
  student_pk: string;
  student_id: string;
  name: string;
  status: Status;
  similarity: number | null;
  source: 'auto' | 'manual';
  note: string | null;
  updated_at: Date;
  /** Has enrolled faces now (the camera could have seen them). */
  enrolled: boolean;
}

export interface NewPhoto {
  sha256: string;
  photo: Buffer | null;
  width: number;
  height: number;
  faceCount: number;
  unknownFaces: number;
  timings: Record<string, number>;
}

export interface NewDetection {
  x: number;
  y: number;
  width: number;
  height: number;
  score: number;
  status: 'matched' | 'unknown' | 'ambiguous';
  studentId: string | null;
  similarity: number | null;
}

export const sessionsRepo = {
  async create(q: Queryable, classId: string, createdBy: string): Promise<SessionRow> {
    const [row] = await q.query<SessionRow>(
      'INSERT INTO attendance_sessions (class_id, created_by) VALUES ($1, $2) RETURNING *',
      [classId, createdBy],
    );
    return row;
  },

  async get(q: Queryable, id: string): Promise<SessionRow | null> {
    // A malformed id is simply "not found", not a database error.
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    const rows = await q.query<SessionRow>('SELECT * FROM attendance_sessions WHERE id = $1', [id]);
    return rows[0] ?? null;
  },

  /** Serialises concurrent additions of photos to one session. */
  async lock(q: Queryable, id: string): Promise<void> {
    await q.query('SELECT 1 FROM attendance_sessions WHERE id = $1 FOR UPDATE', [id]);
  },

  async listForClass(q: Queryable, classId: string) {
    return q.query<{ id: string; taken_at: Date; unknown_faces: number; present: number; absent: number; photos: number }>(
      `SELECT s.id, s.taken_at, s.unknown_faces,
              count(*) FILTER (WHERE r.status IN ('present', 'late'))::int AS present,
              count(*) FILTER (WHERE r.status = 'absent')::int AS absent,
              (SELECT count(*)::int FROM session_photos p WHERE p.session_id = s.id) AS photos
       FROM attendance_sessions s LEFT JOIN attendance_records r ON r.session_id = s.id
       WHERE s.class_id = $1 GROUP BY s.id ORDER BY s.taken_at, s.id`,
      [classId],
    );
  },

  async addPhoto(q: Queryable, sessionId: string, p: NewPhoto): Promise<string> {
    const [row] = await q.query<{ id: string }>(
      `INSERT INTO session_photos (session_id, sha256, photo, width, height, face_count, unknown_faces, timings_ms)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
      [sessionId, p.sha256, p.photo, p.width, p.height, p.faceCount, p.unknownFaces, JSON.stringify(p.timings)],
    );
    await q.query(
      `UPDATE attendance_sessions SET unknown_faces =
         (SELECT coalesce(sum(unknown_faces), 0)::int FROM session_photos WHERE session_id = $1) WHERE id = $1`,
      [sessionId],
    );
    return row.id;
  },

  async photos(q: Queryable, sessionId: string) {
    return q.query<{ id: string; sha256: string; width: number; height: number; face_count: number; unknown_faces: number; timings_ms: unknown; created_at: Date }>(
      `SELECT id, sha256, width, height, face_count, unknown_faces, timings_ms, created_at
       FROM session_photos WHERE session_id = $1 ORDER BY created_at, id`,
      [sessionId],
    );
  },

  async addDetections(q: Queryable, photoId: string, dets: NewDetection[]): Promise<void> {
    if (dets.length === 0) return;
    await q.query(
      `INSERT INTO detections (photo_id, x, y, width, height, detection_score, status, student_pk, similarity)
       SELECT $1, d.x, d.y, d.width, d.height, d.score, d.status, s.id, d.similarity
       FROM jsonb_to_recordset($2::jsonb) AS d(x int, y int, width int, height int, score real, status text, "studentId" text, similarity real)
       LEFT JOIN students s ON s.student_id = d."studentId"`,
      [photoId, JSON.stringify(dets)],
    );
  },

  /** Every roster student starts absent; recognition then marks who was seen. */
  async initRecords(q: Queryable, sessionId: string, classId: string): Promise<void> {
    await q.query(
      `INSERT INTO attendance_records (session_id, student_pk, status, source)
       SELECT $1, m.student_pk, 'absent', 'auto' FROM class_members m WHERE m.class_id = $2`,
      [sessionId, classId],
    );
  },

  /**
   * Marks students seen in a photo present, keeping the best similarity over all photos.
   * Manual corrections are the teacher's word and are never overwritten by a later photo.
   */
  async markSeen(q: Queryable, sessionId: string, photoId: string, seen: { studentId: string; similarity: number }[]): Promise<void> {
    if (seen.length === 0) return;
    await q.query(
      `UPDATE attendance_records r SET
         status = CASE WHEN r.source = 'manual' THEN r.status ELSE 'present' END,
         similarity = GREATEST(coalesce(r.similarity, 0), v.similarity),
         photo_id = CASE WHEN v.similarity > coalesce(r.similarity, 0) THEN $2::uuid ELSE r.photo_id END,
         updated_at = now()
       FROM jsonb_to_recordset($3::jsonb) AS v("studentId" text, similarity real)
       JOIN students s ON s.student_id = v."studentId"
       WHERE r.session_id = $1 AND r.student_pk = s.id`,
      [sessionId, photoId, JSON.stringify(seen)],
    );
  },

  async attendance(q: Queryable, sessionId: string): Promise<AttendanceRow[]> {
    return q.query(
      `SELECT r.student_pk, s.student_id, s.name, r.status, r.similarity, r.source, r.note, r.updated_at,
              EXISTS (SELECT 1 FROM face_embeddings e WHERE e.student_pk = s.id) AS enrolled
       FROM attendance_records r JOIN students s ON s.id = r.student_pk
       WHERE r.session_id = $1 ORDER BY s.student_id`,
      [sessionId],
    );
  },

  async setStatus(q: Queryable, sessionId: string, studentPk: string, status: Status, note: string | null): Promise<void> {
    await q.query(
      `UPDATE attendance_records SET status = $3, note = $4, source = 'manual', updated_at = now()
       WHERE session_id = $1 AND student_pk = $2`,
      [sessionId, studentPk, status, note],
    );
  },

  /** Deletes sessions taken more than `days` ago (records, photos and detections cascade). */
  async deleteOlderThan(q: Queryable, days: number): Promise<number> {
    const rows = await q.query('DELETE FROM attendance_sessions WHERE taken_at < now() - make_interval(days => $1) RETURNING id', [days]);
    return rows.length;
  },

  /** Blanks stored photo bytes older than `days`; the photo's hash, size and detections stay. */
  async blankPhotosOlderThan(q: Queryable, days: number): Promise<number> {
    const rows = await q.query(
      'UPDATE session_photos SET photo = NULL WHERE photo IS NOT NULL AND created_at < now() - make_interval(days => $1) RETURNING id',
      [days],
    );
    return rows.length;
  },

  /** Every session of a class with each roster student's status (null = not on the roster then). */
  async matrix(q: Queryable, classId: string) {
    return q.query<{ session_id: string; student_id: string; status: Status }>(
      `SELECT r.session_id, s.student_id, r.status
       FROM attendance_records r JOIN attendance_sessions a ON a.id = r.session_id
       JOIN students s ON s.id = r.student_pk WHERE a.class_id = $1`,
      [classId],
    );
  },
};
