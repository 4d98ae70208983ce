import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Command } from './commands';
import { AppError } from '../errors';
import { UsageError, table, withServices } from './open-services';

const IMAGE = /\.(jpe?g|png|webp|hei[cf]|avif|tiff?|gif)$/i;

/** Draws "[#####.....] 12/40 S1001" on a terminal; nothing when output is piped. */
function progress(done: number, total: number, label: string) {
  if (!process.stderr.isTTY) return;
  const w = 30;
  const filled = Math.round((done / total) * w);
  process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(w - filled)}] ${done}/${total} ${label.slice(0, 30).padEnd(30)}`);
  if (done === total) process.stderr.write('\n');
}

/**
 * Bulk enrolment from the common "one folder per student" layout: dir/<student_id>/*.jpg.
 * Students missing from the database are created with the folder name as their name (a roster
 * import later sets the real name).
 */
export const enroll: Command['run'] = async (argv, { config }) => {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { force: { type: 'boolean' } } });
  if (positionals.length !== 1) throw new UsageError('enroll needs one directory');
  const root = positionals[0];
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) throw new UsageError(`${root} is not a directory`);
  const folders = fs.readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  return withServices(config, async (s) => {
    const rows: (string | number)[][] = [['student_id', 'images', 'enrolled', 'rejected (reasons)']];
    let failed = 0;
    for (const [i, id] of folders.entries()) {
      progress(i, folders.length, id);
      const files = fs.readdirSync(path.join(root, id)).filter((f) => IMAGE.test(f)).sort();
      try {
        await s.students.get(id).catch(async (e) => {
          if (e instanceof AppError && e.status === 404) return s.students.create({ student_id: id, name: id });
          throw e;
        });
        const images = files.map((f) => ({ name: f, data: fs.readFileSync(path.join(root, id, f)) }));
        const out = await s.enrolment.enrol(id, images, { force: values.force === true });
        const rejected = out.results.filter((r) => r.status === 'rejected');
        rows.push([id, files.length, out.enrolled, rejected.map((r) => `${r.file}: ${r.reason}`).join('; ') || '-']);
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        failed++;
        const results = (e.details as { results?: { file: string; reason?: string }[] } | undefined)?.results;
        rows.push([id, files.length, 0, results ? results.map((r) => `${r.file}: ${r.reason}`).join('; ') : `${e.code}: ${e.message}`]);
      }
    }
    progress(folders.length, folders.length, 'done');
    process.stdout.write(table(rows));
    process.stdout.write(`${folders.length - failed} of ${folders.length} students enrolled\n`);
    return failed > 0 ? 1 : 0;
  });
};
