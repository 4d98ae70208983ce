import { ConfigError, loadConfig } from '../../src/config';

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
  ])('an invalid %s=%s is refused with a message naming it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^${name}: `));
  });

  test('values are read from the environment', () => {
    const c = loadConfig({ PORT: '9000', API_KEYS: 'aaaaaaaaaaaaaaaa, bbbbbbbbbbbbbbbb', STORE_PHOTOS: 'yes', DATABASE_URL: 'postgres://u@h/db' });
    expect(c).toMatchObject({ port: 9000, apiKeys: ['aaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbb'], storePhotos: true, databaseUrl: 'postgres://u@h/db' });
  });
});
