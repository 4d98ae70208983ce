import type { Config } from '../config';
import type { Db, Queryable } from '../store/db';
import { sessionsRepo, type DetectionRow } from '../store/repos/sessions';
import { studentsRepo } from '../store/repos/students';
import { classesRepo } from '../store/repos/classes';
import { facesRepo } from '../store/repos/faces';
import { auditRepo } from '../store/repos/audit';
import { AppError, conflict, notFound } from '../errors';
import { z } from 'zod';
import { flag, parseInput, studentId } from './validate';
import { lookAlike, lookAlikeMessage, templateProblem } from './template-checks';

/** What a teacher decided about one face: name it (and maybe learn from it), or dismiss it. */
export type ReviewDecision = { kind: 'assign'; studentId: string; learn: boolean } | { kind: 'dismiss' };

const Assign = z.object({ student_id: studentId, learn: flag });

/** The request body: `{"student_id", "learn"?}` or `{"dismiss": true}`. */
export function reviewDecision(body: unknown): ReviewDecision {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new AppError(400, 'validation_error', 'send {"student_id": "...", "learn": true|false} or {"dismiss": true}', [{ field: 'body', problem: 'type' }]);
  }
  const b = body as Record<string, unknown>;
  if (b.dismiss !== undefined) {
    if (b.dismiss !== true || b.student_id !== undefined || b.learn !== undefined) {
      throw new AppError(400, 'validation_error', '"dismiss" must be true and comes alone', [{ field: 'dismiss', problem: 'value' }]);
    }
    return { kind: 'dismiss' };
  }
  const { student_id, learn } = parseInput(Assign, b);
  return { kind: 'assign', studentId: student_id, learn };
}

const round4 = (x: number | null) => (x === null ? null : Math.round(x * 10000) / 10000);

/** A detection as the API shows it. `learnable`: its embedding is still kept, so a review may learn from it. */
export function detectionView(d: DetectionRow) {
  return {
    id: d.id,
    photo_id: d.photo_id,
    box: { x: d.x, y: d.y, width: d.width, height: d.height },
    status: d.status,
    student_id: d.student_id,
    name: d.name,
    similarity: round4(d.similarity),
    quality: d.quality === null ? null : Math.round(d.quality * 1000) / 1000,
    quality_reasons: d.quality_reasons,
    candidates: d.candidates,
    learnable: d.has_embedding,
    reviewed: d.review !== null,
    review: d.review === null ? null : { action: d.review, by: d.reviewed_by, at: d.reviewed_at },
  };
}

/**
 * The teacher's review of the faces a photo could not name (docs/review.md). Naming a face makes the
 * student present (source `review`, audited with the actor) and, with `learn`, makes the face one of
 * the student's templates after enrolment's own checks, so the next photo can name them.
 */
export class ReviewService {
  constructor(
    private readonly db: Db,
    private readonly config: Config,
  ) {}

  /** `actor` is whoever is signed in (the user's email, or the service key's name): it goes to the audit log. */
  async review(sessionId: string, detectionId: string, body: unknown, actor: string) {
    const decision = reviewDecision(body);
    return this.db.transaction(async (tx) => {
      const session = await sessionsRepo.get(tx, sessionId);
      if (!session) throw notFound(`session ${sessionId}`);
      const d = await sessionsRepo.detection(tx, detectionId);
      if (!d) throw notFound(`detection ${detectionId}`);
      if (d.session_id !== session.id) {
        throw new AppError(400, 'validation_error', `detection ${detectionId} belongs to another session`, [{ field: 'detectionId', problem: 'other_session' }]);
      }
      if (d.review !== null || d.student_pk !== null) {
        throw conflict('already_reviewed', d.review === 'dismissed' ? 'this face was dismissed' : `this face is already named (${d.student_id})`);
      }
      if (decision.kind === 'dismiss') {
        await sessionsRepo.review(tx, d.id, { review: 'dismissed', studentPk: null, actor });
        await auditRepo.add(tx, { actor, action: 'review_dismiss', entity: 'detection', entityId: d.id, after: { session_id: session.id } });
        return { detection: await this.reload(tx, d.id), attendance: null, learned: false };
      }
      const student = await studentsRepo.get(tx, decision.studentId);
      if (!student) throw notFound(`student ${decision.studentId}`);
      if (!(await classesRepo.isMember(tx, session.class_id, student.id))) {
        throw new AppError(400, 'validation_error', `student ${student.student_id} is not in this session's class`, [{ field: 'student_id', problem: 'not_in_class' }]);
      }
      const other = await sessionsRepo.namedOnPhoto(tx, d.photo_id, student.id, d.id);
      if (other) throw conflict('already_assigned', `${student.student_id} is already named on another face of this photo`, { detection_id: other });
      if (decision.learn) await this.learn(tx, d, student);
      const before = (await sessionsRepo.attendance(tx, session.id)).find((r) => r.student_pk === student.id);
      const similarity = d.candidates.find((c) => c.student_id === student.student_id)?.similarity ?? null;
      await sessionsRepo.review(tx, d.id, { review: 'assigned', studentPk: student.id, actor });
      await sessionsRepo.markReviewed(tx, session.id, student.id, d.photo_id, similarity);
      await auditRepo.add(tx, {
        actor,
        action: 'review_assign',
        entity: 'attendance',
        entityId: `${session.id}/${student.student_id}`,
        before: before ? { student_id: student.student_id, status: before.status, source: before.source } : null,
        after: { student_id: student.student_id, status: 'present', source: 'review', detection_id: d.id, learned: decision.learn },
      });
      const attendance = { student_id: student.student_id, name: student.name, status: 'present' as const, similarity: round4(similarity), source: 'review' as const, note: before?.note ?? null };
      return { detection: await this.reload(tx, d.id), attendance, learned: decision.learn };
    });
  }

  /** The face becomes one of the student's templates, after the checks an enrolment photo passes. */
  private async learn(tx: Queryable, d: DetectionRow & { embedding: string | null }, student: { id: string; student_id: string }): Promise<void> {
    if (d.embedding === null) {
      throw conflict(
        'embedding_expired',
        `this face's embedding is no longer kept (unnamed faces' are erased after REVIEW_RETENTION_DAYS = ${this.config.reviewRetentionDays} days, or were not kept because the face is too small or unclear); name it without learning`,
      );
    }
    const problem = templateProblem(d.width, d.quality_reasons, this.config.enrolMinFaceSize);
    if (problem) throw new AppError(422, problem.reason, problem.message);
    const embedding = Float32Array.from(JSON.parse(d.embedding) as number[]);
    const other = await lookAlike(tx, embedding, student.student_id, this.config.matchThreshold);
    if (other) {
      throw conflict('looks_like', lookAlikeMessage(other, student.student_id, 'name it without learning'), { student_id: other.studentId, similarity: round4(other.similarity) });
    }
    await facesRepo.insert(tx, student.id, {
      embedding,
      quality: d.quality ?? 0,
      detectionScore: d.detection_score,
      faceWidth: d.width,
      crop: null,
      source: 'review',
    });
    await facesRepo.trim(tx, student.id, this.config.maxTemplates);
  }

  private async reload(tx: Queryable, id: string) {
    return detectionView((await sessionsRepo.detection(tx, id))!);
  }
}
