import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config';
import { createServices, type Services } from '../src/services/services';
import { openDatabase } from '../src/store/open';
import { FacePipeline } from '../src/vision/pipeline';
import { fixture, index, modelsDir } from './fixtures';

/**
 * bench:review — what reviewing teaches Rollcall, on the shared fixtures. For every person with
 * three or more single-face photos and every choice of their one enrolment photo, their other
 * photos arrive one lesson after another; a face the lesson cannot name is reviewed by the
 * teacher, with learning (the face becomes a template) or without. Counted: later photos named by
 * recognition alone, and their similarity to the right student, at the default threshold and at
 * stricter ones. Every other identity is enrolled with its first photo as a rival. The real
 * services and models run in-process over a fresh PGlite (or DATABASE_URL).
 */

const THRESHOLDS = [0.4, 0.6, 0.7];

const singleFace = index.files.filter((f) => (f.kind === 'enroll' || (f.kind === 'query' && f.path.startsWith('query/'))) && f.identities?.length === 1 && f.face_count === 1);
const people = [...new Set(singleFace.map((f) => f.identities![0]))]
  .map((id) => ({ id, files: singleFace.filter((f) => f.identities![0] === id).map((f) => f.path) }));
const learners = people.filter((p) => p.files.length >= 3);

interface Tally {
  photos: number;
  named: number;
  similarity: number;
}

/** The student's one template is this photo's face; false when the photo cannot be enrolled. */
async function enrolOnly(s: Services, studentId: string, file: string): Promise<boolean> {
  await s.students.deleteFaces(studentId, 'bench');
  return s.enrolment.enrol(studentId, [{ name: file, data: fixture(file) }], { force: true }).then(
    () => true,
    () => false,
  );
}

/** One run: the lessons after the enrolment photo, reviewing each unnamed face. */
async function lessons(s: Services, classId: string, person: string, photos: string[], threshold: number, learn: boolean, t: Tally): Promise<void> {
  for (const [i, file] of photos.entries()) {
    const { result } = await s.recognition.recognize(fixture(file), { classId, record: true, threshold, actor: 'bench' });
    const face = [...result.faces].sort((a, b) => b.box.width - a.box.width)[0];
    const named = face?.student?.student_id === person;
    if (i > 0) {
      t.photos++;
      if (named) t.named++;
      t.similarity += face?.candidates.find((c) => c.student_id === person)?.similarity ?? 0;
    }
    if (!named && face) {
      const det = (await s.sessions.show(result.session_id!)).detections.find((d) => d.student_id === null && !d.reviewed);
      if (!det) continue;
      try {
        await s.review.review(result.session_id!, det.id, { student_id: person, learn }, 'bench');
      } catch {
        // A face learning refuses (quality, look-alike) is named without it, as the page does.
        await s.review.review(result.session_id!, det.id, { student_id: person, learn: false }, 'bench');
      }
    }
  }
}

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rollcall-bench-review-'));
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent', DATA_DIR: dataDir, MODELS_DIR: modelsDir(), RATE_LIMIT_PER_MIN: '0' });
  const db = await openDatabase(config);
  const pipeline = await FacePipeline.load(config.modelsDir);
  const s = createServices(config, db, pipeline);
  try {
    const cls = await s.classes.create({ code: 'BENCH-REVIEW', name: 'bench:review' });
    for (const p of people) {
      await s.students.create({ student_id: p.id, name: p.id });
      await s.consent.record(p.id, { state: 'granted' }, 'bench');
    }
    await db.query('INSERT INTO class_members (class_id, student_pk) SELECT $1, id FROM students', [cls.id]);
    for (const p of people) await enrolOnly(s, p.id, p.files[0]);

    const rows: string[] = [];
    for (const threshold of THRESHOLDS) {
      const without: Tally = { photos: 0, named: 0, similarity: 0 };
      const withLearning: Tally = { photos: 0, named: 0, similarity: 0 };
      for (const p of learners) {
        for (const enrolPhoto of p.files) {
          const rest = p.files.filter((f) => f !== enrolPhoto);
          for (const [learn, t] of [[false, without], [true, withLearning]] as const) {
            if (!(await enrolOnly(s, p.id, enrolPhoto))) continue;
            await lessons(s, cls.id, p.id, rest, threshold, learn, t);
          }
        }
        await enrolOnly(s, p.id, p.files[0]);
      }
      const pct = (t: Tally) => `${t.named}/${t.photos} (${Math.round((100 * t.named) / t.photos)}%)`;
      const sim = (t: Tally) => (t.similarity / t.photos).toFixed(3);
      rows.push(`| ${threshold} | ${without.photos} | ${pct(without)} | ${pct(withLearning)} | ${sim(without)} | ${sim(withLearning)} |`);
    }
    process.stdout.write(
      [
        `bench:review on ${config.databaseUrl ? 'postgres' : 'pglite'}: ${learners.map((p) => `${p.id} (${p.files.length} photos)`).join(', ')}; each enrolled with one photo in turn`,
        '',
        '| threshold | later photos | named, review without learning | named, review with learning | similarity without | with |',
        '|---|---|---|---|---|---|',
        ...rows,
        '',
      ].join('\n'),
    );
  } finally {
    await pipeline.close();
    await db.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
