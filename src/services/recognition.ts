import crypto from 'node:crypto';
import { AppError } from '../errors';
import { pipelineOptions, type Config } from '../config';
import type { Db, Queryable } from '../store/db';
import { facesRepo } from '../store/repos/faces';
import { classesRepo, type ClassRow } from '../store/repos/classes';
import { sessionsRepo } from '../store/repos/sessions';
import { studentsRepo } from '../store/repos/students';
import { decideFaces, type Decision } from '../matching/decide';
import type { FacePipeline, PipelineResult } from '../vision/pipeline';
import { annotate, type Label } from '../vision/annotate';
import type { EmbeddedFace } from '../vision/types';
import type { InferenceQueue } from './inference-queue';
import { templateProblem } from './template-checks';
import type { ClassesService } from './classes';
import { emitSessionEvent } from './webhook-events';

/** Nearest embeddings fetched per face: enough to see every plausible rival (several per student). */
const NEIGHBOURS_PER_FACE = 20;
const CANDIDATES_SHOWN = 3;

export interface RecognizeOptions {
  classId?: string | null;
  threshold?: number;
  record?: boolean;
  /** Add this photo to an existing session instead of creating one. */
  sessionId?: string;
  actor: string;
}

export interface RecognizedFace {
  box: { x: number; y: number; width: number; height: number };
  landmarks: [number, number][];
  detection_score: number;
  quality: number;
  status: Decision['status'];
  /** Why the face is unnamed whoever it resembles: narrower than NAME_MIN_FACE_SIZE. */
  reason?: 'too_small';
  student: { student_id: string; name: string } | null;
  similarity: number | null;
  candidates: { student_id: string; similarity: number }[];
}

export interface Recognition {
  session_id: string | null;
  /** The recorded photo (its faces are the session's detections); null when not recorded. */
  photo_id: string | null;
  class_id: string | null;
  image: { width: number; height: number };
  faces: RecognizedFace[];
  present: { student_id: string; name: string; similarity: number }[];
  /** enrolled: false = no face on file, so the camera cannot see them: mark by hand. */
  absent: { student_id: string; name: string; enrolled: boolean }[];
  unknown_faces: number;
  threshold: number;
  /** Advice about the photo itself, e.g. that many faces are too small to name. */
  warnings: { code: string; message: string }[];
  timings_ms: Record<string, number>;
}

/** Warn about a shrunk photo when at least this share of its faces (and two or more) are too small to name. */
const SMALL_FACES_WARNING_SHARE = 0.25;

const round = (x: number, d = 4) => Math.round(x * 10 ** d) / 10 ** d;
const roundBox = (b: { x: number; y: number; width: number; height: number }) => ({
  x: Math.round(b.x),
  y: Math.round(b.y),
  width: Math.round(b.width),
  height: Math.round(b.height),
});

export class RecognitionService {
  constructor(
    private readonly db: Db,
    private readonly config: Config,
    private readonly pipeline: FacePipeline,
    private readonly queue: InferenceQueue,
    private readonly classes: ClassesService,
  ) {}

  /** Decodes, detects, embeds (in the bounded queue), then matches and optionally records. */
  async recognize(photo: Buffer, opts: RecognizeOptions): Promise<{ result: Recognition; pixels: PipelineResult }> {
    const t0 = performance.now();
    const cls: ClassRow | null = opts.classId ? await this.classes.get(opts.classId) : null;
    if (opts.record && !cls) {
      throw new AppError(400, 'validation_error', 'record=true needs a class_id: attendance is taken for a class', [{ field: 'class_id', problem: 'missing' }]);
    }
    const threshold = opts.threshold ?? cls?.match_threshold ?? this.config.matchThreshold;
    const pixels = await this.queue.run(() => this.pipeline.run(photo, pipelineOptions(this.config)));
    const tMatch = performance.now();
    const neighbours = await facesRepo.nearest(this.db, pixels.faces.map((f) => f.embedding), NEIGHBOURS_PER_FACE, cls?.id ?? null);
    const perFace = pixels.faces.map((_, i) => neighbours.filter((n) => n.face === i));
    const decisions = decideFaces(perFace, { threshold, margin: this.config.matchMargin });
    const named = await this.names(decisions.flatMap((d) => d.candidates.slice(0, CANDIDATES_SHOWN).map((c) => c.studentId)));
    const faces: RecognizedFace[] = pixels.faces.map((f, i) => {
      // A face too small to name still takes part in deciding the others (as a rival, and holding
      // its best student), so leaving it out can never turn another face's answer into a name.
      const tooSmall = f.box.width < this.config.nameMinFaceSize;
      const d: Decision = tooSmall ? { ...decisions[i], status: 'unknown', studentId: null } : decisions[i];
      return {
        box: roundBox(f.box),
        landmarks: f.landmarks.map(([x, y]) => [round(x, 1), round(y, 1)] as [number, number]),
        detection_score: round(f.score),
        quality: round(f.quality.score, 3),
        status: d.status,
        ...(tooSmall ? { reason: 'too_small' as const } : {}),
        student: d.status === 'matched' ? { student_id: d.studentId!, name: named.get(d.studentId!) ?? '' } : null,
        similarity: d.similarity === null ? null : round(d.similarity),
        candidates: d.candidates.slice(0, CANDIDATES_SHOWN).map((c) => ({ student_id: c.studentId, similarity: round(c.similarity) })),
      };
    });
    const present = faces
      .filter((f) => f.status === 'matched')
      .map((f) => ({ student_id: f.student!.student_id, name: f.student!.name, similarity: f.similarity! }))
      .sort((a, b) => a.student_id.localeCompare(b.student_id));
    const seen = new Set(present.map((p) => p.student_id));
    const absent = cls
      ? (await classesRepo.roster(this.db, cls.id)).filter((s) => !seen.has(s.student_id)).map((s) => ({ student_id: s.student_id, name: s.name, enrolled: s.faces > 0 }))
      : [];
    const match = performance.now() - tMatch;
    const timings_ms = {
      decode: round(pixels.timings.decode, 1),
      detect: round(pixels.timings.detect, 1),
      align: round(pixels.timings.align, 1),
      embed: round(pixels.timings.embed, 1),
      match: round(match, 1),
      // Analysis time; recorded with the photo, then extended below to include recording.
      total: round(performance.now() - t0, 1),
    };
    const result: Recognition = {
      session_id: null,
      photo_id: null,
      class_id: cls?.id ?? null,
      image: pixels.image,
      faces,
      present,
      absent,
      unknown_faces: faces.filter((f) => f.status !== 'matched').length,
      threshold,
      warnings: this.warnings(faces),
      timings_ms,
    };
    if (cls && (opts.record || opts.sessionId)) {
      const saved = await this.db.transaction((tx) => this.record(tx, cls, photo, result, pixels, opts));
      result.session_id = saved.sessionId;
      result.photo_id = saved.photoId;
    }
    timings_ms.total = round(performance.now() - t0, 1);
    return { result, pixels };
  }

  private warnings(faces: RecognizedFace[]): Recognition['warnings'] {
    const small = faces.filter((f) => f.reason === 'too_small').length;
    if (small < 2 || small < SMALL_FACES_WARNING_SHARE * faces.length) return [];
    return [
      {
        code: 'small_faces',
        message:
          `${small} of ${faces.length} faces are narrower than ${this.config.nameMinFaceSize} px, too small to name: ` +
          'send the original photo, not one a messaging app or e-mail has shrunk.',
      },
    ];
  }

  private async names(ids: string[]): Promise<Map<string, string>> {
    const rows = await studentsRepo.byStudentIds(this.db, [...new Set(ids)]);
    return new Map(rows.map((r) => [r.student_id, r.name]));
  }

  /** Stores the photo's outcome in a new or existing session, all in the caller's transaction. */
  private async record(tx: Queryable, cls: ClassRow, photo: Buffer, r: Recognition, pixels: PipelineResult, opts: RecognizeOptions): Promise<{ sessionId: string; photoId: string }> {
    let sessionId = opts.sessionId;
    if (sessionId) {
      await sessionsRepo.lock(tx, sessionId);
    } else {
      sessionId = (await sessionsRepo.create(tx, cls.id, opts.actor)).id;
      await sessionsRepo.initRecords(tx, sessionId, cls.id);
    }
    const photoId = await sessionsRepo.addPhoto(tx, sessionId, {
      sha256: crypto.createHash('sha256').update(photo).digest('hex'),
      photo: this.config.storePhotos ? photo : null,
      width: r.image.width,
      height: r.image.height,
      faceCount: r.faces.length,
      unknownFaces: r.unknown_faces,
      timings: r.timings_ms,
    });
    await sessionsRepo.addDetections(
      tx,
      photoId,
      r.faces.map((f, i) => {
        const face = pixels.faces[i];
        return {
          ...f.box,
          score: f.detection_score,
          status: f.status,
          studentId: f.student?.student_id ?? null,
          similarity: f.similarity,
          quality: f.quality,
          qualityReasons: face.quality.reasons,
          candidates: f.candidates,
          embedding: this.keepForReview(f, face) ? face.embedding : null,
        };
      }),
    );
    await sessionsRepo.markSeen(tx, sessionId, photoId, r.present.map((p) => ({ studentId: p.student_id, similarity: p.similarity })));
    await emitSessionEvent(tx, opts.sessionId ? 'session.photo_added' : 'session.recorded', { sessionId, photoId, classId: cls.id, classCode: cls.code });
    return { sessionId, photoId };
  }

  /**
   * Only an unnamed face that could become a template keeps its embedding (for REVIEW_RETENTION_DAYS):
   * a named face, or one too small or poor to learn from, has nothing for a review to teach.
   */
  private keepForReview(f: RecognizedFace, face: EmbeddedFace): boolean {
    return (
      this.config.reviewRetentionDays > 0 &&
      f.status !== 'matched' &&
      templateProblem(face.box.width, face.quality.reasons, this.config.enrolMinFaceSize) === null
    );
  }

  /** The photo with boxes: green named, red unknown, amber ambiguous. */
  annotate(pixels: PipelineResult, r: Recognition): Promise<Buffer> {
    const labels: Label[] = r.faces.map((f) => ({
      box: f.box,
      text: f.status === 'matched' ? f.student!.name : f.status === 'ambiguous' ? 'Needs review' : f.reason === 'too_small' ? 'Too small' : 'Unknown',
      colour: f.status === 'matched' ? 'green' : f.status === 'ambiguous' ? 'amber' : 'red',
    }));
    return annotate(pixels.rgb, labels);
  }
}
