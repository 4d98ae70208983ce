import path from 'node:path';
import { AppError } from '../errors';
import { assertZipWithin, openZip, type Zip, ZipRejected } from '../roster/zip-guard';
import type { EnrolmentService, EnrolResult } from './enrolment';

const IMAGE = /\.(jpe?g|png|webp|hei[cf]|avif|tiff?|gif)$/i;

export interface BulkStudentResult {
  student_id: string;
  enrolled: number;
  error?: { code: string; message: string };
  results: EnrolResult[];
}

/**
 * A zip in the "one folder per student" layout: [top/]<student_id>/<photo>. Entry names are only
 * parsed, never used as paths on disk; names with `..`, absolute paths or backslashes are refused.
 */
export function groupZipEntries(names: string[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const name of names) {
    if (name.endsWith('/') || name.startsWith('__MACOSX/') || path.posix.basename(name).startsWith('.')) continue;
    if (name.includes('\\') || name.startsWith('/') || name.split('/').includes('..')) {
      throw new AppError(400, 'invalid_zip', `unsafe path in the zip: ${JSON.stringify(name)}`);
    }
    if (!IMAGE.test(name)) continue;
    const parts = name.split('/');
    if (parts.length < 2) continue;
    const studentId = parts[parts.length - 2];
    groups.set(studentId, [...(groups.get(studentId) ?? []), name]);
  }
  return groups;
}

export class BulkEnrolmentService {
  constructor(
    private readonly enrolment: EnrolmentService,
    private readonly maxUncompressedBytes: number,
    private readonly maxImageBytes: number,
  ) {}

  async enrolZip(zip: Buffer, opts: { force: boolean }) {
    let archive: Zip;
    try {
      archive = await openZip(zip);
      await assertZipWithin(archive, this.maxUncompressedBytes);
    } catch (e) {
      if (!(e instanceof ZipRejected)) throw e;
      throw e.reason === 'too_large'
        ? new AppError(413, 'zip_too_large', `the zip is too large once uncompressed (${e.message})`)
        : new AppError(400, 'invalid_zip', `the file is not a readable zip (${e.message})`);
    }
    const byName = new Map(archive.entries.map((e) => [e.name, e]));
    const groups = groupZipEntries(archive.entries.map((e) => e.name));
    if (groups.size === 0) {
      throw new AppError(400, 'invalid_zip', 'no images found: use one folder per student, e.g. S1001/photo1.jpg');
    }
    const students: BulkStudentResult[] = [];
    for (const [studentId, names] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
      const images = [];
      for (const n of names.sort()) {
        const e = byName.get(n)!;
        if (e.uncompressedSize > this.maxImageBytes) continue;
        images.push({ name: n, data: await archive.read(e, e.uncompressedSize) });
      }
      try {
        const out = await this.enrolment.enrol(studentId, images, opts);
        students.push({ student_id: studentId, enrolled: out.enrolled, results: out.results });
      } catch (e) {
        if (!(e instanceof AppError) || e.status >= 500) throw e;
        const results = (e.details as { results?: EnrolResult[] } | undefined)?.results ?? [];
        students.push({ student_id: studentId, enrolled: 0, error: { code: e.code, message: e.message }, results });
      }
    }
    return {
      students,
      enrolled: students.reduce((n, s) => n + s.enrolled, 0),
      rejected: students.reduce((n, s) => n + s.results.filter((r) => r.status === 'rejected').length, 0),
    };
  }
}
