import { AppError } from '../errors';

/** Small validators for request bodies: each failure is a 400 validation_error naming the field. */
export function requiredString(body: unknown, field: string, max = 200): string {
  const v = (body as Record<string, unknown> | null | undefined)?.[field];
  if (typeof v !== 'string' && typeof v !== 'number') {
    throw new AppError(400, 'validation_error', `"${field}" is required`, [{ field, problem: 'missing' }]);
  }
  const s = String(v).trim();
  if (s === '' || s.length > max) {
    throw new AppError(400, 'validation_error', `"${field}" must be 1-${max} characters`, [{ field, problem: 'length' }]);
  }
  return s;
}

export function optionalString(body: unknown, field: string, max = 500): string | null {
  const v = (body as Record<string, unknown> | null | undefined)?.[field];
  if (v === undefined || v === null || v === '') return null;
  return requiredString(body, field, max);
}

/** A number in [min, max] from JSON or a form/query string; undefined when absent. */
export function optionalNumber(v: unknown, field: string, min: number, max: number): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new AppError(400, 'validation_error', `"${field}" must be a number between ${min} and ${max}`, [{ field, problem: 'range' }]);
  }
  return n;
}

export function optionalBool(v: unknown, field: string): boolean {
  if (v === undefined || v === null || v === '') return false;
  if (v === true || v === 'true' || v === '1') return true;
  if (v === false || v === 'false' || v === '0') return false;
  throw new AppError(400, 'validation_error', `"${field}" must be true or false`, [{ field, problem: 'type' }]);
}

/** School IDs: printable, no slashes (they appear in URLs), 1-64 characters. */
export function studentIdOf(v: unknown, field = 'student_id'): string {
  const s = requiredString({ [field]: v }, field, 64);
  if (!/^[^\s/\\?#%]+$/.test(s)) {
    throw new AppError(400, 'validation_error', `"${field}" may not contain spaces, slashes, ?, # or %`, [{ field, problem: 'format' }]);
  }
  return s;
}

/** An email address as people type them (one @, a dot in the domain, no spaces), at most 320 characters. */
export function emailOf(body: unknown, field = 'email'): string {
  const s = requiredString(body, field, 320);
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s)) {
    throw new AppError(400, 'validation_error', `"${field}" is not an email address`, [{ field, problem: 'format' }]);
  }
  return s;
}

/** One of `values`, or a 400 naming the field. */
export function oneOf<T extends string>(body: unknown, field: string, values: readonly T[]): T {
  const v = (body as Record<string, unknown> | null | undefined)?.[field];
  if (typeof v !== 'string' || !values.includes(v as T)) {
    throw new AppError(400, 'validation_error', `"${field}" must be one of ${values.join(', ')}`, [{ field, problem: 'enum' }]);
  }
  return v as T;
}
