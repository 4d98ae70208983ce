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
import { WebhooksService } from './webhooks';
import { ConsentService } from './consent';
import { SubjectAccessService } from './subject-access';
import { AuditService } from './audit';
import { Lifecycle } from './lifecycle';
import { BackupService } from './backups';
import { ReviewService } from './review';
import { InsightService } from './insight';
import { UsersService } from './users';
import { SignInService } from './sign-in';
import { Policy } from './policy';
import { SingleSignOnService } from './single-sign-on';
import { OneRosterService } from './oneroster';

/** Every use case, built once per process over one database and one set of model sessions. */
export interface Services {
  config: Config;
  keys: ApiKeys;
  health: HealthService;
  queue: InferenceQueue;
  classes: ClassesService;
  students: StudentsService;
  consent: ConsentService;
  subjectAccess: SubjectAccessService;
  audit: AuditService;
  enrolment: EnrolmentService;
  bulkEnrolment: BulkEnrolmentService;
  recognition: RecognitionService;
  rosters: RostersService;
  sessions: SessionsService;
  retention: RetentionService;
  rateLimits: RateLimits;
  webhooks: WebhooksService;
  lifecycle: Lifecycle;
  backups: BackupService;
  review: ReviewService;
  insight: InsightService;
  users: UsersService;
  signIn: SignInService;
  policy: Policy;
  /** null unless OIDC_* are set. */
  sso: SingleSignOnService | null;
  oneRoster: OneRosterService;
}

export function createServices(config: Config, db: Db, pipeline: FacePipeline): Services {
  const queue = new InferenceQueue(config.inferenceConcurrency, config.queueLimit);
  const classes = new ClassesService(db);
  const students = new StudentsService(db);
  const recognition = new RecognitionService(db, config, pipeline, queue, classes);
  const consent = new ConsentService(db, students, config.consentRequired);
  const enrolment = new EnrolmentService(db, config, pipeline, queue, students, consent);
  const lifecycle = new Lifecycle();
  const sessions = new SessionsService(db, classes, recognition);
  const users = new UsersService(db);
  return {
    config,
    keys: new ApiKeys(db, config.apiKeys),
    health: new HealthService(db, pipeline, { detector: DETECTOR_FILE, embedder: EMBEDDER_FILE }, queue, lifecycle, config.ffmpegPath),
    queue,
    classes,
    students,
    consent,
    subjectAccess: new SubjectAccessService(db, students),
    audit: new AuditService(db),
    enrolment,
    bulkEnrolment: new BulkEnrolmentService(enrolment, config.maxZipMb * 1024 * 1024, config.maxUploadMb * 1024 * 1024),
    recognition,
    rosters: new RostersService(db, classes, consent),
    sessions,
    retention: new RetentionService(db, {
      sessionDays: config.sessionRetentionDays,
      photoDays: config.photoRetentionDays,
      reviewDays: config.reviewRetentionDays,
    }),
    rateLimits: new RateLimits(db, config.rateLimitPerMin),
    webhooks: new WebhooksService(db, config.webhookAllowPrivate),
    lifecycle,
    backups: new BackupService(db),
    review: new ReviewService(db, config),
    insight: new InsightService(db, classes, sessions, students),
    users,
    signIn: new SignInService(db, config, users),
    policy: new Policy(db),
    sso: config.oidc ? new SingleSignOnService(db, config.oidc) : null,
    oneRoster: new OneRosterService(db, config.maxZipMb * 1024 * 1024),
  };
}
