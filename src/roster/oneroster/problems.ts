import { unprocessable } from '../../errors';
import type { OneRosterProblem } from './types';

/** Problems are listed in full up to this many; a broken export would otherwise answer megabytes. */
export const MAX_PROBLEMS = 200;

export function invalidBundle(problems: OneRosterProblem[]) {
  const shown = problems.slice(0, MAX_PROBLEMS);
  const more = problems.length > shown.length ? ` (the first ${shown.length} are listed)` : '';
  return unprocessable('invalid_oneroster', `the OneRoster bundle has ${problems.length} problem(s)${more}; nothing was changed`, shown);
}
