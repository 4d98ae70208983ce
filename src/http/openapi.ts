import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT, type Config } from '../config';
import { ref, schemas, type Schema } from './openapi-schemas';

/**
 * Every HTTP route, once: the OpenAPI document is built from this list, the metrics label
 * requests with its path templates, and the rate limit and JSON body limit read its flags.
 * test/api/openapi.test.ts checks it against the routes registered on the app.
 */
export interface Operation {
  method: 'get' | 'post' | 'patch' | 'delete';
  /** OpenAPI path template, e.g. /api/v1/classes/{classId}. */
  path: string;
  id: string;
  tag: 'meta' | 'web' | 'classes' | 'students' | 'enrolment' | 'recognition' | 'sessions';
  summary: string;
  /** No API key needed. */
  open?: true;
  /** Costly (photos through the models): counts against RATE_LIMIT_PER_MIN per key. */
  limited?: true;
  /** Takes a base64 photo in a JSON body, so its JSON limit is MAX_UPLOAD_MB rather than 100 kB. */
  largeJson?: true;
  query?: Record<string, Schema>;
  body?: Record<string, { schema: Schema }>;
  /** Success status → media type → schema. */
  ok: Record<number, Record<string, Schema>>;
  /** 4xx/5xx statuses answered with the Error body. */
  errors: number[];
}

const json = (schema: Schema) => ({ 'application/json': schema });
const binary = (mediaType: string): Schema => ({ type: 'string', contentMediaType: mediaType });
const flag: Schema = { type: 'boolean', default: false };
const PHOTO_FORMATS = 'JPEG, PNG, WebP, HEIC/HEIF, AVIF, TIFF or GIF (first frame); other formats get 415';
const base64Photo: Schema = { type: 'string', contentEncoding: 'base64', description: `the photo, base64 (a data: URL is accepted too): ${PHOTO_FORMATS}` };
const photo: Schema = { ...binary('image/*'), description: PHOTO_FORMATS };
const VIDEO_FORMATS =
  'or a video (MP4/MOV with H.264/HEVC, WebM; recognised by its bytes), up to MAX_VIDEO_MB and MAX_VIDEO_SECONDS; ' +
  'without ffmpeg on the server a video gets 415 video_unsupported';
const photoOrVideo: Schema = { type: 'string', contentMediaType: 'application/octet-stream', description: `a photo (${PHOTO_FORMATS}) ${VIDEO_FORMATS}` };

const recognitionOptions: Record<string, Schema> = {
  class_id: { type: 'string', description: 'match only this class (id or code) and list its absent students' },
  threshold: { type: 'number', minimum: 0.05, maximum: 0.95, description: 'overrides the class and server threshold' },
  record: { ...flag, description: 'save an attendance session for the class (needs class_id)' },
  annotate: { ...flag, description: 'answer image/jpeg with the faces boxed and named (a video: a contact sheet of the best frame of each track)' },
  live: { ...flag, description: 'a live camera frame: detected at its own resolution, never enlarged (faster; tiny faces are missed)' },
};

/** A recognition takes multipart `file` or a JSON body with the photo under one of `jsonFields`. */
function photoBody(jsonFields: string[], options: Record<string, Schema>): Operation['body'] {
  const jsonPhoto = Object.fromEntries(jsonFields.map((f) => [f, base64Photo]));
  return {
    'multipart/form-data': { schema: { type: 'object', properties: { file: photoOrVideo, ...options }, required: ['file'] } },
    'application/json': { schema: { type: 'object', properties: { ...jsonPhoto, ...options }, description: `the photo under "${jsonFields.join('" or "')}"` } },
  };
}

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const exportBody = { [XLSX]: binary(XLSX), 'text/csv': { type: 'string' } };
const annotated = (schema: Schema) => ({ 'application/json': schema, 'image/jpeg': binary('image/jpeg') });
const PHOTO_ERRORS = [400, 401, 404, 413, 415, 429, 503];

export function operations(config: Pick<Config, 'maxFiles' | 'metricsPublic'>): Operation[] {
  return [
    { method: 'get', path: '/health', id: 'health', tag: 'meta', summary: 'Liveness, database and inference queue', open: true, ok: { 200: json(ref('Health')) }, errors: [] },
    { method: 'get', path: '/openapi.json', id: 'openapi', tag: 'meta', summary: 'This document', open: true, ok: { 200: json({ type: 'object' }) }, errors: [] },
    {
      method: 'get',
      path: '/metrics',
      id: 'metrics',
      tag: 'meta',
      summary: 'Prometheus metrics (text format 0.0.4); needs a key unless METRICS_PUBLIC=true',
      ...(config.metricsPublic ? { open: true as const } : {}),
      ok: { 200: { 'text/plain': { type: 'string' } } },
      errors: config.metricsPublic ? [] : [401],
    },
    { method: 'get', path: '/', id: 'webPage', tag: 'web', summary: 'The teacher page', open: true, ok: { 200: { 'text/html': { type: 'string' } } }, errors: [] },
    {
      method: 'get',
      path: '/web/{file}',
      id: 'webAsset',
      tag: 'web',
      summary: "The teacher page's scripts and styles",
      open: true,
      ok: { 200: { 'text/javascript': { type: 'string' }, 'text/css': { type: 'string' } } },
      // An unknown asset falls through to the API: 401 without a key, 404 with one.
      errors: [401, 404],
    },
    { method: 'post', path: '/api/v1/classes', id: 'createClass', tag: 'classes', summary: 'Create a class', body: { 'application/json': { schema: ref('NewClass') } }, ok: { 201: json(ref('Class')) }, errors: [400, 401, 409, 413] },
    { method: 'get', path: '/api/v1/classes', id: 'listClasses', tag: 'classes', summary: 'All classes', ok: { 200: json({ type: 'array', items: ref('Class') }) }, errors: [401] },
    { method: 'get', path: '/api/v1/classes/{classId}', id: 'showClass', tag: 'classes', summary: 'One class with its roster size', ok: { 200: json(ref('ClassDetail')) }, errors: [401, 404] },
    { method: 'get', path: '/api/v1/classes/{classId}/students', id: 'classRoster', tag: 'classes', summary: "The class's students", ok: { 200: json({ type: 'array', items: ref('Student') }) }, errors: [401, 404] },
    {
      method: 'post',
      path: '/api/v1/classes/{classId}/roster',
      id: 'importRoster',
      tag: 'classes',
      summary: 'Make the roster equal to an .xlsx or .csv file (all or nothing)',
      query: { dry_run: { ...flag, description: 'validate and report only' }, sheet: { type: 'string', description: 'the sheet to read (default: the first with data)' } },
      body: { 'multipart/form-data': { schema: { type: 'object', properties: { file: binary('application/octet-stream'), dry_run: flag, sheet: { type: 'string' } }, required: ['file'] } } },
      ok: { 200: json(ref('RosterReport')) },
      errors: [400, 401, 404, 413, 422],
    },
    { method: 'get', path: '/api/v1/classes/{classId}/sessions', id: 'classSessions', tag: 'sessions', summary: "The class's attendance sessions", ok: { 200: json({ type: 'array', items: ref('SessionSummary') }) }, errors: [401, 404] },
    { method: 'get', path: '/api/v1/classes/{classId}/attendance.{format}', id: 'exportClass', tag: 'sessions', summary: 'Students × sessions matrix with totals', ok: { 200: exportBody }, errors: [401, 404] },
    { method: 'post', path: '/api/v1/students', id: 'createStudent', tag: 'students', summary: 'Create a student outside any roster', body: { 'application/json': { schema: ref('NewStudent') } }, ok: { 201: json(ref('Student')) }, errors: [400, 401, 409, 413] },
    { method: 'get', path: '/api/v1/students/{studentId}', id: 'showStudent', tag: 'students', summary: 'One student and their enrolled face count', ok: { 200: json(ref('Student')) }, errors: [401, 404] },
    {
      method: 'post',
      path: '/api/v1/students/{studentId}/faces',
      id: 'enrolFaces',
      tag: 'enrolment',
      summary: 'Enrol face photos, one face each; 422 no_usable_face when none could be enrolled',
      limited: true,
      body: {
        'multipart/form-data': {
          schema: { type: 'object', properties: { images: { type: 'array', items: photo, minItems: 1, maxItems: config.maxFiles }, force: { ...flag, description: 'enrol even a face that looks like another student' } }, required: ['images'] },
        },
      },
      ok: { 201: json(ref('Enrolment')) },
      errors: [400, 401, 404, 413, 422, 429, 503],
    },
    { method: 'delete', path: '/api/v1/students/{studentId}/faces', id: 'eraseFaces', tag: 'enrolment', summary: 'Erase the embeddings and stored crops', ok: { 204: {} }, errors: [401, 404] },
    { method: 'delete', path: '/api/v1/students/{studentId}', id: 'eraseStudent', tag: 'students', summary: 'Erase the student and everything biometric', ok: { 204: {} }, errors: [401, 404] },
    {
      method: 'post',
      path: '/api/v1/enrolments',
      id: 'bulkEnrol',
      tag: 'enrolment',
      summary: 'Enrol a zip of <student_id>/<photo> folders',
      limited: true,
      body: { 'multipart/form-data': { schema: { type: 'object', properties: { file: binary('application/zip'), force: flag }, required: ['file'] } } },
      ok: { 200: json(ref('BulkEnrolment')) },
      errors: [400, 401, 413, 429, 503],
    },
    { method: 'post', path: '/recognize_faces', id: 'recognizeClassic', tag: 'recognition', summary: 'Names in a photo or video, in the classic format', limited: true, largeJson: true, body: photoBody(['file', 'image'], recognitionOptions), ok: { 200: annotated(ref('ClassicRecognition')) }, errors: PHOTO_ERRORS },
    { method: 'post', path: '/api/v1/recognitions', id: 'recognize', tag: 'recognition', summary: 'Every face of a photo (or track of a video): box, landmarks, decision, candidates', limited: true, largeJson: true, body: photoBody(['image', 'file'], recognitionOptions), ok: { 200: annotated(ref('Recognition')) }, errors: PHOTO_ERRORS },
    { method: 'get', path: '/api/v1/sessions/{sessionId}', id: 'showSession', tag: 'sessions', summary: 'One attendance row per roster student, and the photos', ok: { 200: json(ref('Session')) }, errors: [401, 404] },
    {
      method: 'post',
      path: '/api/v1/sessions/{sessionId}/photos',
      id: 'addSessionPhoto',
      tag: 'sessions',
      summary: 'Another photo or clip of the same lesson: a student seen in any of them is present',
      limited: true,
      largeJson: true,
      body: photoBody(['image', 'file'], { threshold: recognitionOptions.threshold, live: recognitionOptions.live }),
      ok: { 200: json(ref('Recognition')) },
      errors: PHOTO_ERRORS,
    },
    { method: 'patch', path: '/api/v1/sessions/{sessionId}/attendance/{studentId}', id: 'correctAttendance', tag: 'sessions', summary: "Correct a student's status (audited)", body: { 'application/json': { schema: ref('Correction') } }, ok: { 200: json(ref('AttendanceRow')) }, errors: [400, 401, 404, 413] },
    { method: 'get', path: '/api/v1/sessions/{sessionId}/attendance/{studentId}/history', id: 'attendanceHistory', tag: 'sessions', summary: 'The audit trail of corrections', ok: { 200: json({ type: 'array', items: ref('AuditEntry') }) }, errors: [401, 404] },
    { method: 'get', path: '/api/v1/sessions/{sessionId}/attendance.{format}', id: 'exportSession', tag: 'sessions', summary: 'One session as a spreadsheet', ok: { 200: exportBody }, errors: [401, 404] },
  ];
}

/** The template's regexp: a parameter is one path segment (or the rest of it, as in attendance.{format}). */
function pattern(template: string): RegExp {
  const body = template.split(/\{[^}]+\}/).map((lit) => lit.replace(/[.*+?^$()|[\]\\]/g, '\\$&')).join('[^/]+');
  // Express matches case-insensitively and ignores one trailing slash by default.
  return new RegExp(`^${body}/?$`, 'i');
}

/** Finds the operation a request is for (null for anything undocumented), HEAD counting as GET like in Express. */
export function operationMatcher(ops: Operation[]): (method: string, urlPath: string) => Operation | null {
  const table = ops.map((op) => ({ op, re: pattern(op.path) }));
  return (method, urlPath) => {
    const m = method === 'HEAD' ? 'get' : method.toLowerCase();
    return table.find(({ op, re }) => op.method === m && re.test(urlPath))?.op ?? null;
  };
}

const PARAMS: Record<string, Schema> = {
  classId: { type: 'string', description: 'the class id, or its code' },
  studentId: { type: 'string', description: "the school's student ID" },
  sessionId: { type: 'string', format: 'uuid' },
  format: { enum: ['xlsx', 'csv'] },
  file: { type: 'string', description: 'a file name such as app.js or styles.css' },
};

const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  204: 'No content',
  400: 'Bad input (a specific code: no_file, invalid_image, validation_error, invalid_json, too_many_files…)',
  401: 'unauthorized: no or invalid API key',
  404: 'not_found',
  409: 'Already exists',
  413: 'file_too_large, image_too_large, zip_too_large or payload_too_large',
  415: 'unsupported_media_type',
  422: 'The file was read but cannot be used (see details)',
  429: 'rate_limited: see Retry-After',
  503: 'busy: the inference queue is full (see Retry-After); or timeout',
};

const errorContent = { 'application/json': { schema: ref('Error') } };

function toPathItemOperation(op: Operation) {
  const params = [...op.path.matchAll(/\{([^}]+)\}/g)].map(([, name]) => ({ name, in: 'path', required: true, schema: PARAMS[name] }));
  const query = Object.entries(op.query ?? {}).map(([name, schema]) => ({ name, in: 'query', required: false, schema }));
  const responses: Record<string, unknown> = {};
  for (const [status, content] of Object.entries(op.ok)) {
    const media = Object.entries(content).map(([type, schema]) => [type, { schema }]);
    responses[status] = { description: STATUS_TEXT[Number(status)], ...(media.length ? { content: Object.fromEntries(media) } : {}) };
  }
  for (const status of op.errors) responses[status] = { description: STATUS_TEXT[status], content: errorContent };
  responses.default = { description: 'Unexpected error', content: errorContent };
  return {
    operationId: op.id,
    tags: [op.tag],
    summary: op.summary,
    ...(op.open ? { security: [] } : {}),
    ...(params.length || query.length ? { parameters: [...params, ...query] } : {}),
    ...(op.body ? { requestBody: { required: true, content: op.body } } : {}),
    responses,
  };
}

const version = (): string => (JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

export function openApiDocument(config: Config) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations(config)) (paths[op.path] ??= {})[op.method] = toPathItemOperation(op);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Rollcall',
      version: version(),
      description: [
        'Attendance from a classroom photo. Errors are always `{"error": {"code", "message", "details"}}`.',
        `Photos through the models count against ${config.rateLimitPerMin || 'no'} requests per minute per API key (RATE_LIMIT_PER_MIN).`,
        `A request not answered within ${config.requestTimeoutMs} ms gets 503 \`timeout\`.`,
      ].join(' '),
    },
    security: [{ bearer: [] }, { apiKey: [] }],
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <API key>' },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      },
      schemas,
    },
  };
}
