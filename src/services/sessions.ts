import type { Db } from '../store/db';
import { sessionsRepo, type Status } from '../store/repos/sessions';
import { classesRepo } from '../store/repos/classes';
import { auditRepo } from '../store/repos/audit';
import { z } from 'zod';
import { notFound } from '../errors';
import { oneOf, optionalText, parseInput } from './validate';
import type { ClassesService } from './classes';
import type { RecognitionService } from './recognition';
import { emitEvent } from './webhook-events';
import { detectionView } from './review';
import { renderMatrixExport, renderSessionExport, type ExportFormat } from './exports';

const Correction = z.object({ status: oneOf<Status>(['present', 'absent', 'late', 'excused']), note: optionalText(1000) });

export class SessionsService {
  constructor(
    private readonly db: Db,
    private readonly classes: ClassesService,
    private readonly recognition: RecognitionService,
  ) {}

  async listForClass(classIdOrCode: string) {
    const cls = await this.classes.get(classIdOrCode);
    return sessionsRepo.listForClass(this.db, cls.id);
  }

  async session(id: string) {
    const s = await sessionsRepo.get(this.db, id);
    if (!s) throw notFound(`session ${id}`);
    return s;
  }

  async show(id: string) {
    const s = await this.session(id);
    const [attendance, photos, detections] = await Promise.all([
      sessionsRepo.attendance(this.db, s.id),
      sessionsRepo.photos(this.db, s.id),
      sessionsRepo.detections(this.db, s.id),
    ]);
    return {
      id: s.id,
      class_id: s.class_id,
      taken_at: s.taken_at,
      unknown_faces: s.unknown_faces,
      photos: photos.map((p) => ({ id: p.id, width: p.width, height: p.height, faces: p.face_count, unknown_faces: p.unknown_faces, timings_ms: p.timings_ms, added_at: p.created_at, stored: p.stored })),
      attendance: attendance.map((a) => ({
        student_id: a.student_id,
        name: a.name,
        status: a.status,
        similarity: a.similarity === null ? null : Math.round(a.similarity * 10000) / 10000,
        source: a.source,
        note: a.note,
        enrolled: a.enrolled,
      })),
      detections: detections.map(detectionView),
    };
  }

  /** A stored photo's bytes, for the review page's face crops (only with STORE_PHOTOS=true, until PHOTO_RETENTION_DAYS). */
  async photo(id: string, photoId: string): Promise<Buffer> {
    const s = await this.session(id);
    const bytes = await sessionsRepo.photoBytes(this.db, s.id, photoId);
    if (!bytes) throw notFound(`stored photo ${photoId} of session ${id} (photos are stored only with STORE_PHOTOS=true)`);
    return bytes;
  }

  /** One more photo or clip of the same lesson: a student seen in any of them is present. */
  async addPhoto(id: string, upload: Buffer, opts: { actor: string; threshold?: number; live?: boolean; signal?: AbortSignal }) {
    const s = await this.session(id);
    return this.recognition.recognize(upload, { ...opts, classId: s.class_id, sessionId: s.id });
  }

  /** A teacher's correction; the before/after goes to the audit log with the acting user. */
  async correct(id: string, studentId: string, body: unknown, actor: string) {
    const s = await this.session(id);
    const { status, note } = parseInput(Correction, body);
    return this.db.transaction(async (tx) => {
      // Taken with the photos' lock, so the audited "before" is what the correction replaced,
      // even when another process is adding a photo to this session at the same moment.
      await sessionsRepo.lock(tx, s.id);
      const rows = await sessionsRepo.attendance(tx, s.id);
      const row = rows.find((r) => r.student_id === studentId);
      if (!row) throw notFound(`student ${studentId} in session ${id}`);
      await sessionsRepo.setStatus(tx, s.id, row.student_pk, status, note);
      await auditRepo.add(tx, {
        actor,
        action: 'correct_attendance',
        entity: 'attendance',
        entityId: `${s.id}/${studentId}`,
        before: { student_id: studentId, status: row.status, source: row.source, note: row.note },
        after: { student_id: studentId, status, source: 'manual', note },
        note,
      });
      await emitEvent(tx, 'attendance.corrected', () => ({
        session_id: s.id,
        class_id: s.class_id,
        student_id: studentId,
        status,
        previous_status: row.status,
        corrected_by: actor,
      }));
      return { student_id: studentId, name: row.name, status, similarity: row.similarity, source: 'manual', note };
    });
  }

  async history(id: string, studentId: string) {
    const s = await this.session(id);
    return auditRepo.forEntity(this.db, 'attendance', `${s.id}/${studentId}`);
  }

  /** One session as an xlsx or csv file. */
  async sessionExport(id: string, format: ExportFormat) {
    return renderSessionExport(await this.exportData(id), format);
  }

  /** The class's students × sessions matrix as an xlsx or csv file. */
  async matrixExport(classIdOrCode: string, format: ExportFormat) {
    return renderMatrixExport(await this.matrix(classIdOrCode), format);
  }

  /** Data for a one-session export. */
  private async exportData(id: string) {
    const s = await this.session(id);
    const cls = await this.classes.get(s.class_id);
    const [rows, photos] = await Promise.all([sessionsRepo.attendance(this.db, s.id), sessionsRepo.photos(this.db, s.id)]);
    return {
      classCode: cls.code,
      className: cls.name,
      sessionId: s.id,
      takenAt: s.taken_at,
      unknownFaces: s.unknown_faces,
      photos: photos.length,
      rows: rows.map((r) => ({
        studentId: r.student_id,
        name: r.name,
        status: r.status,
        similarity: r.similarity,
        source: r.source,
        time: r.status === 'absent' && r.source === 'auto' ? null : r.updated_at,
        note: r.note,
      })),
    };
  }

  /** The class matrix (export and insight): current roster students × every session of the class. */
  async matrix(classIdOrCode: string) {
    const cls = await this.classes.get(classIdOrCode);
    const [sessions, cells, roster] = await Promise.all([
      sessionsRepo.listForClass(this.db, cls.id),
      sessionsRepo.matrix(this.db, cls.id),
      classesRepo.roster(this.db, cls.id),
    ]);
    const byKey = new Map(cells.map((c) => [`${c.session_id}/${c.student_id}`, c.status]));
    return {
      classCode: cls.code,
      className: cls.name,
      sessions: sessions.map((s) => ({ id: s.id, takenAt: s.taken_at, unknownFaces: s.unknown_faces })),
      students: roster.map((st) => ({
        studentId: st.student_id,
        name: st.name,
        statuses: sessions.map((s) => byKey.get(`${s.id}/${st.student_id}`) ?? null),
      })),
    };
  }
}
