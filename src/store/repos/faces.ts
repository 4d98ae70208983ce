import type { Queryable } from '../db';
import { vectorParam } from '../vector-param';

export interface NewFace {
  embedding: Float32Array;
  quality: number;
  detectionScore: number;
  faceWidth: number;
  crop: Buffer | null;
  /** 'review': learnt from a teacher naming a face in a classroom photo (docs/review.md). */
  source?: 'enrolment' | 'review';
}

export interface Neighbour {
  /** Index of the query face in the batch. */
  face: number;
  studentId: string;
  similarity: number;
}

export const facesRepo = {
  async insert(q: Queryable, studentPk: string, f: NewFace): Promise<void> {
    await q.query(
      `INSERT INTO face_embeddings (student_pk, embedding, quality, detection_score, face_width, crop, source)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [studentPk, vectorParam(f.embedding), f.quality, f.detectionScore, f.faceWidth, f.crop, f.source ?? 'enrolment'],
    );
  },

  /**
   * Keeps at most `max` templates for the student: those learnt from reviews go first, oldest
   * first, then the oldest enrolled ones. Returns how many were dropped.
   */
  async trim(q: Queryable, studentPk: string, max: number): Promise<number> {
    const rows = await q.query(
      `DELETE FROM face_embeddings WHERE id IN (
         SELECT id FROM face_embeddings WHERE student_pk = $1
         ORDER BY (source = 'review') DESC, created_at, id
         LIMIT greatest(0, (SELECT count(*) FROM face_embeddings WHERE student_pk = $1) - $2))
       RETURNING id`,
      [studentPk, max],
    );
    return rows.length;
  },

  async deleteForStudent(q: Queryable, studentPk: string): Promise<number> {
    const rows = await q.query('DELETE FROM face_embeddings WHERE student_pk = $1 RETURNING id', [studentPk]);
    return rows.length;
  },

  /**
   * The k nearest enrolled embeddings of each query face by cosine distance. Without a class: the
   * HNSW index over a 128-d key of the embedding (migration 003) proposes SEARCH_CANDIDATES
   * embeddings per face, which are then ranked by their exact cosine. With a class: an exact scan
   * of the class's own embeddings (a few hundred rows), because filtering an approximate index
   * scan by class can silently drop the right student. The faces are split across up to
   * SEARCH_LANES queries that a pool runs at once on separate server processes; a
   * single-connection backend runs them in turn.
   */
  async nearest(q: Queryable, faces: Float32Array[], k: number, classId: string | null): Promise<Neighbour[]> {
    if (faces.length === 0) return [];
    const lanes = Math.min(q.parallelQueries, SEARCH_LANES, faces.length);
    const size = Math.ceil(faces.length / lanes);
    const batches: Promise<Neighbour[]>[] = [];
    for (let first = 0; first < faces.length; first += size) {
      batches.push(nearestBatch(q, faces.slice(first, first + size), first, k, classId));
    }
    return (await Promise.all(batches)).flat();
  },
};

/**
 * Candidates per face from the index: hnsw.ef_search's default, so the index scan returns its
 * whole candidate list. bench:api counts how often a planted match is missed against an exact scan.
 */
const SEARCH_CANDIDATES = 40;

/** The 128-d search key of a 512-d embedding, exactly as face_embeddings_hnsw indexes it (migration 003). */
const searchKey = (v: string) =>
  `(subvector(${v}, 1, 128) + subvector(${v}, 129, 128) + subvector(${v}, 257, 128) + subvector(${v}, 385, 128))::vector(128)`;

/** Enough lanes to use a few server cores for one photo, few enough to leave the pool to other requests. */
const SEARCH_LANES = 4;

/** nearest() for faces[first…], in one round trip; `face` counts from `first`. */
function nearestBatch(q: Queryable, faces: Float32Array[], first: number, k: number, classId: string | null): Promise<Neighbour[]> {
  const params: unknown[] = [k, first, ...faces.map(vectorParam)];
  const queries = faces.map((_, i) => `$${i + 3}::vector`).join(', ');
  let cte = '';
  let pool: string;
  if (classId) {
    params.push(classId);
    // MATERIALIZED: the class's embeddings are read once, not once per face.
    cte = `WITH pool AS MATERIALIZED (
             SELECT e.student_pk, e.embedding FROM face_embeddings e
             JOIN class_members m ON m.student_pk = e.student_pk AND m.class_id = $${params.length}) `;
    pool = 'pool';
  } else {
    pool = `(SELECT e.student_pk, e.embedding FROM face_embeddings e
             ORDER BY ${searchKey('e.embedding')} <=> ${searchKey('f.v')} LIMIT ${SEARCH_CANDIDATES})`;
  }
  return q.query<Neighbour>(
    `${cte}SELECT ($2::int + f.i - 1)::int AS face, s.student_id AS "studentId", (1 - n.d)::float8 AS similarity
     FROM unnest(ARRAY[${queries}]) WITH ORDINALITY AS f(v, i)
     CROSS JOIN LATERAL (
       SELECT p.student_pk, p.embedding <=> f.v AS d FROM ${pool} p
       ORDER BY p.embedding <=> f.v LIMIT $1
     ) n
     JOIN students s ON s.id = n.student_pk
     ORDER BY f.i, n.d`,
    params,
  );
}
