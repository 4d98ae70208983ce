import crypto from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { COMMON_PASSWORDS } from './common-passwords';
import { invalidField } from './validate';

/**
 * argon2id with 64 MiB, 3 passes, 1 lane (RFC 9106's second recommended setting, one lane because
 * the service shares 2 cores with inference): 80-100 ms per hash on the 2-core machines
 * (bench:auth), inside the 50-250 ms target.
 */
// The algorithm is the package's default, Argon2id (the stored hashes start $argon2id$).
export const ARGON2_PARAMS = { memoryCost: 65536, timeCost: 3, parallelism: 1 } as const;

export const MIN_PASSWORD_LENGTH = 12;
/** Longer inputs are refused before hashing so a request cannot make the server hash megabytes. */
export const MAX_PASSWORD_LENGTH = 256;

const common = new Set(COMMON_PASSWORDS);

/** Refuses a password that is too short, too long or common: 400 validation_error naming the field. */
export function checkPasswordPolicy(password: unknown, field = 'password'): string {
  const bad = (problem: string, message: string) => invalidField(field, problem, message);
  if (typeof password !== 'string') throw bad('missing', `"${field}" is required`);
  if ([...password].length < MIN_PASSWORD_LENGTH) throw bad('too_short', `"${field}" must have at least ${MIN_PASSWORD_LENGTH} characters`);
  if (password.length > MAX_PASSWORD_LENGTH) throw bad('too_long', `"${field}" may have at most ${MAX_PASSWORD_LENGTH} characters`);
  if (common.has(password.toLowerCase())) throw bad('common', `"${field}" is one of the most common passwords: choose another`);
  return password;
}

export const hashPassword = (password: string): Promise<string> => hash(password, ARGON2_PARAMS);

/**
 * A hash of a password nobody knows, verified when the email is unknown so that an unknown email
 * and a wrong password take the same time.
 */
let dummy: Promise<string> | null = null;

/** Whether `password` matches `stored`; with no stored hash, the same work against a dummy and false. */
export async function verifyPassword(stored: string | null, password: string): Promise<boolean> {
  // No stored password is that long: the same work on a bounded input, then no.
  const tooLong = password.length > MAX_PASSWORD_LENGTH;
  if (stored === null || tooLong) {
    dummy ??= hashPassword(crypto.randomBytes(16).toString('hex'));
    await verify(await dummy, password.slice(0, MAX_PASSWORD_LENGTH)).catch(() => false);
    return false;
  }
  return verify(stored, password).catch(() => false);
}
