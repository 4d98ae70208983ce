import { ConfigError, loadConfig } from '../../src/config';

const SSO = {
  OIDC_ISSUER: 'https://accounts.google.com',
  OIDC_CLIENT_ID: 'client-id.apps.googleusercontent.com',
  OIDC_CLIENT_SECRET: 'a secret',
  OIDC_REDIRECT_URL: 'https://rollcall.school.example/api/v1/auth/oidc/callback',
  OIDC_ALLOWED_DOMAINS: 'School.example, academy.example',
};

describe('single sign-on settings', () => {
  test('off when none is set', () => {
    expect(loadConfig({}).oidc).toBeNull();
  });

  test('all set: read, domains in lower case, the button named after the first domain unless OIDC_NAME', () => {
    expect(loadConfig(SSO).oidc).toEqual({
      issuer: 'https://accounts.google.com/',
      clientId: SSO.OIDC_CLIENT_ID,
      clientSecret: 'a secret',
      redirectUrl: SSO.OIDC_REDIRECT_URL,
      allowedDomains: ['school.example', 'academy.example'],
      name: 'school.example',
    });
    expect(loadConfig({ ...SSO, OIDC_NAME: 'Hill School' }).oidc?.name).toBe('Hill School');
    // A provider on this machine (development, tests) may use http.
    expect(loadConfig({ ...SSO, OIDC_ISSUER: 'http://localhost:9000', OIDC_REDIRECT_URL: 'http://127.0.0.1:8080/api/v1/auth/oidc/callback' }).oidc?.issuer).toBe('http://localhost:9000/');
  });

  test.each(Object.keys(SSO))('some but not all: %s missing refuses to start, naming it', (name) => {
    const env: Record<string, string> = { ...SSO, [name]: ' ' };
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`^${name}: single sign-on needs all of`));
  });

  test.each([
    ['OIDC_ISSUER', 'accounts.google.com', /not an absolute URL/],
    ['OIDC_ISSUER', 'http://accounts.google.com', /must be an https:\/\/ URL/],
    ['OIDC_REDIRECT_URL', 'https://rollcall.school.example/callback', /followed by \/api\/v1\/auth\/oidc\/callback/],
    ['OIDC_REDIRECT_URL', 'https://rollcall.school.example/api/v1/auth/oidc/callback?x=1', /followed by/],
    ['OIDC_ALLOWED_DOMAINS', '@school.example', /not a domain name/],
    ['OIDC_ALLOWED_DOMAINS', 'school', /not a domain name/],
    ['OIDC_ALLOWED_DOMAINS', ' , ', /single sign-on needs all of|at least one/],
  ])('%s=%s is refused', (name, value, message) => {
    expect(() => loadConfig({ ...SSO, [name]: value })).toThrow(message);
    expect(() => loadConfig({ ...SSO, [name]: value })).toThrow(new RegExp(`^${name}: `));
  });
});
