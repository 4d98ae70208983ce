import JSZip from 'jszip';
import type { Db } from '../store/db';
import { subjectAccessRepo } from '../store/repos/subject-access';
import { consentRepo } from '../store/repos/consent';
import { auditRepo } from '../store/repos/audit';
import { consentView } from './consent';
import type { StudentsService } from './students';

const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;

/**
 * Subject access (GDPR art. 15): everything Rollcall stores about one student, as a zip of JSON
 * files (and the face crops as JPEG when STORE_FACE_CROPS kept them). Classroom photos are left
 * out: they show other children. The export itself is audited.
 */
export class SubjectAccessService {
  constructor(
    private readonly db: Db,
    private readonly students: StudentsService,
  ) {}

  async export(studentId: string, actor: string): Promise<{ filename: string; zip: Buffer }> {
    const s = await this.students.get(studentId);
    // One snapshot: a correction or enrolment landing midway cannot make the files disagree.
    const data = await this.db.transaction(async (tx) => {
      const [classes, consent, attendance, detections, faces, audit] = [
        await subjectAccessRepo.classes(tx, s.id),
        await consentRepo.history(tx, s.id),
        await subjectAccessRepo.attendance(tx, s.id),
        await subjectAccessRepo.detections(tx, s.id),
        await subjectAccessRepo.faces(tx, s.id),
        await subjectAccessRepo.audit(tx, s.student_id),
      ];
      await auditRepo.add(tx, { actor, action: 'export_student', entity: 'student', entityId: s.student_id });
      return { classes, consent, attendance, detections, faces, audit };
    });
    const corrections = (sessionId: string) =>
      data.audit.filter((a) => a.entity === 'attendance' && a.entity_id === `${sessionId}/${s.student_id}`).map(({ entity: _e, entity_id: _i, ...a }) => a);
    const zip = new JSZip();
    zip.file('profile.json', json({ student_id: s.student_id, name: s.name, email: s.email, created_at: s.created_at, consent: consentView(s), exported_at: new Date(), exported_by: actor }));
    zip.file('classes.json', json(data.classes));
    zip.file('consent.json', json(data.consent));
    zip.file('attendance.json', json(data.attendance.map((r) => ({ ...r, corrections: corrections(r.session_id) }))));
    zip.file('detections.json', json(data.detections));
    zip.file(
      'faces.json',
      json(
        data.faces.map((f) => ({
          id: f.id,
          enrolled_at: f.created_at,
          quality: f.quality,
          detection_score: f.detection_score,
          face_width: f.face_width,
          crop: f.crop ? `faces/${f.id}.jpg` : null,
          embedding: JSON.parse(f.embedding) as number[],
        })),
      ),
    );
    for (const f of data.faces) if (f.crop) zip.file(`faces/${f.id}.jpg`, Buffer.from(f.crop));
    zip.file('audit.json', json(data.audit.filter((a) => a.entity === 'student')));
    return { filename: `student-${s.student_id}.zip`, zip: await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }) };
  }
}
