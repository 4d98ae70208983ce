import type { Db, Queryable } from '../store/db';
import { consentRepo, type ConsentColumns, type ConsentRecord } from '../store/repos/consent';
import { facesRepo } from '../store/repos/faces';
import { studentsRepo } from '../store/repos/students';
import { auditRepo } from '../store/repos/audit';
import { conflict } from '../errors';
import { z } from 'zod';
import { oneOf, optionalText, parseInput } from './validate';
import type { StudentsService } from './students';

/** What a teacher or a roster can record; `unknown` is only the starting state. */
export type ConsentDecision = 'granted' | 'refused';
const DECISIONS: [ConsentDecision, ...ConsentDecision[]] = ['granted', 'refused'];
const Decision = z.object({ state: oneOf(DECISIONS), note: optionalText(1000) });

export interface RecordConsent {
  state: ConsentDecision;
  note: string | null;
  actor: string;
  source: ConsentRecord['source'];
}

/** The current consent as the API shows it inside a student. */
export const consentView = (c: ConsentColumns) => ({
  state: c.consent_state,
  recorded_at: c.consent_at,
  recorded_by: c.consent_by,
  note: c.consent_note,
});

/**
 * Biometric consent: recording decisions (with their history and audit), erasing the faces of a
 * student whose consent is refused or withdrawn, and deciding whether a student may be enrolled.
 * Both run under a lock on the student's row, so an enrolment racing a refusal cannot leave
 * faces behind.
 */
export class ConsentService {
  constructor(
    private readonly db: Db,
    private readonly students: StudentsService,
    private readonly required: boolean,
  ) {}

  async record(studentId: string, body: unknown, actor: string) {
    const { state, note } = parseInput(Decision, body);
    const s = await this.students.get(studentId);
    const { record, erased } = await this.db.transaction((tx) => this.apply(tx, s, { state, note, actor, source: 'api' }));
    return { student_id: s.student_id, state: record.state, recorded_at: record.recorded_at, recorded_by: record.recorded_by, note: record.note, erased_faces: erased };
  }

  /**
   * Records a decision in the caller's transaction. A refusal erases the student's embeddings and
   * face crops (they share rows) at once; both steps are audited.
   */
  async apply(tx: Queryable, student: { id: string; student_id: string }, d: RecordConsent): Promise<{ record: ConsentRecord; erased: number }> {
    await studentsRepo.lock(tx, student.id);
    const before = await consentRepo.current(tx, student.id);
    const record = await consentRepo.add(tx, student.id, { state: d.state, recorded_by: d.actor, source: d.source, note: d.note });
    await auditRepo.add(tx, {
      actor: d.actor,
      action: 'record_consent',
      entity: 'student',
      entityId: student.student_id,
      before: { state: before },
      after: { state: d.state, source: d.source },
      note: d.note,
    });
    let erased = 0;
    if (d.state === 'refused') {
      erased = await facesRepo.deleteForStudent(tx, student.id);
      if (erased > 0) {
        await auditRepo.add(tx, { actor: d.actor, action: 'delete_faces', entity: 'student', entityId: student.student_id, after: { erased, reason: 'consent_refused' } });
      }
    }
    return { record, erased };
  }

  /** apply() unless the decision is already the student's current one (a roster imported again). */
  async applyIfChanged(tx: Queryable, student: { id: string; student_id: string }, d: RecordConsent) {
    await studentsRepo.lock(tx, student.id);
    if ((await consentRepo.current(tx, student.id)) === d.state) return null;
    return this.apply(tx, student, d);
  }

  /** 409 consent_required unless the student's consent is granted (or CONSENT_REQUIRED=false and it is not refused). */
  async assertMayEnrol(q: Queryable, student: { id: string; student_id: string }): Promise<void> {
    const state = await consentRepo.current(q, student.id);
    if (state === 'granted' || (state === 'unknown' && !this.required)) return;
    throw conflict(
      'consent_required',
      state === 'refused'
        ? `consent to biometric enrolment was refused for student ${student.student_id}; their faces cannot be enrolled`
        : `no biometric consent is recorded for student ${student.student_id}: record it (POST /api/v1/students/${student.student_id}/consent, the page, or the roster's Consent column) before enrolling faces`,
      { student_id: student.student_id, consent: state },
    );
  }
}
