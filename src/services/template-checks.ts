import type { Queryable } from '../store/db';
import { facesRepo } from '../store/repos/faces';
import { aggregateCandidates, type Candidate } from '../matching/aggregate';

/**
 * The checks a face passes before it becomes one of a student's templates, shared by enrolment
 * photos and faces a teacher names in review, so both are held to the same bar.
 */

export interface TemplateProblem {
  reason: string;
  message: string;
}

/**
 * Size and quality: at least `minWidth` pixels wide and no hard quality failure. 'small' is left
 * to the width check, since it may have been computed against another minimum (recognition's).
 */
export function templateProblem(width: number, reasons: readonly string[], minWidth: number): TemplateProblem | null {
  if (width < minWidth) {
    return { reason: 'face_too_small', message: `the face is ${Math.round(width)} px wide; at least ${minWidth} px is needed` };
  }
  const hard = reasons.filter((r) => r !== 'small');
  if (hard.length > 0) return { reason: 'low_quality', message: `the face is not clear enough: ${hard.join(', ')}` };
  return null;
}

/**
 * The look-alike guard: the best OTHER student this face matches at or above `threshold`, if any.
 * A mislabelled face would otherwise later name the wrong student.
 */
export async function lookAlike(q: Queryable, embedding: Float32Array, studentId: string, threshold: number): Promise<Candidate | null> {
  const near = await facesRepo.nearest(q, [embedding], 10, null);
  const other = aggregateCandidates(near.filter((n) => n.studentId !== studentId), 1)[0];
  return other && other.similarity >= threshold ? other : null;
}

export const lookAlikeMessage = (other: Candidate, studentId: string, override: string): string =>
  `this face matches student ${other.studentId} (similarity ${other.similarity.toFixed(2)}); check the photo, or ${override} if it really is ${studentId}`;
