import { pipelineOptions, type Config } from '../config';
import type { Db } from '../store/db';
import { facesRepo, type NewFace } from '../store/repos/faces';
import { AppError } from '../errors';
import type { FacePipeline } from '../vision/pipeline';
import { faceCropJpeg } from '../vision/crop';
import type { EmbeddedFace, RgbImage } from '../vision/types';
import { lookAlike, lookAlikeMessage, templateProblem } from './template-checks';
import type { InferenceQueue } from './inference-queue';
import type { StudentsService } from './students';
import type { ConsentService } from './consent';
import { studentsRepo } from '../store/repos/students';

export interface UploadedImage {
  name: string;
  data: Buffer;
}

export interface EnrolResult {
  file: string;
  status: 'enrolled' | 'rejected';
  reason?: string;
  message?: string;
  quality?: { score: number; reasons: string[]; size: number };
}

/**
 * Faces much smaller than the main one are bystanders in the background, not a second subject:
 * an enrolment photo "holds one usable face" when no other face is at least this fraction as wide.
 */
const SECOND_FACE_RATIO = 0.5;

export class EnrolmentService {
  constructor(
    private readonly db: Db,
    private readonly config: Config,
    private readonly pipeline: FacePipeline,
    private readonly queue: InferenceQueue,
    private readonly students: StudentsService,
    private readonly consent: ConsentService,
  ) {}

  /** One image → its single usable face, or the reason it cannot be enrolled. */
  private async examine(img: UploadedImage): Promise<{ face?: EmbeddedFace; rgb?: RgbImage; reject?: EnrolResult }> {
    const reject = (reason: string, message: string, face?: EmbeddedFace): { reject: EnrolResult } => ({
      reject: {
        file: img.name,
        status: 'rejected',
        reason,
        message,
        ...(face ? { quality: { score: face.quality.score, reasons: face.quality.reasons, size: Math.round(face.quality.size) } } : {}),
      },
    });
    let result;
    try {
      result = await this.queue.run(() =>
        this.pipeline.run(img.data, {
          ...pipelineOptions(this.config),
          // An enrolment face is ENROL_MIN_FACE_SIZE (40 px) or more: enlarging the photo would find nothing it may use.
          scale: { pixelBudget: this.config.detectPixelBudget, maxUpscale: 1 },
          // ENROL_MIN_FACE_SIZE is where a face turns 'small' (and its score starts to rise), as 40 is by default.
          quality: { minSize: this.config.enrolMinFaceSize, goodSize: 2 * this.config.enrolMinFaceSize },
        }),
      );
    } catch (e) {
      if (e instanceof AppError && e.status < 500 && e.status !== 503) return reject(e.code, e.message);
      throw e;
    }
    const faces = [...result.faces].sort((a, b) => b.box.width - a.box.width);
    if (faces.length === 0) return reject('no_face', 'no face was found in this image');
    const main = faces[0];
    if (faces.slice(1).some((f) => f.box.width >= main.box.width * SECOND_FACE_RATIO)) {
      return reject('multiple_faces', `${faces.length} faces were found; an enrolment photo must show one person`);
    }
    const problem = templateProblem(main.box.width, main.quality.reasons, this.config.enrolMinFaceSize);
    if (problem) return reject(problem.reason, problem.message, main);
    return { face: main, rgb: result.rgb };
  }

  /**
   * Enrols each usable face. A face that already matches ANOTHER student above the threshold is
   * refused as looks_like:<id> (a mislabelled photo would later name the wrong student) unless
   * force is set. All accepted faces are stored in one transaction; when none is accepted the
   * request fails with 422 and nothing is stored. Without the consent CONSENT_REQUIRED asks for
   * (or with consent refused) → 409 consent_required.
   */
  async enrol(studentId: string, images: UploadedImage[], opts: { force: boolean }) {
    const student = await this.students.get(studentId);
    // Checked before the photos are even looked at, and again under the student's lock below.
    await this.consent.assertMayEnrol(this.db, student);
    if (images.length === 0) throw new AppError(400, 'no_file', 'send 1 to 20 images in the multipart field "images"');
    const results: EnrolResult[] = [];
    const accepted: NewFace[] = [];
    for (const img of images) {
      const { face, rgb, reject } = await this.examine(img);
      if (reject) {
        results.push(reject);
        continue;
      }
      if (!opts.force) {
        const other = await lookAlike(this.db, face!.embedding, student.student_id, this.config.matchThreshold);
        if (other) {
          results.push({
            file: img.name,
            status: 'rejected',
            reason: `looks_like:${other.studentId}`,
            message: lookAlikeMessage(other, student.student_id, 'send force=true'),
          });
          continue;
        }
      }
      accepted.push({
        embedding: face!.embedding,
        quality: face!.quality.score,
        detectionScore: face!.score,
        faceWidth: Math.round(face!.box.width),
        crop: this.config.storeFaceCrops ? await faceCropJpeg(rgb!, face!.landmarks) : null,
      });
      results.push({ file: img.name, status: 'enrolled', quality: { score: face!.quality.score, reasons: [], size: Math.round(face!.quality.size) } });
    }
    const out = { student_id: student.student_id, enrolled: accepted.length, results };
    if (accepted.length === 0) {
      throw new AppError(422, 'no_usable_face', 'no image could be enrolled; see details for each image', out);
    }
    await this.db.transaction(async (tx) => {
      await studentsRepo.lock(tx, student.id);
      await this.consent.assertMayEnrol(tx, student);
      for (const f of accepted) await facesRepo.insert(tx, student.id, f);
      await facesRepo.trim(tx, student.id, this.config.maxTemplates);
    });
    return out;
  }
}
