import type { Db } from '../store/db';
import { studentsRepo } from '../store/repos/students';
import { facesRepo } from '../store/repos/faces';
import { auditRepo } from '../store/repos/audit';
import { conflict, notFound } from '../errors';
import { emitEvent } from './webhook-events';
import { consentView } from './consent';

/** A new student's consent: nothing recorded yet. */
const NO_CONSENT = consentView({ consent_state: 'unknown', consent_at: null, consent_by: null, consent_note: null });
import { z } from 'zod';
import { optionalText, parseInput, studentId as schoolId, text } from './validate';

const NewStudent = z.object({ student_id: schoolId, name: text(200), email: optionalText(320) });

export class StudentsService {
  constructor(private readonly db: Db) {}

  async create(body: unknown) {
    const { student_id: studentId, name, email } = parseInput(NewStudent, body);
    const row = await studentsRepo.insert(this.db, studentId, name, email);
    if (!row) throw conflict('student_exists', `a student with student_id "${studentId}" already exists`);
    return { student_id: row.student_id, name: row.name, email: row.email, faces: 0, consent: NO_CONSENT };
  }

  async get(studentId: string) {
    const row = await studentsRepo.get(this.db, studentId);
    if (!row) throw notFound(`student ${studentId}`);
    return row;
  }

  async show(studentId: string) {
    const s = await this.get(studentId);
    return { student_id: s.student_id, name: s.name, email: s.email, faces: s.faces, consent: consentView(s) };
  }

  /** Erases the student's embeddings (and stored crops, which live in the same rows). */
  async deleteFaces(studentId: string, actor: string): Promise<number> {
    const s = await this.get(studentId);
    return this.db.transaction(async (tx) => {
      const n = await facesRepo.deleteForStudent(tx, s.id);
      await auditRepo.add(tx, { actor, action: 'delete_faces', entity: 'student', entityId: s.student_id, after: { erased: n } });
      return n;
    });
  }

  /**
   * Erases the student and everything biometric or personal: embeddings, crops, memberships and
   * attendance rows go by ON DELETE CASCADE; audit rows about their attendance are removed too.
   */
  async erase(studentId: string, actor: string): Promise<void> {
    const s = await this.get(studentId);
    await this.db.transaction(async (tx) => {
      await auditRepo.forgetStudent(tx, s.student_id);
      await studentsRepo.delete(tx, s.id);
      await auditRepo.add(tx, { actor, action: 'erase_student', entity: 'student', entityId: s.student_id });
      await emitEvent(tx, 'student.erased', () => ({ student_id: s.student_id }));
    });
  }
}
