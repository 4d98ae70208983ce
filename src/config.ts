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
  storePhotos: boolean;
  /** Days attendance sessions are kept (0 = forever) and stored photos are kept (0 = forever). */
  sessionRetentionDays: number;
  photoRetentionDays: number;
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
  /** Largest uploaded video (MB) and longest clip (seconds) accepted. */
  maxVideoMb: number;
  maxVideoSeconds: number;
  /** Video frames analysed per second of clip (each the sharpest of two decoded candidates). */
  videoSampleFps: number;
  /** The ffmpeg executable that decodes video: a name on PATH or a path. */
  ffmpegPath: string;
  /** Where a clip is written while ffmpeg reads it (a private directory per clip); null = the OS temp dir. */
  videoTmpDir: string | null;
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
    storePhotos: bool(env, 'STORE_PHOTOS', false),
    sessionRetentionDays: num(env, 'SESSION_RETENTION_DAYS', 0, 0, 36_500, true),
    photoRetentionDays: num(env, 'PHOTO_RETENTION_DAYS', 30, 0, 36_500, true),
    inferenceConcurrency: num(env, 'INFERENCE_CONCURRENCY', 1, 1, 16, true),
    queueLimit: num(env, 'QUEUE_LIMIT', 8, 0, 1000, true),
    logLevel: level,
    requestTimeoutMs: num(env, 'REQUEST_TIMEOUT_MS', 120_000, 1000, 3_600_000, true),
    hstsMaxAge: num(env, 'HSTS_MAX_AGE', 0, 0, 100_000_000, true),
    corsOrigins: origins(env, 'CORS_ORIGINS'),
    rateLimitPerMin: num(env, 'RATE_LIMIT_PER_MIN', 60, 0, 100_000, true),
    metricsPublic: bool(env, 'METRICS_PUBLIC', false),
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
