import fs from 'node:fs';
import { parseArgs } from 'node:util';
import type { Command } from './commands';
import { FacePipeline } from '../vision/pipeline';
import { pipelineOptions } from '../config';
import { verifyModels } from '../vision/provision';
import { annotate } from '../vision/annotate';
import { UsageError, table } from './open-services';
import { mediaKind } from '../vision/media-kind';
import { contactSheet } from '../vision/contact-sheet';
import { peopleOf, trackFaces } from '../services/video-tracks';
import { DEFAULT_LINK } from '../matching/tracks';
import type { Config } from '../config';

const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

/** Faces, boxes, quality and per-stage timings of one photo (or the face tracks of a clip); no database needed. */
export const detect: Command['run'] = async (argv, { config }) => {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { annotate: { type: 'string' }, json: { type: 'boolean' } } });
  if (positionals.length !== 1) throw new UsageError('detect needs exactly one photo or video');
  verifyModels(config.modelsDir);
  const pipeline = await FacePipeline.load(config.modelsDir);
  const upload = fs.readFileSync(positionals[0]);
  if (mediaKind(upload) === 'video') return detectVideo(pipeline, upload, config, values);
  const r = await pipeline.run(upload, pipelineOptions(config));
  const faces = r.faces.map((f) => ({
    box: { x: Math.round(f.box.x), y: Math.round(f.box.y), width: Math.round(f.box.width), height: Math.round(f.box.height) },
    score: Math.round(f.score * 1000) / 1000,
    quality: { score: Math.round(f.quality.score * 1000) / 1000, reasons: f.quality.reasons },
  }));
  const timings = Object.fromEntries(Object.entries(r.timings).map(([k, v]) => [k, Math.round(v)]));
  if (values.annotate) {
    const labels = r.faces.map((f, i) => ({ box: f.box, text: `#${i + 1}`, colour: f.quality.reasons.length ? ('amber' as const) : ('green' as const) }));
    fs.writeFileSync(values.annotate, await annotate(r.rgb, labels));
  }
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ image: r.image, faces, timings_ms: timings }, null, 2)}\n`);
    return 0;
  }
  process.stdout.write(`${r.image.width}x${r.image.height}, ${faces.length} face(s); ms: ${Object.entries(timings).map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
  if (faces.length > 0) {
    process.stdout.write(
      table([
        ['#', 'x', 'y', 'width', 'height', 'score', 'quality', 'reasons'],
        ...faces.map((f, i) => [i + 1, f.box.x, f.box.y, f.box.width, f.box.height, f.score, f.quality.score, f.quality.reasons.join(',') || '-']),
      ]),
    );
  }
  if (values.annotate) process.stdout.write(`annotated image written to ${values.annotate}\n`);
  return 0;
};

/**
 * A clip's people: tracks linked across frames and joined when they never share a frame and
 * look alike (no database, so not by student), each with its best frame.
 */
async function detectVideo(pipeline: FacePipeline, clip: Buffer, config: Config, values: { annotate?: string; json?: boolean }): Promise<number> {
  const r = await trackFaces(pipeline, clip, config);
  const people = peopleOf(r.tracks, DEFAULT_LINK.minSimilarityFar, () => false);
  const rows = people.map((p) => ({
    box: { x: Math.round(p.best.face.box.x), y: Math.round(p.best.face.box.y), width: Math.round(p.best.face.box.width), height: Math.round(p.best.face.box.height) },
    first_seen_s: round(p.firstSeenS, 2),
    frames: p.frames,
    quality: round(p.best.face.quality.score),
  }));
  const timings = Object.fromEntries(Object.entries(r.timings).map(([k, v]) => [k, Math.round(v)]));
  if (values.annotate) {
    fs.writeFileSync(values.annotate, await contactSheet(people.map((p, i) => ({ img: p.thumb, text: `#${i + 1}`, colour: 'green' as const }))));
  }
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ image: r.image, video: r.video, faces: rows, timings_ms: timings }, null, 2)}\n`);
    return 0;
  }
  process.stdout.write(
    `${r.image.width}x${r.image.height}, ${r.video.duration_s} s, ${r.video.frames_sampled} frames sampled, ${rows.length} face(s); ms: ${Object.entries(timings).map(([k, v]) => `${k} ${v}`).join(', ')}\n`,
  );
  if (rows.length > 0) {
    process.stdout.write(
      table([['#', 'first seen (s)', 'frames', 'x', 'y', 'width', 'height', 'quality'], ...rows.map((f, i) => [i + 1, f.first_seen_s, f.frames, f.box.x, f.box.y, f.box.width, f.box.height, f.quality])]),
    );
  }
  if (values.annotate) process.stdout.write(`contact sheet written to ${values.annotate}\n`);
  return 0;
}
