import { wallClock } from './time';

/**
 * `MATH-101_2026-11-23.xlsx`. The class code is user input and ends up in a
 * Content-Disposition header and on disk, so only [A-Za-z0-9._-] survive.
 */
export function exportFilename(classCode: string, date: Date, ext: 'xlsx' | 'csv', timeZone?: string): string {
  const code =
    classCode
      .normalize('NFKD')
      .replace(/\p{M}/gu, '') // "Mathé" → "Mathe" rather than "Math_"
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .replace(/^[._]+|[._]+$/g, '') // no hidden files, no ".."
      .slice(0, 80) || 'class';
  return `${code}_${wallClock(date, timeZone).date}.${ext}`;
}
