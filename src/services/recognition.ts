import crypto from 'node:crypto';
import { AppError } from '../errors';
import { frameOptions, pipelineOptions, type Config } from '../config';
import type { Db, Queryable } from '../store/db';
import { facesRepo } from '../store/repos/faces';
import { classesRepo, type ClassRow } from '../store/repos/classes';
import { sessionsRepo } from '../store/repos/sessions';
import { studentsRepo } from '../store/repos/students';
import { decideFaces, type Decision } from '../matching/decide';
import { aggregateCandidates, type Candidate } from '../matching/aggregate';
import { DEFAULT_LINK } from '../matching/tracks';
import type { FacePipeline } from '../vision/pipeline';
import { annotate, type Label } from '../vision/annotate';
import { contactSheet } from '../vision/contact-sheet';
import { mediaKind } from '../vision/media-kind';
import type { EmbeddedFace, StageTimings } from '../vision/types';
import { embeddingOf, peopleOf, trackFaces } from './video-tracks';
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
  /** Aborted when the request times out or the client leaves: stops a video's decoding. */
  signal?: AbortSignal;
  /** A live camera frame: detected like a video frame (never enlarged), to answer within a second. */
  live?: boolean;
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
  /** Video only: when the track was first seen, and in how many sampled frames. */
  first_seen_s?: number;
  frames?: number;
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
  /** Present when the upload was a video. */
  video?: { duration_s: number; frames_sampled: number };
}

/** What was found in an upload before naming: a photo's faces, or a video's people (tracks). */
interface Analysis {
  image: { width: number; height: number };
  faces: { face: EmbeddedFace; embedding: Float32Array; track?: { first_seen_s: number; frames: number } }[];
  timings: StageTimings;
  video?: Recognition['video'];
  /** The picture for ?annotate=true, given the decided faces. */
  draw: (faces: RecognizedFace[]) => Promise<Buffer>;
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

  /**
   * Decodes, detects, embeds (in the bounded queue), then matches and optionally records. A video
   * (recognised by its bytes) is analysed as tracks, each then decided like a face of a photo.
   */
  async recognize(upload: Buffer, opts: RecognizeOptions): Promise<{ result: Recognition; annotated: () => Promise<Buffer> }> {
    const t0 = performance.now();
    const kind = mediaKind(upload);
    this.checkSize(upload, kind);
    const cls: ClassRow | null = opts.classId ? await this.classes.get(opts.classId) : null;
    if (opts.record && !cls) {
      throw new AppError(400, 'validation_error', 'record=true needs a class_id: attendance is taken for a class', [{ field: 'class_id', problem: 'missing' }]);
    }
    const threshold = opts.threshold ?? cls?.match_threshold ?? this.config.matchThreshold;
    const analysis = kind === 'video' ? await this.analyseVideo(upload, cls, threshold, opts.signal) : await this.analysePhoto(upload, opts.live ?? false);
    const tMatch = performance.now();
    const perFace = await this.neighbours(analysis.faces.map((f) => f.embedding), cls);
    const decisions = decideFaces(perFace, { threshold, margin: this.config.matchMargin });
    const named = await this.names(decisions.flatMap((d) => d.candidates.slice(0, CANDIDATES_SHOWN).map((c) => c.studentId)));
    const faces: RecognizedFace[] = analysis.faces.map(({ face: f, track }, i) => {
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
        ...(track ?? {}),
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
      decode: round(analysis.timings.decode, 1),
      detect: round(analysis.timings.detect, 1),
      align: round(analysis.timings.align, 1),
      embed: round(analysis.timings.embed, 1),
      match: round(match, 1),
      // Analysis time; recorded with the photo, then extended below to include recording.
      total: round(performance.now() - t0, 1),
    };
    const result: Recognition = {
      session_id: null,
      photo_id: null,
      class_id: cls?.id ?? null,
      image: analysis.image,
      faces,
      present,
      absent,
      unknown_faces: faces.filter((f) => f.status !== 'matched').length,
      threshold,
      warnings: this.warnings(faces),
      timings_ms,
      ...(analysis.video ? { video: analysis.video } : {}),
    };
    if (cls && (opts.record || opts.sessionId)) {
      // A clip is never stored: it holds far more of the class than attendance needs.
      const stored = kind === 'image' && this.config.storePhotos ? upload : null;
      const saved = await this.db.transaction((tx) => this.record(tx, cls, upload, stored, result, analysis.faces, opts));
      result.session_id = saved.sessionId;
      result.photo_id = saved.photoId;
    }
    timings_ms.total = round(performance.now() - t0, 1);
    return { result, annotated: () => analysis.draw(faces) };
  }

  /** Photos are bounded by MAX_UPLOAD_MB, videos by MAX_VIDEO_MB (the upload limit lets the larger through). */
  private checkSize(upload: Buffer, kind: 'image' | 'video') {
    const [mb, setting] = kind === 'video' ? [this.config.maxVideoMb, 'MAX_VIDEO_MB'] : [this.config.maxUploadMb, 'MAX_UPLOAD_MB'];
    if (upload.length > mb * 1024 * 1024) {
      throw new AppError(413, 'file_too_large', `the uploaded ${kind} is larger than ${setting} (${mb} MB) allows`, { max_mb: mb });
    }
  }

  private async analysePhoto(photo: Buffer, live: boolean): Promise<Analysis> {
    const options = live ? frameOptions(this.config) : pipelineOptions(this.config);
    const pixels = await this.queue.run(() => this.pipeline.run(photo, options));
    return {
      image: pixels.image,
      faces: pixels.faces.map((face) => ({ face, embedding: face.embedding })),
      timings: pixels.timings,
      draw: (faces) => annotate(pixels.rgb, faces.map((f) => ({ box: f.box, ...labelOf(f) }))),
    };
  }

  /**
   * A clip's faces are tracks; tracks that never share a frame are one person when they look
   * alike (DEFAULT_LINK.minSimilarityFar, the similarity that links faces far apart in a sweep)
   * or when both would be named the same student on their own. Each person is then one face.
   */
  private async analyseVideo(clip: Buffer, cls: ClassRow | null, threshold: number, signal?: AbortSignal): Promise<Analysis> {
    const tracked = await this.queue.run(() => trackFaces(this.pipeline, clip, this.config, signal));
    const own = await this.neighbours(tracked.tracks.map((t) => embeddingOf([t])), cls);
    const top = own.map((n) => aggregateCandidates(n, 1)[0] ?? null);
    const sameStudent = (i: number, j: number) =>
      !!top[i] && !!top[j] && top[i]!.studentId === top[j]!.studentId && Math.min(top[i]!.similarity, top[j]!.similarity) >= threshold;
    const people = peopleOf(tracked.tracks, DEFAULT_LINK.minSimilarityFar, sameStudent);
    return {
      image: tracked.image,
      faces: people.map((p) => ({ face: p.best.face, embedding: p.embedding, track: { first_seen_s: round(p.firstSeenS, 2), frames: p.frames } })),
      timings: tracked.timings,
      video: tracked.video,
      draw: (faces) => contactSheet(people.map((p, i) => ({ img: p.thumb, ...labelOf(faces[i]) }))),
    };
  }

  /** Each embedding's nearest enrolled embeddings (of the class, if one is given). */
  private async neighbours(embeddings: Float32Array[], cls: ClassRow | null): Promise<Candidate[][]> {
    const found = await facesRepo.nearest(this.db, embeddings, NEIGHBOURS_PER_FACE, cls?.id ?? null);
    return embeddings.map((_, i) => found.filter((n) => n.face === i));
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
  private async record(
    tx: Queryable,
    cls: ClassRow,
    upload: Buffer,
    stored: Buffer | null,
    r: Recognition,
    analysed: Analysis['faces'],
    opts: RecognizeOptions,
  ): Promise<{ sessionId: string; photoId: string }> {
    let sessionId = opts.sessionId;
    if (sessionId) {
      await sessionsRepo.lock(tx, sessionId);
    } else {
      sessionId = (await sessionsRepo.create(tx, cls.id, opts.actor)).id;
      await sessionsRepo.initRecords(tx, sessionId, cls.id);
    }
    const photoId = await sessionsRepo.addPhoto(tx, sessionId, {
      sha256: crypto.createHash('sha256').update(upload).digest('hex'),
      photo: stored,
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
        // A video's face is a track: its best frame's face, and the track's mean embedding.
        const { face, embedding } = analysed[i];
        return {
          ...f.box,
          score: f.detection_score,
          status: f.status,
          studentId: f.student?.student_id ?? null,
          similarity: f.similarity,
          quality: f.quality,
          qualityReasons: face.quality.reasons,
          candidates: f.candidates,
          embedding: this.keepForReview(f, face) ? embedding : null,
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
}

/** How a decided face is labelled: green named, red unknown, amber ambiguous. */
function labelOf(f: RecognizedFace): Pick<Label, 'text' | 'colour'> {
  return {
    text: f.status === 'matched' ? f.student!.name : f.status === 'ambiguous' ? 'Needs review' : f.reason === 'too_small' ? 'Too small' : 'Unknown',
    colour: f.status === 'matched' ? 'green' : f.status === 'ambiguous' ? 'amber' : 'red',
  };
}
