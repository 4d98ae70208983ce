import type { Config } from '../config';
import type { Db } from '../store/db';
import { DETECTOR_FILE, EMBEDDER_FILE, type FacePipeline } from '../vision/pipeline';
import { ApiKeys } from './api-keys';
import { HealthService } from './health';
import { InferenceQueue } from './inference-queue';
import { ClassesService } from './classes';
import { StudentsService } from './students';
import { EnrolmentService } from './enrolment';
import { RecognitionService } from './recognition';
import { RostersService } from './rosters';
import { SessionsService } from './sessions';
import { BulkEnrolmentService } from './bulk-enrolment';
import { RetentionService } from './retention';
import { RateLimits } from './rate-limits';

/** Every use case, built once per process over one database and one set of model sessions. */
export interface Services {
  config: Config;
  keys: ApiKeys;
  health: HealthService;
  queue: InferenceQueue;
  classes: ClassesService;
  students: StudentsService;
  enrolment: EnrolmentService;
  bulkEnrolment: BulkEnrolmentService;
  recognition: RecognitionService;
  rosters: RostersService;
  sessions: SessionsService;
  retention: RetentionService;
  rateLimits: RateLimits;
}

export function createServices(config: Config, db: Db, pipeline: FacePipeline): Services {
  const queue = new InferenceQueue(config.inferenceConcurrency, config.queueLimit);
  const classes = new ClassesService(db);
  const students = new StudentsService(db);
  const recognition = new RecognitionService(db, config, pipeline, queue, classes);
  const enrolment = new EnrolmentService(db, config, pipeline, queue, students);
  return {
    config,
    keys: new ApiKeys(db, config.apiKeys),
    health: new HealthService(db, { detector: DETECTOR_FILE, embedder: EMBEDDER_FILE }, queue, config.ffmpegPath),
    queue,
    classes,
    students,
    enrolment,
    bulkEnrolment: new BulkEnrolmentService(enrolment, config.maxZipMb * 1024 * 1024, config.maxUploadMb * 1024 * 1024),
    recognition,
    rosters: new RostersService(db, classes),
    sessions: new SessionsService(db, classes, recognition),
    retention: new RetentionService(db, { sessionDays: config.sessionRetentionDays, photoDays: config.photoRetentionDays }),
    rateLimits: new RateLimits(db, config.rateLimitPerMin),
  };
}
