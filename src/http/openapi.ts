import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT, type Config } from '../config';
import type { Access } from '../services/policy';
import { SESSION_COOKIE } from './session-cookie';
import { ref, schemas, type Schema } from './openapi-schemas';

/**
 * Every HTTP route, once: the OpenAPI document is built from this list, the metrics label
 * requests with its path templates, the rate limit and JSON body limit read its flags, and the
 * access policy (src/services/policy.ts) reads who may call it.
 * test/api/openapi.test.ts checks it against the routes registered on the app.
 */
export interface Operation {
  method: 'get' | 'post' | 'patch' | 'delete';
  /** OpenAPI path template, e.g. /api/v1/classes/{classId}. */
  path: string;
  id: string;
  tag: 'meta' | 'web' | 'accounts' | 'classes' | 'oneroster' | 'students' | 'enrolment' | 'recognition' | 'sessions' | 'webhooks' | 'audit' | 'review' | 'insight';
  summary: string;
  /** Who may call it: see Access. */
  access: Access;
  /** A health probe: answered ahead of the shutdown gate; any other operation may also answer 503 (see toPathItemOperation). */
  probe?: true;
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

const jsonBody = (name: Parameters<typeof ref>[0]) => ({ 'application/json': { schema: ref(name) } });

/** Sign-in, the signed-in user's own account and keys, and the admins' user management. */
function accountOperations(): Operation[] {
  return [
    { method: 'post', path: '/api/v1/auth/login', id: 'login', tag: 'accounts', access: 'public', summary: 'Sign in with email and password: sets the session cookie', body: jsonBody('Login'), ok: { 200: json(ref('SignedIn')) }, errors: [400, 401, 413, 429] },
    { method: 'post', path: '/api/v1/auth/logout', id: 'logout', tag: 'accounts', access: 'user', summary: 'End this session and clear its cookie', ok: { 204: {} }, errors: [401] },
    { method: 'get', path: '/api/v1/auth/setup', id: 'setupStatus', tag: 'accounts', access: 'public', summary: 'Whether the first admin still has to be created', ok: { 200: json(ref('SetupStatus')) }, errors: [] },
    { method: 'post', path: '/api/v1/auth/setup', id: 'setup', tag: 'accounts', access: 'public', summary: 'Create the first admin with the one-time setup token, and sign in', body: jsonBody('Setup'), ok: { 201: json(ref('SignedIn')) }, errors: [400, 403, 413] },
    ...singleSignOnOperations(),
    { method: 'get', path: '/api/v1/me', id: 'me', tag: 'accounts', access: 'user', summary: 'The signed-in user and their classes', ok: { 200: json(ref('Me')) }, errors: [401, 404] },
    { method: 'post', path: '/api/v1/me/password', id: 'changePassword', tag: 'accounts', access: 'user', summary: 'Change your password (your other sessions end)', body: jsonBody('PasswordChange'), ok: { 204: {} }, errors: [400, 401, 404, 413] },
    { method: 'post', path: '/api/v1/me/keys', id: 'createKey', tag: 'accounts', access: 'user', summary: 'A new API key of your own, with your role and classes (shown once)', body: jsonBody('NewKey'), ok: { 201: json(ref('CreatedKey')) }, errors: [400, 401, 404, 409, 413] },
    { method: 'get', path: '/api/v1/me/keys', id: 'listKeys', tag: 'accounts', access: 'user', summary: 'Your API keys', ok: { 200: json({ type: 'array', items: ref('ApiKey') }) }, errors: [401, 404] },
    { method: 'delete', path: '/api/v1/me/keys/{keyId}', id: 'revokeKey', tag: 'accounts', access: 'user', summary: 'Revoke one of your keys', ok: { 204: {} }, errors: [401, 404] },
    { method: 'post', path: '/api/v1/users', id: 'createUser', tag: 'accounts', access: 'admin', summary: 'Create a user, with class assignments (all or nothing)', body: jsonBody('NewUser'), ok: { 201: json(ref('User')) }, errors: [400, 401, 409, 413] },
    { method: 'get', path: '/api/v1/users', id: 'listUsers', tag: 'accounts', access: 'admin', summary: 'Every user with their classes', ok: { 200: json({ type: 'array', items: ref('User') }) }, errors: [401] },
    { method: 'patch', path: '/api/v1/users/{userId}', id: 'updateUser', tag: 'accounts', access: 'admin', summary: "Change a user's name, role or disabled flag, or reset their password (changed at next sign-in)", body: jsonBody('UserChange'), ok: { 200: json(ref('User')) }, errors: [400, 401, 404, 409, 413] },
  ];
}

/** How the page may sign in, and single sign-on (OpenID Connect): browser navigations, answered with redirects. */
function singleSignOnOperations(): Operation[] {
  return [
    { method: 'get', path: '/api/v1/auth/config', id: 'authConfig', tag: 'accounts', access: 'public', summary: 'How to sign in here: password, and single sign-on when configured', ok: { 200: json(ref('AuthConfig')) }, errors: [] },
    { method: 'get', path: '/api/v1/auth/oidc/start', id: 'ssoStart', tag: 'accounts', access: 'public', summary: 'Single sign-on: redirects the browser to the identity provider', ok: { 302: {} }, errors: [404, 503] },
    {
      method: 'get',
      path: '/api/v1/auth/oidc/callback',
      id: 'ssoCallback',
      tag: 'accounts',
      access: 'public',
      summary: "The identity provider's answer: sets the session cookie and redirects to the page",
      query: { code: { type: 'string' }, state: { type: 'string' }, iss: { type: 'string' }, error: { type: 'string' }, error_description: { type: 'string' } },
      ok: { 302: {} },
      errors: [400, 401, 403, 404, 503],
    },
  ];
}

export function operations(config: Pick<Config, 'maxFiles' | 'metricsPublic'>): Operation[] {
  return [
    {
      method: 'get',
      path: '/health',
      id: 'health',
      tag: 'meta',
      summary: 'Database, models and inference queue; 503 database_unavailable or models_unavailable with details.down naming the parts that are down',
      access: 'public',
      probe: true,
      ok: { 200: json(ref('Health')) },
      errors: [503],
    },
    { method: 'get', path: '/health/live', id: 'live', tag: 'meta', summary: 'Liveness probe: the process is up (asks no dependency)', access: 'public', probe: true, ok: { 200: json(ref('Live')) }, errors: [] },
    {
      method: 'get',
      path: '/health/ready',
      id: 'ready',
      tag: 'meta',
      summary: 'Readiness probe: 503 starting, shutting_down, database_unavailable or models_unavailable',
      access: 'public',
      probe: true,
      ok: { 200: json(ref('Ready')) },
      errors: [503],
    },
    { method: 'get', path: '/openapi.json', id: 'openapi', tag: 'meta', summary: 'This document', access: 'public', ok: { 200: json({ type: 'object' }) }, errors: [] },
    {
      method: 'get',
      path: '/metrics',
      id: 'metrics',
      tag: 'meta',
      summary: 'Prometheus metrics (text format 0.0.4); needs a key unless METRICS_PUBLIC=true',
      access: config.metricsPublic ? 'public' : 'admin',
      ok: { 200: { 'text/plain': { type: 'string' } } },
      errors: config.metricsPublic ? [] : [401],
    },
    { method: 'get', path: '/', id: 'webPage', tag: 'web', summary: 'The teacher page', access: 'public', ok: { 200: { 'text/html': { type: 'string' } } }, errors: [] },
    {
      method: 'get',
      path: '/web/{file}',
      id: 'webAsset',
      tag: 'web',
      summary: "The teacher page's scripts and styles",
      access: 'public',
      ok: { 200: { 'text/javascript': { type: 'string' }, 'text/css': { type: 'string' } } },
      // An unknown asset falls through to the API: 401 without a key, 404 with one.
      errors: [401, 404],
    },
    ...accountOperations(),
    { method: 'post', path: '/api/v1/classes', id: 'createClass', tag: 'classes', access: 'admin', summary: 'Create a class', body: { 'application/json': { schema: ref('NewClass') } }, ok: { 201: json(ref('Class')) }, errors: [400, 401, 409, 413] },
    { method: 'get', path: '/api/v1/classes', id: 'listClasses', tag: 'classes', access: 'user', summary: 'All classes', ok: { 200: json({ type: 'array', items: ref('Class') }) }, errors: [401] },
    { method: 'get', path: '/api/v1/classes/{classId}', id: 'showClass', tag: 'classes', access: 'class:classId', summary: 'One class with its roster size', ok: { 200: json(ref('ClassDetail')) }, errors: [401, 404] },
    { method: 'get', path: '/api/v1/classes/{classId}/students', id: 'classRoster', tag: 'classes', access: 'class:classId', summary: "The class's students", ok: { 200: json({ type: 'array', items: ref('Student') }) }, errors: [401, 404] },
    {
      method: 'post',
      path: '/api/v1/classes/{classId}/roster',
      id: 'importRoster',
      tag: 'classes',
      summary: 'Make the roster equal to an .xlsx or .csv file (all or nothing)',
      access: 'class:classId',
      query: { dry_run: { ...flag, description: 'validate and report only' }, sheet: { type: 'string', description: 'the sheet to read (default: the first with data)' } },
      body: { 'multipart/form-data': { schema: { type: 'object', properties: { file: binary('application/octet-stream'), dry_run: flag, sheet: { type: 'string' } }, required: ['file'] } } },
      ok: { 200: json(ref('RosterReport')) },
      errors: [400, 401, 404, 413, 422],
    },
    {
      method: 'post',
      path: '/api/v1/oneroster',
      id: 'importOneRoster',
      tag: 'oneroster',
      summary: 'Import a OneRoster 1.1/1.2 CSV bundle (zip): classes, students, teachers and enrolments, all or nothing',
      access: 'admin',
      query: { dry_run: { ...flag, description: 'check and count only' } },
      body: { 'multipart/form-data': { schema: { type: 'object', properties: { file: binary('application/zip'), dry_run: flag }, required: ['file'] } } },
      ok: { 200: json(ref('OneRosterReport')) },
      errors: [400, 401, 413, 422],
    },
    { method: 'post', path: '/api/v1/classes/{classId}/teachers', id: 'assignTeacher', tag: 'accounts', access: 'admin', summary: 'Assign a teacher (by email) to the class', body: jsonBody('TeacherAssignment'), ok: { 201: json(ref('Assignment')) }, errors: [400, 401, 404, 409, 413] },
    { method: 'delete', path: '/api/v1/classes/{classId}/teachers/{userId}', id: 'unassignTeacher', tag: 'accounts', access: 'admin', summary: 'Take a teacher off the class', ok: { 204: {} }, errors: [401, 404] },
    { method: 'get', path: '/api/v1/classes/{classId}/sessions', id: 'classSessions', access: 'class:classId', tag: 'sessions', summary: "The class's attendance sessions", ok: { 200: json({ type: 'array', items: ref('SessionSummary') }) }, errors: [401, 404] },
    { method: 'get', path: '/api/v1/classes/{classId}/attendance.{format}', id: 'exportClass', access: 'class:classId', tag: 'sessions', summary: 'Students × sessions matrix with totals', ok: { 200: exportBody }, errors: [401, 404] },
    {
      method: 'get',
      path: '/api/v1/classes/{classId}/stats',
      id: 'classStats',
      access: 'class:classId',
      tag: 'insight',
      summary: 'Attendance rate per session and per student (under 90%: chronically absent), as the class export counts them',
      query: {
        from: { type: 'string', description: 'first day (2026-09-01) or instant (ISO date-time) to include' },
        to: { type: 'string', description: 'last day to include (a whole day), or the instant to stop before' },
      },
      ok: { 200: json(ref('ClassStats')) },
      errors: [400, 401, 404],
    },
    { method: 'post', path: '/api/v1/students', id: 'createStudent', access: 'admin', tag: 'students', summary: 'Create a student outside any roster', body: { 'application/json': { schema: ref('NewStudent') } }, ok: { 201: json(ref('Student')) }, errors: [400, 401, 409, 413] },
    { method: 'get', path: '/api/v1/students/{studentId}', id: 'showStudent', access: 'class:studentId', tag: 'students', summary: 'One student, their enrolled face count and consent', ok: { 200: json(ref('Student')) }, errors: [401, 404] },
    {
      method: 'post',
      path: '/api/v1/students/{studentId}/consent',
      id: 'recordConsent',
      access: 'class:studentId',
      tag: 'students',
      summary: "Record the student's biometric consent; refused erases their faces at once (audited)",
      body: { 'application/json': { schema: ref('NewConsent') } },
      ok: { 200: json(ref('ConsentRecorded')) },
      errors: [400, 401, 404, 413],
    },
    {
      method: 'get',
      path: '/api/v1/students/{studentId}/export',
      id: 'exportStudent',
      access: 'admin',
      tag: 'students',
      summary: 'Subject access: a zip of JSON files with everything stored about the student (audited)',
      ok: { 200: { 'application/zip': binary('application/zip') } },
      errors: [401, 404],
    },
    {
      method: 'post',
      path: '/api/v1/students/{studentId}/faces',
      id: 'enrolFaces',
      tag: 'enrolment',
      summary: 'Enrol face photos, one face each; 422 no_usable_face when none could be enrolled',
      access: 'class:studentId',
      limited: true,
      body: {
        'multipart/form-data': {
          schema: { type: 'object', properties: { images: { type: 'array', items: photo, minItems: 1, maxItems: config.maxFiles }, force: { ...flag, description: 'enrol even a face that looks like another student' } }, required: ['images'] },
        },
      },
      ok: { 201: json(ref('Enrolment')) },
      errors: [400, 401, 404, 409, 413, 422, 429, 503],
    },
    { method: 'get', path: '/api/v1/students/{studentId}/attendance', id: 'studentAttendance', access: 'class:studentId', tag: 'insight', summary: "The student's attendance in each of their classes", ok: { 200: json(ref('StudentAttendance')) }, errors: [401, 404] },
    { method: 'delete', path: '/api/v1/students/{studentId}/faces', id: 'eraseFaces', access: 'admin', tag: 'enrolment', summary: 'Erase the embeddings and stored crops', ok: { 204: {} }, errors: [401, 404] },
    { method: 'delete', path: '/api/v1/students/{studentId}', id: 'eraseStudent', access: 'admin', tag: 'students', summary: 'Erase the student and everything biometric', ok: { 204: {} }, errors: [401, 404] },
    {
      method: 'post',
      path: '/api/v1/enrolments',
      id: 'bulkEnrol',
      tag: 'enrolment',
      summary: 'Enrol a zip of <student_id>/<photo> folders',
      access: 'admin',
      limited: true,
      body: { 'multipart/form-data': { schema: { type: 'object', properties: { file: binary('application/zip'), force: flag }, required: ['file'] } } },
      ok: { 200: json(ref('BulkEnrolment')) },
      errors: [400, 401, 413, 429, 503],
    },
    { method: 'post', path: '/recognize_faces', id: 'recognizeClassic', tag: 'recognition', access: 'class:class_id', summary: 'Names in a photo or video, in the classic format', limited: true, largeJson: true, body: photoBody(['file', 'image'], recognitionOptions), ok: { 200: annotated(ref('ClassicRecognition')) }, errors: PHOTO_ERRORS },
    { method: 'post', path: '/api/v1/recognitions', id: 'recognize', tag: 'recognition', access: 'class:class_id', summary: 'Every face of a photo (or track of a video): box, landmarks, decision, candidates', limited: true, largeJson: true, body: photoBody(['image', 'file'], recognitionOptions), ok: { 200: annotated(ref('Recognition')) }, errors: PHOTO_ERRORS },
    { method: 'get', path: '/api/v1/sessions/{sessionId}', id: 'showSession', tag: 'sessions', access: 'class:sessionId', summary: 'One attendance row per roster student, and the photos', ok: { 200: json(ref('Session')) }, errors: [401, 404] },
    {
      method: 'post',
      path: '/api/v1/sessions/{sessionId}/photos',
      id: 'addSessionPhoto',
      tag: 'sessions',
      summary: 'Another photo or clip of the same lesson: a student seen in any of them is present',
      access: 'class:sessionId',
      limited: true,
      largeJson: true,
      body: photoBody(['image', 'file'], { threshold: recognitionOptions.threshold, live: recognitionOptions.live }),
      ok: { 200: json(ref('Recognition')) },
      errors: PHOTO_ERRORS,
    },
    { method: 'patch', path: '/api/v1/sessions/{sessionId}/attendance/{studentId}', id: 'correctAttendance', access: 'class:sessionId', tag: 'sessions', summary: "Correct a student's status (audited)", body: { 'application/json': { schema: ref('Correction') } }, ok: { 200: json(ref('AttendanceRow')) }, errors: [400, 401, 404, 413] },
    {
      method: 'get',
      path: '/api/v1/sessions/{sessionId}/photos/{photoId}',
      id: 'sessionPhoto',
      access: 'class:sessionId',
      tag: 'review',
      summary: "A stored photo's bytes as uploaded (only with STORE_PHOTOS=true, until PHOTO_RETENTION_DAYS), for the review page's face crops",
      ok: { 200: { 'application/octet-stream': binary('application/octet-stream') } },
      errors: [401, 404],
    },
    {
      method: 'post',
      path: '/api/v1/sessions/{sessionId}/detections/{detectionId}',
      id: 'reviewDetection',
      access: 'class:sessionId',
      tag: 'review',
      summary:
        'Name an unnamed face (the student becomes present, source review; with learn the face becomes one of their templates) or dismiss it. ' +
        '409 already_assigned (student named on another face of the photo), already_reviewed, embedding_expired (learn after REVIEW_RETENTION_DAYS), looks_like (learn: the face matches another student)',
      body: { 'application/json': { schema: ref('Review') } },
      ok: { 200: json(ref('ReviewResult')) },
      errors: [400, 401, 404, 409, 413, 422],
    },
    { method: 'get', path: '/api/v1/sessions/{sessionId}/attendance/{studentId}/history', id: 'attendanceHistory', access: 'class:sessionId', tag: 'sessions', summary: 'The audit trail of corrections', ok: { 200: json({ type: 'array', items: ref('AuditEntry') }) }, errors: [401, 404] },
    {
      method: 'get',
      path: '/api/v1/audit',
      id: 'auditLog',
      access: 'admin',
      tag: 'audit',
      summary: 'The audit log, newest first, filtered and paged',
      query: {
        actor: { type: 'string' },
        action: { type: 'string', description: 'e.g. record_consent, delete_faces, erase_student, correct_attendance, import_roster, export_student' },
        entity: { type: 'string', description: 'student, class or attendance' },
        entity_id: { type: 'string' },
        since: { type: 'string', format: 'date-time', description: 'at or after (ISO 8601)' },
        until: { type: 'string', format: 'date-time', description: 'before (ISO 8601)' },
        limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
        cursor: { type: 'string', description: 'next_cursor of the previous page' },
      },
      ok: { 200: json(ref('AuditPage')) },
      errors: [400, 401],
    },
    {
      method: 'post',
      path: '/api/v1/backups',
      id: 'createBackup',
      access: 'admin',
      tag: 'meta',
      summary: 'A consistent backup of the embedded database, taken while the service runs (what `rollcall backup` asks for); 409 backup_unsupported on PostgreSQL (use pg_dump)',
      ok: { 200: { 'application/octet-stream': binary('application/octet-stream') } },
      errors: [401, 409],
    },
    { method: 'get', path: '/api/v1/sessions/{sessionId}/attendance.{format}', id: 'exportSession', access: 'class:sessionId', tag: 'sessions', summary: 'One session as a spreadsheet', ok: { 200: exportBody }, errors: [401, 404] },
    { method: 'post', path: '/api/v1/webhooks', id: 'createWebhook', access: 'admin', tag: 'webhooks', summary: 'Register an endpoint for signed event deliveries (admin); the secret is shown only in this answer', body: { 'application/json': { schema: ref('NewWebhook') } }, ok: { 201: json(ref('CreatedWebhook')) }, errors: [400, 401, 413] },
    { method: 'get', path: '/api/v1/webhooks', id: 'listWebhooks', access: 'admin', tag: 'webhooks', summary: 'The registered endpoints (admin), without secrets', ok: { 200: json({ type: 'array', items: ref('Webhook') }) }, errors: [401] },
    { method: 'patch', path: '/api/v1/webhooks/{webhookId}', id: 'pauseWebhook', access: 'admin', tag: 'webhooks', summary: 'Pause or resume an endpoint (admin): paused, it gets no new events and its pending deliveries wait', body: { 'application/json': { schema: ref('WebhookUpdate') } }, ok: { 200: json(ref('Webhook')) }, errors: [400, 401, 404, 413] },
    { method: 'delete', path: '/api/v1/webhooks/{webhookId}', id: 'deleteWebhook', access: 'admin', tag: 'webhooks', summary: 'Delete an endpoint and its delivery log (admin)', ok: { 204: {} }, errors: [401, 404] },
    {
      method: 'get',
      path: '/api/v1/webhooks/{webhookId}/deliveries',
      id: 'webhookDeliveries',
      access: 'admin',
      tag: 'webhooks',
      summary: "The endpoint's latest 200 deliveries (admin): status, attempts, last error, next attempt",
      ok: { 200: json({ type: 'array', items: ref('WebhookDelivery') }) },
      errors: [401, 404],
    },
  ];
}

/** The template's regexp: a parameter is one path segment (or the rest of it, as in attendance.{format}). */
function pattern(template: string): RegExp {
  const body = template.split(/\{[^}]+\}/).map((lit) => lit.replace(/[.*+?^$()|[\]\\]/g, '\\$&')).join('([^/]+)');
  // Express matches case-insensitively and ignores one trailing slash by default.
  return new RegExp(`^${body}/?$`, 'i');
}

/** The operation a request is for and its path parameters, decoded; null for anything undocumented. */
export function operationRouter(ops: Operation[]): (method: string, urlPath: string) => { op: Operation; params: Record<string, string> } | null {
  const table = ops.map((op) => ({ op, re: pattern(op.path), names: [...op.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]) }));
  return (method, urlPath) => {
    // HEAD counts as GET, like in Express.
    const m = method === 'HEAD' ? 'get' : method.toLowerCase();
    for (const { op, re, names } of table) {
      const found = op.method === m ? re.exec(urlPath) : null;
      if (found) return { op, params: Object.fromEntries(names.map((n, i) => [n, safeDecode(found[i + 1])])) };
    }
    return null;
  };
}

const safeDecode = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

/** Finds the operation a request is for (null for anything undocumented). */
export function operationMatcher(ops: Operation[]): (method: string, urlPath: string) => Operation | null {
  const route = operationRouter(ops);
  return (method, urlPath) => route(method, urlPath)?.op ?? null;
}

const PARAMS: Record<string, Schema> = {
  classId: { type: 'string', description: 'the class id, or its code' },
  studentId: { type: 'string', description: "the school's student ID" },
  sessionId: { type: 'string', format: 'uuid' },
  webhookId: { type: 'string', format: 'uuid' },
  photoId: { type: 'string', format: 'uuid', description: "a photo's id from GET /api/v1/sessions/{sessionId}" },
  detectionId: { type: 'string', pattern: '^[0-9]+$', description: "a detection's id from GET /api/v1/sessions/{sessionId}" },
  format: { enum: ['xlsx', 'csv'] },
  file: { type: 'string', description: 'a file name such as app.js or styles.css' },
  userId: { type: 'string', format: 'uuid' },
  keyId: { type: 'string', format: 'uuid' },
};

const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  204: 'No content',
  302: 'Found: the browser goes on to the Location header',
  400: 'Bad input (a specific code: no_file, invalid_image, validation_error, invalid_json, too_many_files…)',
  401: 'unauthorized: no or invalid credentials (session_expired for an expired session); sso_refused by the identity provider',
  403: 'forbidden (role), csrf_failed, password_change_required or setup_refused; sso_email_unverified or sso_domain_not_allowed',
  404: 'not_found (sso_not_configured: single sign-on is off)',
  409: 'Conflicts with what is stored (already exists, already_assigned, embedding_expired…), or consent_required (enrolment without granted biometric consent)',
  413: 'file_too_large, image_too_large, zip_too_large or payload_too_large',
  415: 'unsupported_media_type',
  422: 'The file was read but cannot be used (see details)',
  429: 'rate_limited: see Retry-After',
  503: 'Retry later (see Retry-After): busy (the inference queue is full), timeout, database_unavailable, shutting_down or sso_unavailable',
};

const errorContent = { 'application/json': { schema: ref('Error') } };

/**
 * The errors an operation can answer: its own, plus what the policy adds. 401 without valid
 * credentials and 403 (a password to change first, a cookie without CSRF token, a role without the
 * right) for any non-public route; 404 for a class the teacher does not teach.
 */
function errorsOf(op: Operation): number[] {
  const extra = op.access === 'public' ? [] : [401, 403, ...(op.access.startsWith('class:') ? [404] : [])];
  return [...new Set([...op.errors, ...extra])].sort((a, b) => a - b);
}

function toPathItemOperation(op: Operation) {
  const params = [...op.path.matchAll(/\{([^}]+)\}/g)].map(([, name]) => ({ name, in: 'path', required: true, schema: PARAMS[name] }));
  const query = Object.entries(op.query ?? {}).map(([name, schema]) => ({ name, in: 'query', required: false, schema }));
  const responses: Record<string, unknown> = {};
  for (const [status, content] of Object.entries(op.ok)) {
    const media = Object.entries(content).map(([type, schema]) => [type, { schema }]);
    responses[status] = { description: STATUS_TEXT[Number(status)], ...(media.length ? { content: Object.fromEntries(media) } : {}) };
  }
  // Any request may meet a database outage or a shutdown (503), except the probes, which say so themselves.
  const errors = op.probe ? errorsOf(op) : [...new Set([...errorsOf(op), 503])];
  for (const status of errors) responses[status] = { description: STATUS_TEXT[status], content: errorContent };
  responses.default = { description: 'Unexpected error', content: errorContent };
  return {
    operationId: op.id,
    tags: [op.tag],
    summary: op.summary,
    'x-access': op.access,
    ...(op.access === 'public' ? { security: [] } : {}),
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
    security: [{ bearer: [] }, { apiKey: [] }, { session: [] }],
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <API key>' },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: SESSION_COOKIE,
          description: 'From POST /api/v1/auth/login. Unsafe requests also need X-CSRF-Token (from the login answer or GET /api/v1/me) or a same-origin Origin header',
        },
      },
      schemas,
    },
  };
}
