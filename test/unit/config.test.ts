import { ConfigError, loadConfig, pipelineOptions } from '../../src/config';

describe('config', () => {
  test('defaults are sane', () => {
    const c = loadConfig({});
    expect(c.port).toBe(8080);
    expect(c.databaseUrl).toBeNull();
    expect(c.matchThreshold).toBeGreaterThan(0);
    expect(c.dataDir).toMatch(/data$/);
  });

  test.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['MATCH_THRESHOLD', '1.5'],
    ['MAX_UPLOAD_MB', '0'],
    ['DATABASE_URL', 'mysql://x'],
    ['LOG_LEVEL', 'loud'],
    ['STORE_PHOTOS', 'maybe'],
    ['API_KEYS', 'short'],
    ['DETECT_PIXEL_BUDGET', '500000'],
    ['DETECT_PIXEL_BUDGET', '12.5e6x'],
    ['DETECT_MAX_UPSCALE', '0.5'],
    ['DETECT_MAX_UPSCALE', '10'],
    ['NAME_MIN_FACE_SIZE', '2'],
    ['MIN_FACE_SIZE', '3'],
    ['SHUTDOWN_TIMEOUT_MS', '10'],
    ['BACKUP_EVERY_HOURS', '0'],
    ['BACKUP_KEEP', '0'],
    ['BACKUP_KEEP', '1.5'],
    ['REVIEW_RETENTION_DAYS', '-1'],
    ['REVIEW_RETENTION_DAYS', '1.5'],
    ['MAX_TEMPLATES', '0'],
    ['LOGIN_IDLE_MINUTES', '0'],
    ['LOGIN_MAX_HOURS', '1.5'],
    ['COOKIE_SECURE', 'sometimes'],
    ['TRUST_PROXY', '-1'],
    ['MAX_VIDEO_MB', '0'],
    ['MAX_VIDEO_SECONDS', 'a minute'],
    ['VIDEO_SAMPLE_FPS', '30'],
  ])('an invalid %s=%s is refused with a message naming it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^${name}: `));
  });

  test('sign-in settings: defaults and values', () => {
    expect(loadConfig({})).toMatchObject({ loginIdleMinutes: 120, loginMaxHours: 12, cookieSecure: 'auto', trustProxy: 0 });
    expect(loadConfig({ LOGIN_IDLE_MINUTES: '15', LOGIN_MAX_HOURS: '24', COOKIE_SECURE: 'TRUE' })).toMatchObject({ loginIdleMinutes: 15, loginMaxHours: 24, cookieSecure: 'true' });
  });

  test('video settings: defaults and values from the environment', () => {
    expect(loadConfig({})).toMatchObject({ maxVideoMb: 200, maxVideoSeconds: 60, videoSampleFps: 2, ffmpegPath: 'ffmpeg', videoTmpDir: null });
    const env = { MAX_VIDEO_MB: '50', MAX_VIDEO_SECONDS: '20', VIDEO_SAMPLE_FPS: '4', FFMPEG_PATH: '/opt/ffmpeg/bin/ffmpeg', VIDEO_TMP_DIR: '/run/rollcall' };
    expect(loadConfig(env)).toMatchObject({ maxVideoMb: 50, maxVideoSeconds: 20, videoSampleFps: 4, ffmpegPath: '/opt/ffmpeg/bin/ffmpeg', videoTmpDir: '/run/rollcall' });
  });

  test('values are read from the environment', () => {
    const c = loadConfig({ PORT: '9000', API_KEYS: 'aaaaaaaaaaaaaaaa, bbbbbbbbbbbbbbbb', STORE_PHOTOS: 'yes', DATABASE_URL: 'postgres://u@h/db' });
    expect(c).toMatchObject({ port: 9000, apiKeys: ['aaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbb'], storePhotos: true, databaseUrl: 'postgres://u@h/db' });
    expect(loadConfig({})).toMatchObject({ reviewRetentionDays: 14, maxTemplates: 20 });
    expect(loadConfig({ REVIEW_RETENTION_DAYS: '0', MAX_TEMPLATES: '5' })).toMatchObject({ reviewRetentionDays: 0, maxTemplates: 5 });
  });

  test('operations: shutdown timeout and scheduled backups (for the embedded database only)', () => {
    expect(loadConfig({})).toMatchObject({ shutdownTimeoutMs: 25_000, backupDir: null, backupEveryHours: 24, backupKeep: 7 });
    const c = loadConfig({ SHUTDOWN_TIMEOUT_MS: '5000', BACKUP_DIR: 'backups', BACKUP_EVERY_HOURS: '6', BACKUP_KEEP: '14' });
    expect(c).toMatchObject({ shutdownTimeoutMs: 5000, backupDir: expect.stringMatching(/\/backups$/), backupEveryHours: 6, backupKeep: 14 });
    expect(() => loadConfig({ BACKUP_DIR: '/backups', DATABASE_URL: 'postgres://u@h/db' })).toThrow(/^BACKUP_DIR: .*pg_dump/);
  });

  test('the scale policy and the naming size reach the pipeline options', () => {
    const c = loadConfig({ DETECT_PIXEL_BUDGET: '6300000', DETECT_MAX_UPSCALE: '2', NAME_MIN_FACE_SIZE: '32', MIN_FACE_SIZE: '10' });
    expect(c.nameMinFaceSize).toBe(32);
    expect(pipelineOptions(c)).toMatchObject({ minFaceSize: 10, scoreThreshold: 0.7, scale: { pixelBudget: 6_300_000, maxUpscale: 2 } });
    expect(pipelineOptions(loadConfig({})).scale).toEqual({ pixelBudget: 12_600_000, maxUpscale: 3 });
  });
});
