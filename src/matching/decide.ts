import { aggregateCandidates, type Candidate } from './aggregate';
import { hungarian } from './assign';

export interface DecideOptions {
  /** Least similarity at which a student may be named for a face (eligible pair). */
  threshold: number;
  /** How far a named student must lead every rival, on its own face and on other faces. */
  margin: number;
}

export interface Decision {
  status: 'matched' | 'unknown' | 'ambiguous';
  /** Set only when matched. */
  studentId: string | null;
  /** The named student's similarity when matched, otherwise the best candidate's (null: no candidates). */
  similarity: number | null;
  /** This face's candidates, one per student, best first, for review. */
  candidates: Candidate[];
}

/**
 * Decides who is who in one photo. A wrong name marks an absent student present, while an unnamed
 * face only costs a teacher a glance, so every rule below errs towards not naming.
 *
 * A face is 'matched' to student S, with similarity a, only if all of these hold:
 *  1. Threshold: a ≥ threshold; below it the face is not similar enough to anyone to be named.
 *  2. Assignment: the photo-wide one-to-one assignment gave S to this face. It maximises total
 *     similarity over eligible pairs (≥ threshold), so no student goes to two faces and a face never
 *     receives a student it is not eligible for.
 *  3. Own margin: a − c ≥ margin for every other candidate of this face with similarity c, including
 *     candidates below the threshold (the threshold is a soft line: 0.41 against 0.39 is a coin toss)
 *     and candidates above a (a face the assignment pushed onto its second choice still has its first
 *     choice as a rival). The one exception is a candidate that is itself matched to another face: a
 *     student cannot be two faces, so an accounted-for student is no rival. This is what lets a
 *     second choice be named, and only when the first choice is confidently elsewhere.
 *  4. Uncontested: a − c ≥ margin for every other face's similarity c to S. When two faces look about
 *     equally like S the photo cannot say which one is S, so neither is named. This also makes the
 *     exception in rule 3 apply only when the other face is clearly the better S.
 * Rule 3 depends on which faces are matched, so the matched set is the largest consistent one: start
 * from every assigned face passing rule 4 and unmatch faces failing rule 3 until none does (unmatching
 * only adds rivals, so this ends). Rule 4 rules out circular excuses: following "my rival is matched
 * to that face" around a cycle, each step would need a strictly higher similarity than the last.
 *
 * Every other face is left unnamed:
 *  - 'unknown': no eligible candidate, or every eligible candidate is matched to another face (clearly
 *    more similar to it, by rule 4): the face resembles only students already accounted for. So a face
 *    that lost its only eligible student to a clearly better face is unknown.
 *  - 'ambiguous': some eligible candidate is not matched anywhere: plausibly that student, but not
 *    safely. This covers margin failures, assignments forced onto a second choice, and both faces of a
 *    near tie for one student (who is then named to neither).
 * Rivals outside a face's candidate list cannot be seen, so callers should pass enough per face (top k).
 */
export function decideFaces(faces: readonly (readonly Candidate[])[], opts: DecideOptions): Decision[] {
  const { threshold, margin } = opts;
  // threshold ≥ 0 keeps every eligible pair at least as good as no pair, which assignStudents relies on.
  if (!(Number.isFinite(threshold) && threshold >= 0 && Number.isFinite(margin) && margin >= 0)) {
    throw new RangeError('decideFaces: threshold and margin must be finite numbers ≥ 0');
  }
  const lists = faces.map((face) => aggregateCandidates(face, Infinity));
  const sims = lists.map((list) => new Map(list.map((c) => [c.studentId, c.similarity])));
  const assigned = assignStudents(sims, threshold);
  const matched = matchFaces(assigned, sims, margin);

  return lists.map((candidates, i): Decision => {
    const a = assigned[i];
    if (a && matched.get(a.studentId) === i) {
      return { status: 'matched', studentId: a.studentId, similarity: a.similarity, candidates };
    }
    const open = candidates.some((c) => c.similarity >= threshold && !matched.has(c.studentId));
    const status = open ? 'ambiguous' : 'unknown';
    return { status, studentId: null, similarity: candidates[0]?.similarity ?? null, candidates };
  });
}

/** Rule 2: per face, the student of the maximum-total-similarity one-to-one assignment, or null. */
function assignStudents(sims: Map<string, number>[], threshold: number): (Candidate | null)[] {
  const eligible = (face: Map<string, number>, studentId: string): number | null => {
    const s = face.get(studentId);
    return s !== undefined && s >= threshold ? s : null;
  };
  const students = [...new Set(sims.flatMap((face) => [...face.keys()].filter((s) => eligible(face, s) !== null)))];
  // An ineligible pair costs 0, the same as leaving the face out; an eligible one −similarity ≤ 0.
  // So the cheapest complete assignment, with ineligible pairs read back as "none", is the best
  // assignment of eligible pairs alone, and an ineligible pair is never handed out.
  const cost = sims.map((face) => students.map((s) => -(eligible(face, s) ?? 0)));
  return hungarian(cost).map((j, i) => {
    const similarity = j < 0 ? null : eligible(sims[i], students[j]);
    return similarity === null ? null : { studentId: students[j], similarity };
  });
}

/** Rules 3 and 4: the largest consistent set of assigned faces that may be named, as student → face. */
function matchFaces(assigned: (Candidate | null)[], sims: Map<string, number>[], margin: number): Map<string, number> {
  const leads = (a: number, rival: number | undefined): boolean => rival === undefined || a - rival >= margin;
  const matched = new Map<string, number>();
  assigned.forEach((a, i) => {
    if (a && sims.every((other, j) => j === i || leads(a.similarity, other.get(a.studentId)))) {
      matched.set(a.studentId, i);
    }
  });
  // Rule 3 until stable: unmatching a face makes its student a rival again on other faces.
  for (let changed = true; changed; ) {
    changed = false;
    for (const [i, a] of assigned.entries()) {
      if (!a || matched.get(a.studentId) !== i) continue;
      const clear = [...sims[i]].every(([s, c]) => s === a.studentId || matched.has(s) || leads(a.similarity, c));
      if (!clear) {
        matched.delete(a.studentId);
        changed = true;
      }
    }
  }
  return matched;
}
