import { z } from 'zod';
import { AppError } from '../../src/errors';
import { flag, oneOf, optionalNumber, optionalText, parseInput, studentId, text } from '../../src/services/validate';

const Body = z.object({
  student_id: studentId,
  name: text(10),
  email: optionalText(20),
  threshold: optionalNumber(0.05, 0.95),
  record: flag,
  status: oneOf(['present', 'absent']).optional(),
});

function refusal(input: unknown): { message: string; details: unknown } {
  try {
    parseInput(Body, input);
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    const e = err as AppError;
    expect([e.status, e.code]).toEqual([400, 'validation_error']);
    return { message: e.message, details: e.details };
  }
  throw new Error('accepted');
}

describe('parseInput', () => {
  test('trims text, takes numbers as text, reads form strings, fills absent optionals', () => {
    expect(parseInput(Body, { student_id: 1001, name: '  Ada  ', email: '', threshold: '0.5', record: 'true', extra: 'ignored' })).toEqual({
      student_id: '1001',
      name: 'Ada',
      email: null,
      threshold: 0.5,
      record: true,
    });
    expect(parseInput(Body, { student_id: 'S1', name: 'Ada', threshold: '', record: '0' })).toEqual({ student_id: 'S1', name: 'Ada', email: null, threshold: undefined, record: false });
  });

  test.each<[string, unknown, string, string, string]>([
    ['a missing field', { name: 'Ada' }, 'student_id', 'missing', '"student_id" is required'],
    ['no body at all', undefined, 'student_id', 'missing', '"student_id" is required'],
    ['a body that is not an object', ['S1', 'Ada'], 'student_id', 'missing', '"student_id" is required'],
    ['blank text', { student_id: 'S1', name: '   ' }, 'name', 'length', '"name" must be 1-10 characters'],
    ['text too long', { student_id: 'S1', name: 'Ada Lovelace King' }, 'name', 'length', '"name" must be 1-10 characters'],
    ['text of the wrong type', { student_id: 'S1', name: true }, 'name', 'type', '"name" must be text'],
    ['a slash in an ID', { student_id: 'a/b', name: 'Ada' }, 'student_id', 'format', '"student_id" may not contain spaces, slashes, ?, # or %'],
    ['a number out of range', { student_id: 'S1', name: 'Ada', threshold: 7 }, 'threshold', 'range', '"threshold" must be a number between 0.05 and 0.95'],
    ['a number that is not one', { student_id: 'S1', name: 'Ada', threshold: 'high' }, 'threshold', 'range', '"threshold" must be a number between 0.05 and 0.95'],
    ['a flag that is neither', { student_id: 'S1', name: 'Ada', record: 'yes' }, 'record', 'type', '"record" must be true or false'],
    ['a value not in the list', { student_id: 'S1', name: 'Ada', status: 'sleeping' }, 'status', 'enum', '"status" must be one of present, absent'],
  ])('%s → 400 naming the field', (_what, input, field, problem, message) => {
    expect(refusal(input)).toEqual({ message, details: [{ field, problem }] });
  });
});
