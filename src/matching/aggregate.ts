/** An enrolled student as a possible identity for one face; similarity is 1 − pgvector cosine distance. */
export interface Candidate {
  studentId: string;
  similarity: number;
}

/**
 * Collapses a face's nearest enrolled embeddings into one candidate per student, best first, at most k.
 *
 * Students are enrolled with several embeddings, so a face's neighbours repeat students. Left as they
 * are, a student's second photo would look like a close rival of the same student and make an easy
 * face "ambiguous". The student's best embedding speaks for them (max, not mean): one enrolment photo
 * that matches well is the evidence, and poorer photos of the same person are not evidence against it.
 * Non-finite similarities cannot be compared, so they are dropped rather than allowed to name anyone.
 * Ties are ordered by studentId so that the same input always gives the same output.
 */
export function aggregateCandidates(neighbours: readonly Candidate[], k: number): Candidate[] {
  const best = new Map<string, number>();
  for (const { studentId, similarity } of neighbours) {
    if (!Number.isFinite(similarity)) continue;
    const seen = best.get(studentId);
    if (seen === undefined || similarity > seen) best.set(studentId, similarity);
  }
  return [...best]
    .map(([studentId, similarity]) => ({ studentId, similarity }))
    .sort((a, b) => b.similarity - a.similarity || byId(a.studentId, b.studentId))
    .slice(0, Math.max(0, k));
}

const byId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
