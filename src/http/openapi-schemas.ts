/**
 * JSON Schemas (2020-12, as OpenAPI 3.1 uses them) of Rollcall's request and response bodies:
 * the `components.schemas` of the OpenAPI document. They describe what the services return;
 * test/api/openapi.test.ts checks real answers against them.
 */
import { WEBHOOK_EVENTS } from '../services/webhooks';

export type Schema = Record<string, unknown>;

export const ref = (name: keyof typeof schemas): Schema => ({ $ref: `#/components/schemas/${name}` });

const string: Schema = { type: 'string' };
const integer: Schema = { type: 'integer' };
const number: Schema = { type: 'number' };
const boolean: Schema = { type: 'boolean' };
const dateTime: Schema = { type: 'string', format: 'date-time' };
const uuid: Schema = { type: 'string', format: 'uuid' };
const similarity: Schema = { type: 'number', description: 'cosine similarity, 1 - cosine distance' };

const object = (properties: Record<string, Schema>, optional: string[] = []): Schema => ({
  type: 'object',
  properties,
  required: Object.keys(properties).filter((k) => !optional.includes(k)),
});
const array = (items: Schema): Schema => ({ type: 'array', items });
const nullable = (s: Schema): Schema => ({ ...s, type: [s.type, 'null'] });

const classProps = {
  id: uuid,
  code: string,
  name: string,
  match_threshold: { type: ['number', 'null'], description: 'per-class MATCH_THRESHOLD override; null = the server default' },
  created_at: dateTime,
};

const enrolResult = object(
  {
    file: string,
    status: { enum: ['enrolled', 'rejected'] },
    reason: { type: 'string', description: 'no_face, multiple_faces, face_too_small, low_quality, looks_like:<student_id>, invalid_image…' },
    message: string,
    quality: object({ score: number, reasons: array(string), size: integer }),
  },
  ['reason', 'message', 'quality'],
);

const box = object({ x: integer, y: integer, width: integer, height: integer });

const face = object({
  box,
  landmarks: { ...array(array(number)), description: 'five [x, y] points: eyes, nose tip, mouth corners' },
  detection_score: number,
  quality: number,
  status: { enum: ['matched', 'unknown', 'ambiguous'] },
  reason: { enum: ['too_small'], description: 'set on an unknown face narrower than NAME_MIN_FACE_SIZE: counted, never named' },
  student: nullable(object({ student_id: string, name: string })),
  similarity: nullable(similarity),
  candidates: array(object({ student_id: string, similarity })),
  first_seen_s: { type: 'number', description: 'video only: seconds into the clip when this track was first seen' },
  frames: { type: 'integer', description: 'video only: sampled frames the track appears in' },
}, ['reason', 'first_seen_s', 'frames']);

const webhookEvent: Schema = { enum: [...WEBHOOK_EVENTS] };
const webhookProps = {
  id: uuid,
  url: string,
  events: array(webhookEvent),
  paused: { type: 'boolean', description: 'paused: no new events are queued for it and its pending deliveries wait' },
  created_at: dateTime,
};

const attendanceStatus: Schema = { enum: ['present', 'absent', 'late', 'excused'] };

const consent = object({
  state: { enum: ['granted', 'refused', 'unknown'], description: 'biometric consent; unknown until one is recorded' },
  recorded_at: nullable(dateTime),
  recorded_by: { type: ['string', 'null'], description: "who recorded it: the user's email, or the service key's name" },
  note: nullable(string),
});

const auditEntry = {
  at: dateTime,
  actor: { type: 'string', description: "the user's email, or the service key's name" },
  action: string,
  before: { type: ['object', 'null'] },
  after: { type: ['object', 'null'] },
  note: nullable(string),
};

const attendanceRow = object({
  student_id: string,
  name: string,
  status: attendanceStatus,
  similarity: nullable(similarity),
  source: { enum: ['auto', 'manual', 'review'], description: 'review: named by a teacher reviewing a face' },
  note: nullable(string),
});

const candidate = object({ student_id: string, similarity });

const detection = object({
  id: { type: 'string', description: 'the detection id (digits)' },
  photo_id: uuid,
  box,
  status: { enum: ['matched', 'unknown', 'ambiguous'], description: "the recognition's decision" },
  student_id: { type: ['string', 'null'], description: 'the student named, by recognition or by review' },
  name: nullable(string),
  similarity: nullable(similarity),
  quality: nullable(number),
  quality_reasons: { ...array(string), description: 'hard quality failures (blurry, profile…): learning refuses a face with any' },
  candidates: array(candidate),
  learnable: { type: 'boolean', description: "the face's embedding is still kept (REVIEW_RETENTION_DAYS), so naming it may teach Rollcall" },
  reviewed: boolean,
  review: nullable(object({ action: { enum: ['assigned', 'dismissed'] }, by: string, at: dateTime })),
});

const totals = { present: integer, absent: integer, late: integer, excused: integer };
const rate: Schema = { type: ['number', 'null'], description: '(present + late) / sessions counted; null when none' };
const statusOrNull: Schema = { enum: ['present', 'absent', 'late', 'excused', null] };
const role: Schema = { enum: ['admin', 'teacher'] };
const counts = object({ added: integer, updated: integer, removed: integer });
const fileMode: Schema = { enum: ['bulk', 'delta', 'absent'] };
const password: Schema = { type: 'string', minLength: 12, maxLength: 256, description: 'at least 12 characters, not a common password' };
const userProps = {
  id: uuid,
  email: string,
  name: string,
  role,
  disabled: boolean,
  must_change_password: boolean,
  last_sign_in_at: nullable(dateTime),
  created_at: dateTime,
};
const user = object(userProps);
const userClass = object({ id: uuid, code: string, name: string });
const apiKeyProps = { id: uuid, name: string, created_at: dateTime, revoked_at: nullable(dateTime) };
const apiKey = object(apiKeyProps);

export const schemas = {
  Error: object({
    error: object(
      {
        code: { type: 'string', description: 'stable snake_case code, e.g. no_file, validation_error, rate_limited' },
        message: { type: 'string', description: 'for humans' },
        details: { description: 'problem-specific, e.g. [{row, column, problem}] for invalid_roster, [{file, row, column, problem}] for invalid_oneroster, [{field, problem}] for validation_error' },
      },
      ['details'],
    ),
  }),
  Health: object({
    status: { enum: ['ok'] },
    database: { enum: ['pglite', 'postgres'] },
    models: { type: 'object', additionalProperties: string },
    queue: object({ running: integer, waiting: integer }),
    video: { type: 'boolean', description: 'whether videos can be read (ffmpeg found); false → 415 video_unsupported for clips' },
  }),
  Live: object({ status: { enum: ['ok'] }, phase: { enum: ['starting', 'ready', 'stopping'] } }),
  Ready: object({ status: { enum: ['ready'] } }),
  NewClass: object(
    {
      code: { type: 'string', maxLength: 64 },
      name: { type: 'string', maxLength: 200 },
      match_threshold: { type: ['number', 'null'], minimum: 0.05, maximum: 0.95 },
    },
    ['match_threshold'],
  ),
  Class: object({ ...classProps, students: { type: 'integer', description: 'roster size (one class only)' } }, ['students']),
  ClassDetail: object({ ...classProps, students: integer }),
  NewStudent: object(
    {
      student_id: { type: 'string', maxLength: 64, pattern: '^[^\\s/\\\\?#%]+$', description: "the school's own ID, e.g. S1001" },
      name: { type: 'string', maxLength: 200 },
      email: { type: ['string', 'null'], maxLength: 320 },
    },
    ['email'],
  ),
  Student: object({ student_id: string, name: string, email: nullable(string), faces: { type: 'integer', description: 'enrolled embeddings' }, consent }),
  NewConsent: object(
    { state: { enum: ['granted', 'refused'], description: 'refused (or withdrawn) erases the enrolled faces at once' }, note: { type: ['string', 'null'], maxLength: 1000 } },
    ['note'],
  ),
  ConsentRecorded: object({
    student_id: string,
    state: { enum: ['granted', 'refused'] },
    recorded_at: dateTime,
    recorded_by: string,
    note: nullable(string),
    erased_faces: { type: 'integer', description: 'embeddings (with their crops) erased by a refusal' },
  }),
  RosterReport: object({
    dry_run: boolean,
    sheet: string,
    header_row: integer,
    added: integer,
    updated: integer,
    removed: integer,
    total: integer,
    changes: object({
      added: array(string),
      updated: array(object({ student_id: string, from: string, to: string })),
      removed: array(string),
      consent: { ...array(object({ student_id: string, state: { enum: ['granted', 'refused'] }, erased_faces: integer })), description: "the Consent column's changes (not listed in a dry run)" },
    }),
  }),
  OneRosterReport: object({
    dry_run: boolean,
    version: { enum: ['1.1', '1.2'] },
    modes: object({ classes: fileMode, users: fileMode, enrollments: fileMode }),
    classes: counts,
    students: counts,
    teachers: { ...counts, description: 'removed: disabled and taken off their classes (tobedeleted), never deleted' },
    memberships: { ...counts, description: 'students in classes' },
    assignments: { ...counts, description: 'teachers of classes' },
    ignored: { ...object({ users: integer, enrollments: integer }), description: 'other roles (parents, aides, administrators…): not imported' },
  }),
  Enrolment: object({ student_id: string, enrolled: integer, results: array(enrolResult) }),
  BulkEnrolment: object({
    students: array(object({ student_id: string, enrolled: integer, error: object({ code: string, message: string }), results: array(enrolResult) }, ['error'])),
    enrolled: integer,
    rejected: integer,
  }),
  Recognition: object({
    session_id: { type: ['string', 'null'], description: 'set when the photo was recorded in a session' },
    photo_id: { type: ['string', 'null'], description: "the recorded photo: its faces are the session's detections" },
    class_id: nullable(uuid),
    image: object({ width: integer, height: integer }),
    faces: array(face),
    present: array(object({ student_id: string, name: string, similarity })),
    absent: {
      ...array(object({ student_id: string, name: string, enrolled: { type: 'boolean', description: 'false: no enrolled face, the camera cannot see them: mark by hand' } })),
      description: 'roster students not seen (class given)',
    },
    unknown_faces: { type: 'integer', description: 'faces not named: unknown or ambiguous' },
    threshold: number,
    warnings: {
      ...array(object({ code: { enum: ['small_faces'] }, message: string })),
      description: 'advice about the photo: `small_faces` when many faces are too small to name (send the original photo)',
    },
    timings_ms: object({ decode: number, detect: number, align: number, embed: number, match: number, total: number }),
    video: {
      ...object({ duration_s: number, frames_sampled: integer }),
      description: 'set when the upload was a video: each face is then a track (a person), with the box of its best frame',
    },
  }, ['video']),
  ClassicRecognition: {
    type: 'array',
    description: 'named students, then one {"unknown_faces": n}: the classic service\'s answer',
    items: { oneOf: [object({ 'Student Name': string, ID: string }), object({ unknown_faces: integer })] },
  },
  SessionSummary: object({ id: uuid, taken_at: dateTime, unknown_faces: integer, present: integer, absent: integer, photos: integer }),
  Session: object({
    id: uuid,
    class_id: uuid,
    taken_at: dateTime,
    unknown_faces: integer,
    photos: array(object({ id: uuid, width: integer, height: integer, faces: integer, unknown_faces: integer, timings_ms: { type: 'object' }, added_at: dateTime, stored: { type: 'boolean', description: 'the photo itself is stored (STORE_PHOTOS=true)' } })),
    attendance: array(object({ ...(attendanceRow.properties as Record<string, Schema>), enrolled: { type: 'boolean', description: 'has enrolled faces now; false: only a teacher can mark them' } })),
    detections: { ...array(detection), description: 'every face of every photo, for review' },
  }),
  Review: {
    oneOf: [
      object({ student_id: string, learn: { type: 'boolean', default: false, description: "make the face one of the student's templates" } }, ['learn']),
      object({ dismiss: { enum: [true] } }),
    ],
  },
  ReviewResult: object({ detection, attendance: nullable(attendanceRow), learned: boolean }),
  ClassStats: object({
    class_id: uuid,
    code: string,
    name: string,
    sessions: array(object({ id: uuid, taken_at: dateTime, ...totals, students: integer, rate })),
    students: array(
      object({
        student_id: string,
        name: string,
        ...totals,
        sessions: integer,
        rate,
        chronically_absent: { type: 'boolean', description: 'rate under chronic_absence_rate (0.9)' },
        statuses: { ...array(statusOrNull), description: 'one per session above; null = not on the roster then' },
      }),
    ),
    totals: object({ ...totals, rate }),
    chronic_absence_rate: number,
  }),
  StudentAttendance: object({
    student_id: string,
    name: string,
    classes: array(
      object({
        class_id: uuid,
        code: string,
        name: string,
        ...totals,
        sessions: integer,
        rate,
        chronically_absent: boolean,
        records: array(object({ session_id: uuid, taken_at: dateTime, status: attendanceStatus, source: { enum: ['auto', 'manual', 'review'] } })),
      }),
    ),
  }),
  Correction: object({ status: attendanceStatus, note: { type: ['string', 'null'], maxLength: 1000 } }, ['note']),
  AttendanceRow: attendanceRow,
  AuditEntry: object(auditEntry),
  AuditPage: object({
    items: array(object({ id: { type: 'string', description: 'increasing with time' }, entity: string, entity_id: string, ...auditEntry })),
    next_cursor: { type: ['string', 'null'], description: 'pass as cursor for the next (older) page; null on the last page' },
  }),
  NewWebhook: object(
    {
      url: { type: 'string', description: 'http(s); loopback, private and link-local addresses are refused unless WEBHOOK_ALLOW_PRIVATE=true' },
      events: { ...array(webhookEvent), minItems: 1 },
      secret: { type: 'string', minLength: 16, description: 'the HMAC key; generated when left out' },
    },
    ['secret'],
  ),
  Webhook: object(webhookProps),
  CreatedWebhook: object({ ...webhookProps, secret: { type: 'string', description: 'shown only here: verify X-Rollcall-Signature with it' } }),
  WebhookUpdate: object({ paused: boolean }),
  WebhookDelivery: object({
    id: string,
    event_id: uuid,
    event: webhookEvent,
    status: { enum: ['pending', 'delivered', 'failed'], description: 'failed: given up after WEBHOOK_RETRY_HOURS' },
    attempts: integer,
    next_attempt_at: nullable(dateTime),
    last_attempt_at: nullable(dateTime),
    last_status_code: { type: ['integer', 'null'], description: "the receiver's HTTP status; null when none came (timeout, refused connection)" },
    last_error: nullable(string),
    delivered_at: nullable(dateTime),
    created_at: { ...dateTime, description: 'when the event happened' },
  }),
  Login: object({ email: { type: 'string', maxLength: 320 }, password: { type: 'string', maxLength: 256 } }),
  SignedIn: object({ user: user, csrf_token: { type: 'string', description: 'send it as X-CSRF-Token on unsafe requests made with the cookie' } }),
  SetupStatus: object({ setup_needed: boolean }),
  AuthConfig: object({
    password: boolean,
    sso: nullable(object({ name: { type: 'string', description: 'the page shows "Sign in with <name>"' }, start_url: string })),
  }),
  Setup: object({ setup_token: string, email: { type: 'string', maxLength: 320 }, name: { type: 'string', maxLength: 200 }, password: password }),
  Me: object({ ...userProps, classes: array(userClass), csrf_token: { type: ['string', 'null'], description: 'for X-CSRF-Token when signed in with the cookie' } }),
  PasswordChange: object({ current_password: string, new_password: password }),
  NewKey: object({ name: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$' } }),
  ApiKey: apiKey,
  CreatedKey: object({ ...apiKeyProps, key: { type: 'string', description: 'the key itself: shown this once' } }),
  NewUser: object(
    {
      email: { type: 'string', maxLength: 320 },
      name: { type: 'string', maxLength: 200 },
      role,
      password,
      classes: { ...array(string), description: 'ids or codes of the classes the user teaches' },
    },
    ['classes'],
  ),
  User: object({ ...userProps, classes: array(userClass) }),
  UserChange: object(
    { name: { type: 'string', maxLength: 200 }, role, disabled: boolean, password: { ...password, description: 'a new password, to be changed at the next sign-in' } },
    ['name', 'role', 'disabled', 'password'],
  ),
  TeacherAssignment: object({ email: { type: 'string', maxLength: 320 } }),
  Assignment: object({ class_id: uuid, class_code: string, user_id: uuid, email: string }),
} satisfies Record<string, Schema>;
