/**
 * Video benchmark: `npm run bench:video`. Needs ffmpeg.
 *
 * 1. A 10-second 1080p 30-fps sweep across a generated classroom of 30 real fixture faces
 *    (2400×1350, faces 40–120 px, a 1920×1080 window sliding across it): time end to end
 *    (decode, sample, detect, embed, track, group), per clip second and per sampled frame,
 *    people found vs 30, and peak RSS. The database step (one nearest-neighbour query per
 *    track, a few ms) is left out: no database here.
 * 2. Turned away: the enrolled fixture people side by side, each shown clearly in only one
 *    stretch of the clip and blurred and squeezed (turned away) in the rest. Students named by
 *    tracks vs by the best single frame, both decided by decideFaces against in-memory enrolment
 *    embeddings.
 * 3. One live frame of 1920×1080 (a JPEG, as the page sends it): pipeline time with the photo
 *    scale policy and with live=true (native resolution, what the Live mode sends).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { frameOptions, loadConfig, pipelineOptions } from '../src/config';
import { FacePipeline } from '../src/vision/pipeline';
import { decideFaces } from '../src/matching/decide';
import type { Candidate } from '../src/matching/aggregate';
import { DEFAULT_LINK, cosine } from '../src/matching/tracks';
import { peopleOf, trackFaces } from '../src/services/video-tracks';
import { fixture, index, modelsDir } from './fixtures';
import { median, round1 } from './measure';
import { cutFaceSource, makeClassroom } from './synthetic-classroom';
import { turnedAwayClip } from './turned-away-clip';

const config = { ...loadConfig(), modelsDir: modelsDir() };
const ffmpeg = (args: string[]) => execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args]);
const rssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

async function sweepClip(pipeline: FacePipeline, dir: string): Promise<string> {
  const sources = [];
  for (const f of index.files.filter((x) => (x.kind === 'enroll' || x.kind === 'query') && !x.path.startsWith('formats/'))) {
    const r = await pipeline.run(fixture(f.path), pipelineOptions(config));
    if (r.faces.length > 0) sources.push(await cutFaceSource(r.rgb, r.faces[0].box));
  }
  const room = await makeClassroom(sources, { width: 2400, height: 1350, faces: 30, minFace: 40, maxFace: 120, seed: 11 });
  const still = path.join(dir, 'classroom.jpg');
  fs.writeFileSync(still, room.image);
  const clip = path.join(dir, 'sweep-1080p30.mp4');
  ffmpeg(['-loop', '1', '-i', still, '-vf', "crop=w=1920:h=1080:x='(iw-ow)*t/10':y='(ih-oh)/2',format=yuv420p", '-t', '10', '-r', '30', '-c:v', 'libx264', '-preset', 'veryfast', clip]);
  return clip;
}

/** Enrolment embeddings per identity, as the database would hold them. */
async function enrolled(pipeline: FacePipeline): Promise<{ id: string; embedding: Float32Array }[]> {
  const out = [];
  for (const f of index.files.filter((x) => x.kind === 'enroll')) {
    const r = await pipeline.run(fixture(f.path), pipelineOptions(config));
    if (r.faces.length === 1) out.push({ id: f.identities![0], embedding: r.faces[0].embedding });
  }
  return out;
}

function decideNames(embeddings: Float32Array[], gallery: { id: string; embedding: Float32Array }[]): string[] {
  const lists: Candidate[][] = embeddings.map((e) => gallery.map((g) => ({ studentId: g.id, similarity: cosine(e, g.embedding) })));
  return decideFaces(lists, { threshold: config.matchThreshold, margin: config.matchMargin })
    .filter((d) => d.status === 'matched')
    .map((d) => d.studentId!);
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rollcall-bench-video-'));
  try {
    const pipeline = await FacePipeline.load(config.modelsDir);
    const clip = await sweepClip(pipeline, dir);
    const bytes = fs.readFileSync(clip);
    await trackFaces(pipeline, bytes, config); // warm-up
    const rssBefore = rssMb();
    const runs: { ms: number; people: number; frames: number }[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const r = await trackFaces(pipeline, bytes, config);
      const people = peopleOf(r.tracks, DEFAULT_LINK.minSimilarityFar, () => false);
      runs.push({ ms: performance.now() - t0, people: people.length, frames: r.video.frames_sampled });
    }
    const ms = median(runs.map((r) => r.ms));
    console.log(`\n## 10-s 1080p 30-fps sweep, 30 faces (VIDEO_SAMPLE_FPS=${config.videoSampleFps}, ${os.cpus().length} cores)`);
    console.log(`| end to end (median of 3) | per clip second | per sampled frame | real time | people found / 30 | peak RSS |`);
    console.log(`|---|---|---|---|---|---|`);
    console.log(`| ${round1(ms)} ms | ${round1(ms / 10)} ms | ${round1(ms / runs[0].frames)} ms (${runs[0].frames} frames) | ${round1(10_000 / ms)}× | ${runs.map((r) => r.people).join(', ')} | ${rssMb()} MB (${rssBefore} MB before the timed runs) |`);

    const gallery = await enrolled(pipeline);
    const people = ['query/obama1.jpg', 'query/alex_lacamoire1.jpg', 'people/kit_harington/john2.jpeg', 'people/rose_leslie/img2.jpg', 'people/biden/biden2.jpg'];
    const turnedPath = path.join(dir, 'turned-away.mp4');
    await turnedAwayClip(people.map(fixture), turnedPath, 2);
    const turned = fs.readFileSync(turnedPath);
    const r = await trackFaces(pipeline, turned, config);
    const frames = new Map<number, Float32Array[]>();
    for (const t of r.tracks) for (const f of t.faces) frames.set(f.frame, [...(frames.get(f.frame) ?? []), f.face.embedding]);
    const bestSingle = Math.max(0, ...[...frames.values()].map((embs) => decideNames(embs, gallery).length));
    const byTracks = decideNames(peopleOf(r.tracks, DEFAULT_LINK.minSimilarityFar, () => false).map((p) => p.embedding), gallery);
    console.log(`\n## Turned away: ${people.length} enrolled people, each clear in one 2-s stretch of ${r.video.duration_s} s`);
    console.log(`| named by tracks | named by the best single frame |`);
    console.log(`|---|---|`);
    console.log(`| ${byTracks.length} (${byTracks.sort().join(', ')}) | ${bestSingle} |`);

    const frame = await sharp(path.join(dir, 'classroom.jpg')).extract({ left: 240, top: 135, width: 1920, height: 1080 }).jpeg({ quality: 90 }).toBuffer();
    const live = async (native: boolean) => {
      const opts = native ? frameOptions(config) : pipelineOptions(config);
      await pipeline.run(frame, opts);
      const times = [];
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        await pipeline.run(frame, opts);
        times.push(performance.now() - t0);
      }
      return round1(median(times));
    };
    console.log(`\n## One live frame, 1920×1080 JPEG (median of 5, pipeline only)`);
    console.log(`| photo scale policy (a photo) | native resolution (live=true, as the page's Live mode sends) |`);
    console.log(`|---|---|`);
    console.log(`| ${await live(false)} ms | ${await live(true)} ms |`);
    await pipeline.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
