import { z } from 'zod';
import { AppError } from '../errors';

/**
 * Request bodies and parameters are described with zod schemas; parseInput turns the first
 * problem into a 400 validation_error naming the field: [{field, problem}], problem one of
 * missing, length, range, type, format, enum.
 */

const absent = (v: unknown) => v === undefined || v === null || v === '';

/** Text, trimmed, 1-max characters; a number is taken as its digits (IDs typed into forms and sheets). */
export const text = (max: number) =>
  z
    .union([z.string(), z.number()], { error: (issue) => (issue.input === undefined || issue.input === null ? 'is required' : 'must be text') })
    .transform(String)
    .pipe(z.string().trim().min(1, { error: `must be 1-${max} characters` }).max(max, { error: `must be 1-${max} characters` }));

/** Optional text: absent, null or '' is null. */
export const optionalText = (max: number) => z.preprocess((v) => (absent(v) ? null : v), text(max).nullable());

/** School IDs: printable, no slashes (they appear in URLs), 1-64 characters. */
export const studentId = text(64).pipe(z.string().regex(/^[^\s/\\?#%]+$/, { error: 'may not contain spaces, slashes, ?, # or %' }));

/** A number in [min, max] from JSON or a form/query string; undefined when absent. */
export const optionalNumber = (min: number, max: number) => {
  const error = `must be a number between ${min} and ${max}`;
  return z.preprocess(
    (v) => (absent(v) ? undefined : typeof v === 'string' ? Number(v) : v),
    z.number({ error }).min(min, { error }).max(max, { error }).optional(),
  );
};

/** A form/query flag: true/1 or false/0; absent is false. */
export const flag = z.preprocess(
  (v) => (absent(v) ? false : v === 'true' || v === '1' ? true : v === 'false' || v === '0' ? false : v),
  z.boolean({ error: 'must be true or false' }),
);

export const oneOf = <T extends string>(values: readonly [T, ...T[]]) => z.enum(values, { error: `must be one of ${values.join(', ')}` });

type Problem = 'missing' | 'length' | 'range' | 'type' | 'format' | 'enum';

function problemOf(issue: z.core.$ZodIssue, value: unknown): Problem {
  if (value === undefined || value === null) return 'missing';
  switch (issue.code) {
    case 'too_small':
    case 'too_big':
      return issue.origin === 'number' ? 'range' : 'length';
    case 'invalid_type':
      return issue.expected === 'number' ? 'range' : 'type';
    case 'invalid_format':
      return 'format';
    case 'invalid_value':
      return 'enum';
    default:
      return 'type';
  }
}

/** The one shape of a bad field: 400 validation_error with details [{field, problem}]. */
export const invalidField = (field: string, problem: string, message: string) => new AppError(400, 'validation_error', message, [{ field, problem }]);

/** Validates `input` (a body or the request's parameters; anything but an object counts as empty). */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const fields = typeof input === 'object' && input !== null && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
  const parsed = schema.safeParse(fields);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = String(issue.path[0] ?? '');
  throw invalidField(field, problemOf(issue, fields[field]), `"${field}" ${issue.message}`);
}

/** An email address as people type them (one @, a dot in the domain, no spaces), at most 320 characters. */
export const email = text(320).pipe(z.string().regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, { error: 'is not an email address' }));
