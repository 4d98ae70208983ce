import { AppError } from '../../src/errors';
import { allowedDomain, displayName, verifiedEmail } from '../../src/services/oidc-claims';

const codeOf = (f: () => unknown): string | null => {
  try {
    f();
    return null;
  } catch (e) {
    return e instanceof AppError ? `${e.status} ${e.code}` : String(e);
  }
};

describe('single sign-on claims', () => {
  test('a verified email, in lower case: email_verified (Google), or xms_edov (Microsoft Entra ID)', () => {
    expect(verifiedEmail({ email: 'Ana@School.example', email_verified: true })).toBe('ana@school.example');
    expect(verifiedEmail({ email: 'ana@school.example', email_verified: 'true' })).toBe('ana@school.example');
    expect(verifiedEmail({ email: 'ana@school.example', xms_edov: true })).toBe('ana@school.example');
  });

  test.each([
    ['unverified', { email: 'ana@school.example', email_verified: false }],
    ['no verification claim', { email: 'ana@school.example' }],
    ['"false" as a string', { email: 'ana@school.example', email_verified: 'false', xms_edov: false }],
    ['no email', { email_verified: true }],
    ['not an address', { email: 'ana', email_verified: true }],
    ['an email that is not a string', { email: ['a@school.example'], email_verified: true }],
  ])('refused: %s', (_what, claims) => {
    expect(codeOf(() => verifiedEmail(claims))).toBe('403 sso_email_unverified');
  });

  test('only the allowed domains exactly: not a subdomain, not a look-alike', () => {
    const allowed = ['school.example', 'academy.example'];
    expect(allowedDomain('ana@school.example', allowed)).toBe('school.example');
    expect(allowedDomain('bo@academy.example', allowed)).toBe('academy.example');
    for (const email of ['ana@evil.school.example', 'ana@school.example.evil', 'ana@myschool.example', 'school.example@evil.example']) {
      expect([email, codeOf(() => allowedDomain(email, allowed))]).toEqual([email, '403 sso_domain_not_allowed']);
    }
  });

  test('the display name: the provider name, else given and family names, else the local part', () => {
    expect(displayName({ name: ' Ana Bo ' }, 'ana@school.example')).toBe('Ana Bo');
    expect(displayName({ given_name: 'Ana', family_name: 'Bo' }, 'ana@school.example')).toBe('Ana Bo');
    expect(displayName({}, 'ana.bo@school.example')).toBe('ana.bo');
    expect(displayName({ name: 'x'.repeat(500) }, 'a@school.example')).toHaveLength(200);
  });
});
