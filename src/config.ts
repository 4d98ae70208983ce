import path from 'node:path';
import fs from 'node:fs';
import { DEFAULT_SCALE } from './vision/detector';
import type { PipelineOptions } from './vision/pipeline';

/**
 * All settings, read from the environment once and validated at start-up. An invalid value
 * refuses to start with one line naming the setting (ConfigError).
 */
export interface Config {
  port: number;
  host: string;
  /** Embedded PGlite data and the generated API key live here. */
  dataDir: string;
  /** When set, a real Postgres with pgvector; otherwise embedded PGlite under dataDir. */
  databaseUrl: string | null;
  modelsDir: string;
  /** Where `rollcall models` copies model files from; null → download from the manifest URLs. */
  modelsSource: string | null;
  apiKeys: string[];
  /** Cosine similarity at or above which a face may be named (1 - cosine distance). */
  matchThreshold: number;
  /** Best minus second-best student similarity below which a face is `ambiguous`. */
  matchMargin: number;
  maxUploadMb: number;
  maxFiles: number;
  /** Largest uncompressed size of an enrolment zip. */
  maxZipMb: number;
  /** Decoded pixel limit (decompression bombs → image_too_large). */
  maxPixels: number;
  /** Faces narrower than this (pixels) are not reported. */
  minFaceSize: number;
  detectScore: number;
  /** The scale policy: detector pixels spent on the finest level, and the most a photo is enlarged. */
  detectPixelBudget: number;
  detectMaxUpscale: number;
  /** Faces narrower than this (pixels) are counted but never named (`too_small`). */
  nameMinFaceSize: number;
  /** Enrolment refuses faces narrower than this. */
  enrolMinFaceSize: number;
  storeFaceCrops: boolean;
  /** Enrolling faces needs the student's recorded biometric consent (a refusal always blocks it). */
  consentRequired: boolean;
  storePhotos: boolean;
  /** Days attendance sessions are kept (0 = forever) and stored photos are kept (0 = forever). */
  sessionRetentionDays: number;
  photoRetentionDays: number;
  /** Days an unnamed face's embedding is kept for a teacher's review to learn from (0 = not kept: review without learning). */
  reviewRetentionDays: number;
  /** Enrolled templates per student; beyond it the oldest learnt from reviews go first, then the oldest enrolled. */
  maxTemplates: number;
  /** Concurrent recognitions per process and how many may wait before 503. */
  inferenceConcurrency: number;
  queueLimit: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** A request not answered within this time gets 503 `timeout` (the work itself is not aborted). */
  requestTimeoutMs: number;
  /** Strict-Transport-Security max-age in seconds; 0 sends no header (set it only behind HTTPS). */
  hstsMaxAge: number;
  /** Browser origins allowed to call the API cross-origin; empty means CORS is off. */
  corsOrigins: string[];
  /** Recognition and enrolment requests per API key per minute (0 = unlimited). */
  rateLimitPerMin: number;
  /** Serve GET /metrics without an API key (for a scraper on a private network). */
  metricsPublic: boolean;
  /** Webhook targets on loopback, private or link-local addresses are refused unless this is set. */
  webhookAllowPrivate: boolean;
  /** A webhook receiver not answering within this time counts as a failed attempt. */
  webhookTimeoutMs: number;
  /** Wait after a webhook's first failed attempt; it doubles after each further one (at most an hour). */
  webhookRetryBaseMs: number;
  /** How long after the event a failing delivery keeps being retried before it is given up. */
  webhookRetryHours: number;
  /** How often each process looks for webhook deliveries that are due. */
  webhookPollMs: number;
  /** After SIGTERM, how long requests in flight may take before the process closes anyway. */
  shutdownTimeoutMs: number;
  /** Scheduled backups of the embedded database go here (null = none), every so many hours, the newest `backupKeep` kept. */
  backupDir: string | null;
  backupEveryHours: number;
  backupKeep: number;
  /** A sign-in session ends after this many minutes without a request, and this many hours after sign-in at the latest. */
  loginIdleMinutes: number;
  loginMaxHours: number;
  /** The session cookie's Secure flag: always, never, or `auto` (when the request came over HTTPS). */
  cookieSecure: 'auto' | 'true' | 'false';
  /**
   * Reverse proxies in front of the service whose X-Forwarded-For/-Proto are believed (0: none).
   * The client address counts sign-in failures; the protocol decides `auto` Secure cookies.
   */
  trustProxy: number;
  /** Largest uploaded video (MB) and longest clip (seconds) accepted. */
  maxVideoMb: number;
  maxVideoSeconds: number;
  /** Video frames analysed per second of clip (each the sharpest of two decoded candidates). */
  videoSampleFps: number;
  /** The ffmpeg executable that decodes video: a name on PATH or a path. */
  ffmpegPath: string;
  /** Where a clip is written while ffmpeg reads it (a private directory per clip); null = the OS temp dir. */
  videoTmpDir: string | null;
  /** Single sign-on through an OpenID Connect provider (all OIDC_* set), or null when off. */
  oidc: OidcConfig | null;
}

/** The OpenID Connect client registration and who may sign in through it (docs/accounts.md). */
export interface OidcConfig {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** This service's callback, exactly as registered at the provider. */
  redirectUrl: string;
  /** Email domains whose verified addresses may sign in (lower case, no @). */
  allowedDomains: string[];
  /** The page's button reads "Sign in with <name>". */
  name: string;
}

export class ConfigError extends Error {
  constructor(readonly setting: string, message: string) {
    super(`${setting}: ${message}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function num(env: Env, name: string, def: number, min: number, max: number, integer = false): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return def;
  const v = Number(raw);
  if (!Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    throw new ConfigError(name, `must be ${integer ? 'an integer' : 'a number'} between ${min} and ${max}, got "${raw}"`);
  }
  return v;
}

function bool(env: Env, name: string, def: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return def;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(name, `must be true or false, got "${env[name]}"`);
}

/**
 * From bench:face-size (real fixture photos shrunk to each width, and real never-enrolled faces of
 * realgroups/): below 24 px a real stranger was named (a 22.8-px face at 0.443, a 19.5-px one at
 * 0.410) and the right student's lowest similarity falls under the highest wrong one; from 24 px
 * up nothing was named wrong and every enrolled face was named.
 */
const NAME_MIN_FACE_SIZE = 24;

const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;

const originOf = (s: string): string | null => {
  try {
    return new URL(s).origin;
  } catch {
    return null;
  }
};

/** Comma-separated origins, each exactly scheme://host[:port] as a browser sends it in `Origin`. */
function origins(env: Env, name: string): string[] {
  const list = (env[name] ?? '').split(',').map((o) => o.trim()).filter(Boolean);
  for (const o of list) {
    if (originOf(o) !== o) throw new ConfigError(name, `"${o}" is not an origin like https://school.example (no path, no trailing slash)`);
  }
  return list;
}

function cookieSecure(env: Env): Config['cookieSecure'] {
  const raw = env.COOKIE_SECURE?.trim().toLowerCase() || 'auto';
  if (raw !== 'auto' && raw !== 'true' && raw !== 'false') throw new ConfigError('COOKIE_SECURE', `must be auto, true or false, got "${env.COOKIE_SECURE}"`);
  return raw;
}

const OIDC_REQUIRED = ['OIDC_ISSUER', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET', 'OIDC_REDIRECT_URL', 'OIDC_ALLOWED_DOMAINS'] as const;
export const OIDC_CALLBACK_PATH = '/api/v1/auth/oidc/callback';
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** An absolute URL, https unless on this machine (a provider or callback reached only locally, as in tests). */
function secureUrl(env: Env, name: string): URL {
  const raw = env[name]!.trim();
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new ConfigError(name, `"${raw}" is not an absolute URL`);
  }
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && LOOPBACK.has(u.hostname))) {
    throw new ConfigError(name, `must be an https:// URL (http:// only for localhost), got "${raw}"`);
  }
  return u;
}

/** Single sign-on is on when all of OIDC_* are set, off when none is; anything in between refuses to start. */
function oidc(env: Env): OidcConfig | null {
  const set = OIDC_REQUIRED.filter((n) => env[n]?.trim());
  if (set.length === 0) return null;
  const missing = OIDC_REQUIRED.filter((n) => !set.includes(n));
  if (missing.length > 0) throw new ConfigError(missing[0], `single sign-on needs all of ${OIDC_REQUIRED.join(', ')}: ${missing.join(', ')} missing`);
  const redirect = secureUrl(env, 'OIDC_REDIRECT_URL');
  if (redirect.pathname !== OIDC_CALLBACK_PATH || redirect.search || redirect.hash) {
    throw new ConfigError('OIDC_REDIRECT_URL', `must be this service's address followed by ${OIDC_CALLBACK_PATH}, e.g. https://rollcall.school.example${OIDC_CALLBACK_PATH}`);
  }
  const domains = env.OIDC_ALLOWED_DOMAINS!.split(',').map((d) => d.trim().toLowerCase()).filter(Boolean);
  for (const d of domains) {
    if (!DOMAIN.test(d)) throw new ConfigError('OIDC_ALLOWED_DOMAINS', `"${d}" is not a domain name like school.example`);
  }
  if (domains.length === 0) throw new ConfigError('OIDC_ALLOWED_DOMAINS', 'name at least one email domain, e.g. school.example');
  return {
    issuer: secureUrl(env, 'OIDC_ISSUER').href,
    clientId: env.OIDC_CLIENT_ID!.trim(),
    clientSecret: env.OIDC_CLIENT_SECRET!.trim(),
    redirectUrl: redirect.href,
    allowedDomains: domains,
    name: env.OIDC_NAME?.trim().slice(0, 100) || domains[0],
  };
}

/** The project root (where package.json is), whether running from src/ via ts-jest or dist/src/. */
export const PROJECT_ROOT = (() => {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
})();

export function loadConfig(env: Env = process.env): Config {
  const dbUrl = env.DATABASE_URL?.trim() || null;
  if (dbUrl && !/^postgres(ql)?:\/\//.test(dbUrl)) {
    throw new ConfigError('DATABASE_URL', 'must start with postgres:// or postgresql://');
  }
  const level = (env.LOG_LEVEL?.trim().toLowerCase() || 'info') as Config['logLevel'];
  if (!LOG_LEVELS.includes(level)) throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);
  const sharedModels = path.resolve(PROJECT_ROOT, '..', 'shared', 'models');
  const modelsSource = env.MODELS_SOURCE?.trim() || (fs.existsSync(sharedModels) ? sharedModels : null);
  const backupDir = env.BACKUP_DIR?.trim() || null;
  if (backupDir && dbUrl) {
    throw new ConfigError('BACKUP_DIR', 'scheduled backups are for the embedded database; with DATABASE_URL use pg_dump (docs/operations.md)');
  }
  const apiKeys = (env.API_KEYS ?? '').split(',').map((k) => k.trim()).filter(Boolean);
  for (const k of apiKeys) {
    if (k.length < 16) throw new ConfigError('API_KEYS', 'each key must be at least 16 characters');
  }
  return {
    port: num(env, 'PORT', 8080, 0, 65535, true),
    host: env.HOST?.trim() || '0.0.0.0',
    dataDir: path.resolve(env.DATA_DIR?.trim() || path.join(PROJECT_ROOT, 'data')),
    databaseUrl: dbUrl,
    modelsDir: path.resolve(env.MODELS_DIR?.trim() || path.join(PROJECT_ROOT, 'models')),
    modelsSource: modelsSource ? path.resolve(modelsSource) : null,
    apiKeys,
    matchThreshold: num(env, 'MATCH_THRESHOLD', 0.4, 0, 1),
    matchMargin: num(env, 'MATCH_MARGIN', 0.05, 0, 1),
    maxUploadMb: num(env, 'MAX_UPLOAD_MB', 25, 1, 200),
    maxFiles: num(env, 'MAX_FILES', 20, 1, 100, true),
    maxZipMb: num(env, 'MAX_ZIP_MB', 200, 1, 2000),
    maxPixels: num(env, 'MAX_PIXELS', 60_000_000, 1_000_000, 200_000_000, true),
    minFaceSize: num(env, 'MIN_FACE_SIZE', 8, 4, 1000, true),
    detectScore: num(env, 'DETECT_SCORE', 0.7, 0.05, 0.99),
    detectPixelBudget: num(env, 'DETECT_PIXEL_BUDGET', DEFAULT_SCALE.pixelBudget, 1_000_000, 100_000_000, true),
    detectMaxUpscale: num(env, 'DETECT_MAX_UPSCALE', DEFAULT_SCALE.maxUpscale, 1, 6),
    nameMinFaceSize: num(env, 'NAME_MIN_FACE_SIZE', NAME_MIN_FACE_SIZE, 4, 1000, true),
    enrolMinFaceSize: num(env, 'ENROL_MIN_FACE_SIZE', 40, 8, 1000, true),
    storeFaceCrops: bool(env, 'STORE_FACE_CROPS', false),
    consentRequired: bool(env, 'CONSENT_REQUIRED', true),
    storePhotos: bool(env, 'STORE_PHOTOS', false),
    sessionRetentionDays: num(env, 'SESSION_RETENTION_DAYS', 0, 0, 36_500, true),
    photoRetentionDays: num(env, 'PHOTO_RETENTION_DAYS', 30, 0, 36_500, true),
    reviewRetentionDays: num(env, 'REVIEW_RETENTION_DAYS', 14, 0, 36_500, true),
    maxTemplates: num(env, 'MAX_TEMPLATES', 20, 1, 1000, true),
    inferenceConcurrency: num(env, 'INFERENCE_CONCURRENCY', 1, 1, 16, true),
    queueLimit: num(env, 'QUEUE_LIMIT', 8, 0, 1000, true),
    logLevel: level,
    requestTimeoutMs: num(env, 'REQUEST_TIMEOUT_MS', 120_000, 1000, 3_600_000, true),
    hstsMaxAge: num(env, 'HSTS_MAX_AGE', 0, 0, 100_000_000, true),
    corsOrigins: origins(env, 'CORS_ORIGINS'),
    rateLimitPerMin: num(env, 'RATE_LIMIT_PER_MIN', 60, 0, 100_000, true),
    metricsPublic: bool(env, 'METRICS_PUBLIC', false),
    webhookAllowPrivate: bool(env, 'WEBHOOK_ALLOW_PRIVATE', false),
    webhookTimeoutMs: num(env, 'WEBHOOK_TIMEOUT_MS', 10_000, 100, 60_000, true),
    webhookRetryBaseMs: num(env, 'WEBHOOK_RETRY_BASE_MS', 10_000, 10, 3600_000, true),
    webhookRetryHours: num(env, 'WEBHOOK_RETRY_HOURS', 24, 0.001, 168),
    webhookPollMs: num(env, 'WEBHOOK_POLL_MS', 1000, 10, 60_000, true),
    shutdownTimeoutMs: num(env, 'SHUTDOWN_TIMEOUT_MS', 25_000, 1000, 600_000, true),
    backupDir: backupDir ? path.resolve(backupDir) : null,
    backupEveryHours: num(env, 'BACKUP_EVERY_HOURS', 24, 0.01, 8760),
    backupKeep: num(env, 'BACKUP_KEEP', 7, 1, 1000, true),
    loginIdleMinutes: num(env, 'LOGIN_IDLE_MINUTES', 120, 1, 525_600, true),
    loginMaxHours: num(env, 'LOGIN_MAX_HOURS', 12, 1, 8760, true),
    cookieSecure: cookieSecure(env),
    trustProxy: num(env, 'TRUST_PROXY', 0, 0, 10, true),
    oidc: oidc(env),
    maxVideoMb: num(env, 'MAX_VIDEO_MB', 200, 1, 2000),
    maxVideoSeconds: num(env, 'MAX_VIDEO_SECONDS', 60, 1, 3600),
    videoSampleFps: num(env, 'VIDEO_SAMPLE_FPS', 2, 0.2, 10),
    ffmpegPath: env.FFMPEG_PATH?.trim() || 'ffmpeg',
    videoTmpDir: env.VIDEO_TMP_DIR?.trim() ? path.resolve(env.VIDEO_TMP_DIR.trim()) : null,
  };
}

/** The face pipeline's settings for a photo, as configured. */
export function pipelineOptions(config: Config): PipelineOptions {
  return {
    maxPixels: config.maxPixels,
    minFaceSize: config.minFaceSize,
    scoreThreshold: config.detectScore,
    scale: { pixelBudget: config.detectPixelBudget, maxUpscale: config.detectMaxUpscale },
  };
}

/**
 * Video and live-camera frames: never enlarged, only shrunk past the budget. Enlarging finds the
 * tiny faces of a shrunk photo, but would cost every frame a 12-MP photo's detector time, and a
 * face a sweep or a live camera can name is rarely that small.
 */
export function frameOptions(config: Config): PipelineOptions {
  return { ...pipelineOptions(config), scale: { pixelBudget: config.detectPixelBudget, maxUpscale: 1 } };
}
