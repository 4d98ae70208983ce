import type { Queryable } from '../db';
import { vectorParam } from '../vector-param';

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
  source: 'auto' | 'manual' | 'review';
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
  quality: number;
  qualityReasons: string[];
  candidates: { student_id: string; similarity: number }[];
  /** Kept only for unnamed faces, for a review to learn from (REVIEW_RETENTION_DAYS). */
  embedding: Float32Array | null;
}

export interface DetectionRow {
  id: string;
  photo_id: string;
  x: number;
  y: number;
  width: number;
  height: number;
  status: 'matched' | 'unknown' | 'ambiguous';
  student_pk: string | null;
  student_id: string | null;
  name: string | null;
  detection_score: number;
  similarity: number | null;
  quality: number | null;
  quality_reasons: string[];
  candidates: { student_id: string; similarity: number }[];
  review: 'assigned' | 'dismissed' | null;
  reviewed_by: string | null;
  reviewed_at: Date | null;
  has_embedding: boolean;
}

const DETECTION_COLUMNS = `d.id::text AS id, d.photo_id, d.x, d.y, d.width, d.height, d.status, d.student_pk, s.student_id, s.name,
  d.detection_score, d.similarity, d.quality, d.quality_reasons, d.candidates, d.review, d.reviewed_by, d.reviewed_at, d.embedding IS NOT NULL AS has_embedding`;

/** A session's unknown faces: the sum over its photos. */
async function sumUnknownFaces(q: Queryable, sessionId: string): Promise<void> {
  await q.query(
    `UPDATE attendance_sessions SET unknown_faces =
       (SELECT coalesce(sum(unknown_faces), 0)::int FROM session_photos WHERE session_id = $1) WHERE id = $1`,
    [sessionId],
  );
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
    await sumUnknownFaces(q, sessionId);
    return row.id;
  },

  async photos(q: Queryable, sessionId: string) {
    return q.query<{ id: string; sha256: string; width: number; height: number; face_count: number; unknown_faces: number; timings_ms: unknown; created_at: Date; stored: boolean }>(
      `SELECT id, sha256, width, height, face_count, unknown_faces, timings_ms, created_at, photo IS NOT NULL AS stored
       FROM session_photos WHERE session_id = $1 ORDER BY created_at, id`,
      [sessionId],
    );
  },

  /** The stored bytes of a session's photo (STORE_PHOTOS=true), or null. */
  async photoBytes(q: Queryable, sessionId: string, photoId: string): Promise<Buffer | null> {
    if (!/^[0-9a-f-]{36}$/i.test(photoId)) return null;
    const rows = await q.query<{ photo: Buffer | Uint8Array | null }>('SELECT photo FROM session_photos WHERE id = $1 AND session_id = $2', [photoId, sessionId]);
    const bytes = rows[0]?.photo;
    return bytes ? Buffer.from(bytes) : null;
  },

  async addDetections(q: Queryable, photoId: string, dets: NewDetection[]): Promise<void> {
    if (dets.length === 0) return;
    // Ordered, so the ids (a sequence) come out in the order of `dets`.
    const rows = await q.query<{ id: string }>(
      `INSERT INTO detections (photo_id, x, y, width, height, detection_score, status, student_pk, similarity, quality, quality_reasons, candidates)
       SELECT $1, d.x, d.y, d.width, d.height, d.score, d.status, s.id, d.similarity, d.quality,
              ARRAY(SELECT jsonb_array_elements_text(d."qualityReasons")), d.candidates
       FROM jsonb_to_recordset($2::jsonb) AS d(x int, y int, width int, height int, score real, status text,
              "studentId" text, similarity real, quality real, "qualityReasons" jsonb, candidates jsonb, i bigint)
       LEFT JOIN students s ON s.student_id = d."studentId"
       ORDER BY d.i
       RETURNING id`,
      [photoId, JSON.stringify(dets.map(({ embedding: _, ...d }, i) => ({ ...d, i })))],
    );
    const ids = rows.map((r) => BigInt(r.id)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    // Binary vector parameters cannot travel inside the JSON: one update per kept embedding (unnamed faces only).
    for (const [i, d] of dets.entries()) {
      if (d.embedding) await q.query('UPDATE detections SET embedding = $2 WHERE id = $1', [String(ids[i]), vectorParam(d.embedding)]);
    }
  },

  async detections(q: Queryable, sessionId: string): Promise<DetectionRow[]> {
    return q.query<DetectionRow>(
      `SELECT ${DETECTION_COLUMNS} FROM detections d JOIN session_photos p ON p.id = d.photo_id
       LEFT JOIN students s ON s.id = d.student_pk
       WHERE p.session_id = $1 ORDER BY p.created_at, p.id, d.id`,
      [sessionId],
    );
  },

  /** One detection with its session, or null (a malformed id is simply not found). */
  async detection(q: Queryable, id: string): Promise<(DetectionRow & { session_id: string; embedding: string | null }) | null> {
    if (!/^\d{1,18}$/.test(id)) return null;
    const rows = await q.query<DetectionRow & { session_id: string; embedding: string | null }>(
      `SELECT ${DETECTION_COLUMNS}, p.session_id, d.embedding::text AS embedding
       FROM detections d JOIN session_photos p ON p.id = d.photo_id
       LEFT JOIN students s ON s.id = d.student_pk WHERE d.id = $1 FOR UPDATE OF d`,
      [id],
    );
    return rows[0] ?? null;
  },

  /** The detection of `photoId` already naming the student, other than `exceptId`. */
  async namedOnPhoto(q: Queryable, photoId: string, studentPk: string, exceptId: string): Promise<string | null> {
    const rows = await q.query<{ id: string }>('SELECT id::text FROM detections WHERE photo_id = $1 AND student_pk = $2 AND id <> $3', [photoId, studentPk, exceptId]);
    return rows[0]?.id ?? null;
  },

  /**
   * Records a teacher's review; the embedding is erased, its purpose served. The face no longer
   * counts among its photo's and session's unknown faces.
   */
  async review(q: Queryable, id: string, r: { review: 'assigned' | 'dismissed'; studentPk: string | null; actor: string }): Promise<void> {
    const [{ photo_id: photoId }] = await q.query<{ photo_id: string }>(
      `UPDATE detections SET review = $2, student_pk = coalesce($3, student_pk), reviewed_by = $4, reviewed_at = now(), embedding = NULL
       WHERE id = $1 RETURNING photo_id`,
      [id, r.review, r.studentPk, r.actor],
    );
    const [{ session_id: sessionId }] = await q.query<{ session_id: string }>(
      'UPDATE session_photos SET unknown_faces = greatest(0, unknown_faces - 1) WHERE id = $1 RETURNING session_id',
      [photoId],
    );
    await sumUnknownFaces(q, sessionId);
  },

  /** A reviewed face's student is present (source review), whatever was recorded before. */
  async markReviewed(q: Queryable, sessionId: string, studentPk: string, photoId: string, similarity: number | null): Promise<void> {
    await q.query(
      `INSERT INTO attendance_records (session_id, student_pk, status, similarity, source, photo_id)
       VALUES ($1, $2, 'present', $3, 'review', $4)
       ON CONFLICT (session_id, student_pk) DO UPDATE SET status = 'present', similarity = EXCLUDED.similarity,
         source = 'review', photo_id = EXCLUDED.photo_id, updated_at = now()`,
      [sessionId, studentPk, similarity, photoId],
    );
  },

  /** Erases the embeddings of faces recorded more than `days` ago (0: all of them). */
  async eraseDetectionEmbeddingsOlderThan(q: Queryable, days: number): Promise<number> {
    const rows = await q.query(
      `UPDATE detections d SET embedding = NULL FROM session_photos p
       WHERE p.id = d.photo_id AND d.embedding IS NOT NULL AND p.created_at <= now() - make_interval(days => $1) RETURNING d.id`,
      [days],
    );
    return rows.length;
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

  /** Every attendance record of one student, with its session and class. */
  async studentRecords(q: Queryable, studentPk: string) {
    return q.query<{ class_id: string; code: string; class_name: string; session_id: string; taken_at: Date; status: Status; source: string }>(
      `SELECT c.id AS class_id, c.code, c.name AS class_name, a.id AS session_id, a.taken_at, r.status, r.source
       FROM attendance_records r JOIN attendance_sessions a ON a.id = r.session_id JOIN classes c ON c.id = a.class_id
       WHERE r.student_pk = $1 ORDER BY c.code, a.taken_at, a.id`,
      [studentPk],
    );
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
