import { toSql } from 'pgvector';
import type { Queryable } from '../db';

export interface NewFace {
  embedding: Float32Array;
  quality: number;
  detectionScore: number;
  faceWidth: number;
  crop: Buffer | null;
}

export interface Neighbour {
  /** Index of the query face in the batch. */
  face: number;
  studentId: string;
  similarity: number;
}

const vec = (e: Float32Array) => toSql(Array.from(e));

export const facesRepo = {
  async insert(q: Queryable, studentPk: string, f: NewFace): Promise<void> {
    await q.query(
      `INSERT INTO face_embeddings (student_pk, embedding, quality, detection_score, face_width, crop)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [studentPk, vec(f.embedding), f.quality, f.detectionScore, f.faceWidth, f.crop],
    );
  },

  async deleteForStudent(q: Queryable, studentPk: string): Promise<number> {
    const rows = await q.query('DELETE FROM face_embeddings WHERE student_pk = $1 RETURNING id', [studentPk]);
    return rows.length;
  },

  /**
   * The k nearest enrolled embeddings of each query face by cosine distance, in one round trip.
   * Without a class: the HNSW index over every embedding. With a class: an exact scan of the
   * class's own embeddings (a few hundred rows), because filtering an approximate index scan by
   * class can silently drop the right student.
   */
  async nearest(q: Queryable, faces: Float32Array[], k: number, classId: string | null): Promise<Neighbour[]> {
    if (faces.length === 0) return [];
    // A vector[] literal built here: the two drivers serialise JS arrays of strings differently.
    const params: unknown[] = [`{${faces.map((f) => `"${vec(f)}"`).join(',')}}`, k];
    let pool = 'face_embeddings';
    let cte = '';
    if (classId) {
      // MATERIALIZED: the class's embeddings are read once, not once per face.
      cte = `WITH pool AS MATERIALIZED (
               SELECT e.student_pk, e.embedding FROM face_embeddings e
               JOIN class_members m ON m.student_pk = e.student_pk AND m.class_id = $3) `;
      pool = 'pool';
      params.push(classId);
    }
    return q.query<Neighbour>(
      `${cte}SELECT (f.i - 1)::int AS face, s.student_id AS "studentId", (1 - n.d)::float8 AS similarity
       FROM unnest($1::vector[]) WITH ORDINALITY AS f(v, i)
       CROSS JOIN LATERAL (
         SELECT p.student_pk, p.embedding <=> f.v AS d FROM ${pool} p
         ORDER BY p.embedding <=> f.v LIMIT $2
       ) n
       JOIN students s ON s.id = n.student_pk
       ORDER BY f.i, n.d`,
      params,
    );
  },
};
