import { checkPasswordPolicy, hashPassword, verifyPassword } from '../../src/services/passwords';
import { AppError } from '../../src/errors';

const problem = (password: unknown) => {
  try {
    checkPasswordPolicy(password);
    return null;
  } catch (e) {
    return e instanceof AppError ? (e.details as { problem: string }[])[0].problem : String(e);
  }
};

describe('passwords', () => {
  test('the policy: 12 to 256 characters, not a common password (any case)', () => {
    expect(problem(undefined)).toBe('missing');
    expect(problem('eleven char')).toBe('too_short');
    // Counted in characters, not UTF-16 units: 11 emoji are too short.
    expect(problem('😀'.repeat(11))).toBe('too_short');
    expect(problem('x'.repeat(257))).toBe('too_long');
    expect(problem('QWERTYUIOP12')).toBe('common');
    expect(problem('passwordpassword')).toBe('common');
    expect(problem('correct horse battery')).toBeNull();
  });

  test('argon2id with the documented parameters; verify says yes only to the password', async () => {
    const stored = await hashPassword('correct horse battery');
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=65536,t=3,p=1\$/);
    expect(await verifyPassword(stored, 'correct horse battery')).toBe(true);
    expect(await verifyPassword(stored, 'correct horse batterY')).toBe(false);
    expect(await verifyPassword(stored, `correct horse battery${'x'.repeat(300)}`)).toBe(false);
    expect(await verifyPassword(null, 'correct horse battery')).toBe(false);
  });
});
