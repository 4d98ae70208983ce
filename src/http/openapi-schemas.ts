/**
 * JSON Schemas (2020-12, as OpenAPI 3.1 uses them) of Rollcall's request and response bodies:
 * the `components.schemas` of the OpenAPI document. They describe what the services return;
 * test/api/openapi.test.ts checks real answers against them.
 */
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

const attendanceStatus: Schema = { enum: ['present', 'absent', 'late', 'excused'] };

const attendanceRow = object({
  student_id: string,
  name: string,
  status: attendanceStatus,
  similarity: nullable(similarity),
  source: { enum: ['auto', 'manual'] },
  note: nullable(string),
});

export const schemas = {
  Error: object({
    error: object(
      {
        code: { type: 'string', description: 'stable snake_case code, e.g. no_file, validation_error, rate_limited' },
        message: { type: 'string', description: 'for humans' },
        details: { description: 'problem-specific, e.g. [{row, column, problem}] for invalid_roster, [{field, problem}] for validation_error' },
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
  Student: object({ student_id: string, name: string, email: nullable(string), faces: { type: 'integer', description: 'enrolled embeddings' } }),
  RosterReport: object({
    dry_run: boolean,
    sheet: string,
    header_row: integer,
    added: integer,
    updated: integer,
    removed: integer,
    total: integer,
    changes: object({ added: array(string), updated: array(object({ student_id: string, from: string, to: string })), removed: array(string) }),
  }),
  Enrolment: object({ student_id: string, enrolled: integer, results: array(enrolResult) }),
  BulkEnrolment: object({
    students: array(object({ student_id: string, enrolled: integer, error: object({ code: string, message: string }), results: array(enrolResult) }, ['error'])),
    enrolled: integer,
    rejected: integer,
  }),
  Recognition: object({
    session_id: { type: ['string', 'null'], description: 'set when the photo was recorded in a session' },
    class_id: nullable(uuid),
    image: object({ width: integer, height: integer }),
    faces: array(face),
    present: array(object({ student_id: string, name: string, similarity })),
    absent: { ...array(object({ student_id: string, name: string })), description: 'roster students not seen (class given)' },
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
    photos: array(object({ id: uuid, width: integer, height: integer, faces: integer, unknown_faces: integer, timings_ms: { type: 'object' }, added_at: dateTime })),
    attendance: array(attendanceRow),
  }),
  Correction: object({ status: attendanceStatus, note: { type: ['string', 'null'], maxLength: 1000 } }, ['note']),
  AttendanceRow: attendanceRow,
  AuditEntry: object({
    at: dateTime,
    actor: { type: 'string', description: 'the API key name' },
    action: string,
    before: { type: ['object', 'null'] },
    after: { type: ['object', 'null'] },
    note: nullable(string),
  }),
} satisfies Record<string, Schema>;
