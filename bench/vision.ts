/**
 * Vision benchmark: `npm run bench:vision`.
 *
 * Per-stage time (median of 5 runs after one warm-up), faces found vs expected, recall by face
 * width and peak RSS for generated classrooms (12 MP; 12 MP of hard back-row faces; a 1024-px web
 * photo; 48 MP), the real group photos, and a real 36-MP phone photo. Then real photos at web
 * resolution: realgroups/ as published and shrunk to 75% and 50% (a messaging app), and the
 * fixtures' group photos downscaled to 720–1600 px, with recall by face width, false faces per
 * photo and time per photo. Then a verification table (same- vs different-person cosine, a small
 * ROC) on the fixture identities. The synthetic images are generated, and each is timed, in a fresh
 * child process: Linux carries a parent's peak RSS into the children it forks, so the parent
 * stays small until every child has run, and each reported peak RSS is the image's own.
 * Prints tables and writes bench/results/vision.json.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, pipelineOptions, PROJECT_ROOT } from '../src/config';
import { finestScale, planLevels } from '../src/vision/detector';
import { cosine } from '../src/vision/embedder';
import { FacePipeline, type PipelineOptions, type PipelineResult } from '../src/vision/pipeline';
import type { Box, StageTimings } from '../src/vision/types';
import sharp from 'sharp';
import { matchToTruth, WIDTH_BINS, widthBin } from './face-truth';
import { fixture, FIXTURES, index, modelsDir, realgroups, RESULTS } from './fixtures';
import { median } from './measure';
import { cutFaceSource, makeClassroom, type FaceSource } from './synthetic-classroom';

const RUNS = 5;
/** Truth faces at least this wide count towards recall (the real-photo issue's smallest face). */
const RECALL_MIN_WIDTH = 10;

const config = loadConfig();
const OPTS: PipelineOptions = pipelineOptions(config);

// ---------------------------------------------------------------------------------------------
// One image, timed in its own process (entered as: vision.js --scenario <image> [<truth.json>]).

interface ScenarioResult {
  width: number;
  height: number;
  tiles: number;
  /** Median ms per stage, and of the per-run totals. */
  decode: number;
  detect: number;
  align: number;
  embed: number;
  total: number;
  /** The untimed warm-up run's total: the first request after start-up. */
  coldTotal: number;
  found: number;
  /** Synthetic images only: truth faces ≥ RECALL_MIN_WIDTH matched at IoU ≥ MATCH_IOU, and detections matching no truth face. */
  recall?: Recall;
  peakRssMb: number;
}

interface Recall {
  matched: number;
  truth: number;
  falsePositives: number;
  missedWidths: number[];
  /** Per WIDTH_BINS label: [found, total]. */
  bins: Record<string, [number, number]>;
}

/** Recall of the truth faces ≥ RECALL_MIN_WIDTH, by width bin, and detections matching no truth face. */
function scoreAgainstTruth(found: Box[], truth: Box[]): Recall {
  const { foundIndex, falsePositives } = matchToTruth(found, truth);
  const counted = truth.map((t, i) => ({ t, hit: foundIndex[i] >= 0 })).filter(({ t }) => t.width >= RECALL_MIN_WIDTH);
  const bins: Recall['bins'] = {};
  for (const { t, hit } of counted) {
    const b = (bins[widthBin(t.width)!] ??= [0, 0]);
    b[0] += hit ? 1 : 0;
    b[1]++;
  }
  return {
    matched: counted.filter((c) => c.hit).length,
    truth: counted.length,
    falsePositives,
    missedWidths: counted.filter((c) => !c.hit).map(({ t }) => Math.round(t.width)),
    bins,
  };
}

async function runScenario(imagePath: string, truthPath: string | undefined): Promise<ScenarioResult> {
  const pipeline = await FacePipeline.load(modelsDir());
  const buf = fs.readFileSync(imagePath);
  const cold = (await pipeline.run(buf, OPTS)).timings;
  // Only timings and faces are kept: holding every run's decoded pixels would inflate peak RSS.
  const timings: StageTimings[] = [];
  let last: Pick<PipelineResult, 'image' | 'faces'> = { image: { width: 0, height: 0 }, faces: [] };
  for (let i = 0; i < RUNS; i++) {
    const { image, faces, timings: t } = await pipeline.run(buf, OPTS);
    timings.push(t);
    last = { image, faces };
  }
  const stage = (k: keyof StageTimings) => median(timings.map((t) => t[k]));
  const sum = (t: StageTimings) => t.decode + t.detect + t.align + t.embed;
  const truth = truthPath ? (JSON.parse(fs.readFileSync(truthPath, 'utf8')) as Box[]) : undefined;
  return {
    ...last.image,
    tiles: planLevels(last.image.width, last.image.height, finestScale(last.image.width, last.image.height, OPTS.scale)).reduce((n, l) => n + l.tiles.length, 0),
    decode: stage('decode'),
    detect: stage('detect'),
    align: stage('align'),
    embed: stage('embed'),
    total: median(timings.map(sum)),
    coldTotal: sum(cold),
    found: last.faces.length,
    recall: truth ? scoreAgainstTruth(last.faces.map((f) => f.box), truth) : undefined,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
}

// ---------------------------------------------------------------------------------------------
// Verification on the fixture identities.

interface Sample {
  who: string;
  file: string;
  embedding: Float32Array;
}

/**
 * Labelled faces as in test/vision/embedder.test.ts: the best face of each enrol/query photo,
 * and the faces of group photos that name their people, each named identity taking the face
 * closest to its enrolment photos. Also returns the faces of group photos that name nobody
 * (distinct strangers: every pair of them, and each against every labelled face, is a
 * different-person pair), reported separately because they carry no identity labels.
 */
async function verificationSamples(pipeline: FacePipeline): Promise<{ labelled: Sample[]; unnamed: Sample[] }> {
  const labelled: Sample[] = [];
  const unnamed: Sample[] = [];
  const faces = async (rel: string) => (await pipeline.run(fixture(rel), OPTS)).faces.map((f) => f.embedding);
  const single = index.files.filter((f) => (f.kind === 'enroll' || f.kind === 'query') && !f.path.startsWith('formats/'));
  for (const f of single) labelled.push({ who: f.identities?.[0] ?? `unknown:${f.path}`, file: f.path, embedding: (await faces(f.path))[0] });
  const enrolled = (id: string) => labelled.filter((s) => s.who === id && index.files.some((f) => f.path === s.file && f.kind === 'enroll'));
  const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  for (const f of index.files.filter((x) => x.kind === 'group')) {
    const es = await faces(f.path);
    const ids = f.identities ?? [];
    if (ids.length === 0) {
      es.forEach((e, i) => unnamed.push({ who: `unnamed:${f.path}#${i}`, file: `${f.path}#${i}`, embedding: e }));
      continue;
    }
    const whoOf = new Map<number, string>();
    const pairs = es.flatMap((e, face) => ids.map((id) => ({ face, id, sim: avg(enrolled(id).map((s) => cosine(s.embedding, e))) })));
    for (const p of pairs.sort((a, b) => b.sim - a.sim)) {
      if (!whoOf.has(p.face) && ![...whoOf.values()].includes(p.id)) whoOf.set(p.face, p.id);
    }
    es.forEach((e, i) => labelled.push({ who: whoOf.get(i) ?? `unknown:${f.path}#${i}`, file: `${f.path}#${i}`, embedding: e }));
  }
  return { labelled, unnamed };
}

interface Pair {
  sim: number;
  a: string;
  b: string;
}

function verification(labelled: Sample[], unnamed: Sample[], formats: { file: string; minVsObama: number }[]) {
  const same: Pair[] = [], different: Pair[] = [], strangers: Pair[] = [];
  const all = [...labelled, ...unnamed];
  for (let i = 0; i < all.length; i++) {
    for (let j = i + 1; j < all.length; j++) {
      const p = { sim: cosine(all[i].embedding, all[j].embedding), a: all[i].file, b: all[j].file };
      if (all[i].who === all[j].who) same.push(p);
      else if (i < labelled.length && j < labelled.length) different.push(p);
      else strangers.push(p);
    }
  }
  const stats = (ps: Pair[]) => {
    const s = [...ps].sort((x, y) => x.sim - y.sim);
    return { pairs: s.length, min: s[0], mean: s.reduce((a, p) => a + p.sim, 0) / s.length, max: s[s.length - 1] };
  };
  const threshold = config.matchThreshold;
  const roc = [0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55].map((t) => ({
    threshold: t,
    falseAccepts: different.filter((p) => p.sim >= t).length,
    falseAcceptsWithStrangers: [...different, ...strangers].filter((p) => p.sim >= t).length,
    falseRejects: same.filter((p) => p.sim < t).length,
  }));
  const s = stats(same), d = stats(different), u = stats(strangers);
  return {
    same: s,
    different: d,
    strangers: u,
    roc,
    threshold,
    margin: s.min.sim - d.max.sim,
    /** Midpoint of the gap between the labelled classes. */
    gapMidpoint: (s.min.sim + d.max.sim) / 2,
    formats,
  };
}

// ---------------------------------------------------------------------------------------------
// Orchestration.

async function faceSources(pipeline: FacePipeline): Promise<FaceSource[]> {
  const sources: FaceSource[] = [];
  for (const f of index.files.filter((x) => (x.kind === 'enroll' || x.kind === 'query') && !x.path.startsWith('formats/'))) {
    const r = await pipeline.run(fixture(f.path), OPTS);
    sources.push(await cutFaceSource(r.rgb, r.faces[0].box));
  }
  return sources;
}

interface Classroom {
  name: string;
  image: string;
  truth: string;
  expected: number;
}

const SYNTHETIC = [
  { name: 'synthetic 4000x3000, 30 faces 24-300 px', width: 4000, height: 3000, minFace: 24, maxFace: 300, seed: 1 },
  { name: 'synthetic 4000x3000, 30 hard back-row faces 20-60 px', width: 4000, height: 3000, minFace: 20, maxFace: 60, seed: 3, hard: true },
  { name: 'synthetic 1024x768 (web), 30 faces 12-48 px', width: 1024, height: 768, minFace: 12, maxFace: 48, seed: 4 },
  { name: 'synthetic 8000x6000 (48 MP), 30 faces 48-600 px', width: 8000, height: 6000, minFace: 48, maxFace: 600, seed: 2 },
];

/** Child process: writes the synthetic classrooms (JPEG + truth boxes) into `dir`. */
async function prepare(dir: string): Promise<Classroom[]> {
  const sources = await faceSources(await FacePipeline.load(modelsDir()));
  const out: Classroom[] = [];
  for (const [i, s] of SYNTHETIC.entries()) {
    const c = await makeClassroom(sources, { ...s, faces: 30 });
    const image = path.join(dir, `classroom-${i}.jpg`), truth = path.join(dir, `classroom-${i}.json`);
    fs.writeFileSync(image, c.image);
    fs.writeFileSync(truth, JSON.stringify(c.truth));
    out.push({ name: s.name, image, truth, expected: c.truth.length });
  }
  return out;
}

/** Runs this file in a fresh Node process with `args` and parses the JSON it prints. */
function child<T>(args: string[]): T {
  const out = execFileSync(process.execPath, [__filename, ...args], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(out) as T;
}

// ---------------------------------------------------------------------------------------------
// Real photos at web resolution: realgroups/ as published and as a messaging app shrinks them, and
// the fixtures' group photos downscaled. Timed in this process (median of 3 after a warm-up).

interface RealPhoto {
  set: string;
  image: string;
  width: number;
  height: number;
  /** The detector's finest level, photo pixels → detector pixels. */
  scale: number;
  recall: Recall;
  ms: number;
}

const REAL_RUNS = 3;
const REALGROUP_FACTORS = [1, 0.75, 0.5];
const GROUP_LONG_SIDES = [720, 1024, 1600];

const shrink = async (buf: Buffer, factor: number) => {
  const { width } = await sharp(buf).metadata();
  return sharp(buf).resize(Math.round(width * factor)).jpeg({ quality: 85 }).toBuffer();
};
const scaleBox = (b: Box, f: number): Box => ({ x: b.x * f, y: b.y * f, width: b.width * f, height: b.height * f });

async function realPhotos(pipeline: FacePipeline): Promise<RealPhoto[]> {
  const photos: { set: string; image: string; buf: Buffer; truth: Box[] }[] = [];
  for (const factor of REALGROUP_FACTORS) {
    for (const f of realgroups()) {
      const buf = factor === 1 ? fixture(f.path) : await shrink(fixture(f.path), factor);
      photos.push({ set: `realgroups ${factor === 1 ? 'as published' : `shrunk to ${factor * 100}%`}`, image: f.path, buf, truth: f.faces.map((b) => scaleBox(b, factor)) });
    }
  }
  // The group photos' exact face counts hold at full size, so their full-size boxes are the truth.
  for (const f of index.files.filter((x) => x.kind === 'group')) {
    const full = await pipeline.run(fixture(f.path), OPTS);
    for (const side of GROUP_LONG_SIDES) {
      const factor = side / Math.max(full.image.width, full.image.height);
      if (factor >= 1) continue;
      photos.push({ set: `group/ downscaled to ${side} px`, image: f.path, buf: await shrink(fixture(f.path), factor), truth: full.faces.map((x) => scaleBox(x.box, factor)) });
    }
  }
  const out: RealPhoto[] = [];
  for (const p of photos) {
    await pipeline.run(p.buf, OPTS);
    const totals: number[] = [];
    let last!: PipelineResult;
    for (let i = 0; i < REAL_RUNS; i++) {
      last = await pipeline.run(p.buf, OPTS);
      totals.push(last.timings.decode + last.timings.detect + last.timings.align + last.timings.embed);
    }
    out.push({
      set: p.set,
      image: p.image,
      ...last.image,
      scale: finestScale(last.image.width, last.image.height, OPTS.scale),
      recall: scoreAgainstTruth(last.faces.map((f) => f.box), p.truth),
      ms: median(totals),
    });
  }
  return out;
}

const pct = (a: number, b: number) => (b === 0 ? '' : `${((100 * a) / b).toFixed(1)}%`);

function printRealPhotos(photos: RealPhoto[]): void {
  console.log(`\nReal photos (detection with the service's settings; faces ≥ ${RECALL_MIN_WIDTH} px of the photo as sent; median of ${REAL_RUNS} runs, ms)\n`);
  const sets = [...new Set(photos.map((p) => p.set))];
  console.table(
    sets.map((set) => {
      const ps = photos.filter((p) => p.set === set);
      const sum = (k: 'matched' | 'truth' | 'falsePositives') => ps.reduce((n, p) => n + p.recall[k], 0);
      const bin = (label: string) => ps.reduce(([a, b], p) => [a + (p.recall.bins[label]?.[0] ?? 0), b + (p.recall.bins[label]?.[1] ?? 0)], [0, 0]);
      return {
        set,
        photos: ps.length,
        found: `${sum('matched')}/${sum('truth')} ${pct(sum('matched'), sum('truth'))}`,
        'worst photo': pct(Math.min(...ps.map((p) => p.recall.matched / Math.max(1, p.recall.truth))), 1),
        'false/photo (max)': Math.max(...ps.map((p) => p.recall.falsePositives)),
        ...Object.fromEntries(WIDTH_BINS.map((b) => [b.label, bin(b.label)[1] ? bin(b.label).join('/') : ''])),
        'median ms': f1(median(ps.map((p) => p.ms))),
      };
    }),
  );
  console.table(
    photos.map((p) => ({
      set: p.set,
      image: p.image,
      size: `${p.width}x${p.height}`,
      'detector scale': p.scale.toFixed(2),
      found: `${p.recall.matched}/${p.recall.truth}`,
      'false pos': p.recall.falsePositives,
      missed: p.recall.missedWidths.join(' '),
      ms: f1(p.ms),
    })),
  );
}

const f1 = (x: number) => x.toFixed(1);
const f3 = (x: number) => x.toFixed(3);

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'rollcall-bench-'));
  const classrooms = child<Classroom[]>(['--prepare', work]);
  // Small to large: the 4000×3000 classroom, the real photos, then the 48-MP classroom.
  const inputs: { name: string; image: string; truth?: string; expected: number }[] = [
    classrooms[2],
    classrooms[0],
    classrooms[1],
    ...index.files
      .filter((x) => x.kind === 'group')
      .map((f) => ({ name: f.path, image: path.join(FIXTURES, f.path), expected: f.face_count ?? 0 })),
    { name: 'people/person_a/001_A.jpg (36 MP phone photo)', image: path.join(FIXTURES, 'people/person_a/001_A.jpg'), expected: 1 },
    classrooms[3],
  ];
  const scenarios = inputs.map((x) => ({
    name: x.name,
    expected: x.expected,
    ...child<ScenarioResult>(['--scenario', x.image, ...(x.truth ? [x.truth] : [])]),
  }));
  fs.rmSync(work, { recursive: true, force: true });

  const pipeline = await FacePipeline.load(modelsDir());
  const real = await realPhotos(pipeline);
  const { labelled, unnamed } = await verificationSamples(pipeline);
  const obama = labelled.filter((s) => s.file.startsWith('people/obama/'));
  const formats: { file: string; minVsObama: number }[] = [];
  for (const f of index.files.filter((x) => x.path.startsWith('formats/'))) {
    const [face] = (await pipeline.run(fixture(f.path), OPTS)).faces;
    formats.push({ file: f.path, minVsObama: Math.min(...obama.map((o) => cosine(o.embedding, face.embedding))) });
  }
  const verify = verification(labelled, unnamed, formats);

  const results = {
    date: new Date().toISOString(),
    // Load average at the end: other work on the box inflates every figure above.
    machine: { cpus: os.availableParallelism(), model: os.cpus()[0]?.model, node: process.version, loadavg: os.loadavg() },
    options: OPTS,
    runs: RUNS,
    scenarios,
    realPhotos: real,
    verification: verify,
  };
  fs.mkdirSync(RESULTS, { recursive: true });
  fs.writeFileSync(path.join(RESULTS, 'vision.json'), JSON.stringify(results, null, 2));

  console.log(
    `Vision benchmark: ${results.machine.cpus} CPUs (${results.machine.model}), Node ${process.version}, ` +
      `load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; median of ${RUNS} runs after 1 warm-up; ms\n`,
  );
  console.table(
    scenarios.map((s) => ({
      image: s.name,
      size: `${s.width}x${s.height}`,
      tiles: s.tiles,
      decode: f1(s.decode),
      detect: f1(s.detect),
      align: f1(s.align),
      embed: f1(s.embed),
      total: f1(s.total),
      'cold total': f1(s.coldTotal),
      'found/expected': `${s.found}/${s.expected}`,
      [`recall ≥${RECALL_MIN_WIDTH}px`]: s.recall ? `${s.recall.matched}/${s.recall.truth}` : '',
      ...Object.fromEntries(WIDTH_BINS.map((b) => [b.label, s.recall?.bins[b.label] ? s.recall.bins[b.label].join('/') : ''])),
      'false pos': s.recall ? s.recall.falsePositives : '',
      'peak RSS MB': Math.round(s.peakRssMb),
    })),
  );
  for (const s of scenarios.filter((x) => x.recall && x.recall.missedWidths.length > 0)) {
    console.log(`${s.name}: missed faces of width ${s.recall!.missedWidths.join(', ')} px`);
  }

  printRealPhotos(real);

  console.log('\nVerification on the fixture identities (cosine of L2-normalised embeddings)\n');
  /** `worst`: the pair nearest the other class (the lowest same-person, the highest different-person). */
  const row = (label: string, st: typeof verify.same, worst: Pair) => ({
    pairs: label,
    n: st.pairs,
    min: f3(st.min.sim),
    mean: f3(st.mean),
    max: f3(st.max.sim),
    'worst pair': `${worst.a} ~ ${worst.b}`,
  });
  console.table([
    row('same person', verify.same, verify.same.min),
    row('different people (labelled)', verify.different, verify.different.max),
    row('unnamed group faces vs anyone', verify.strangers, verify.strangers.max),
  ]);
  console.table(verify.roc.map((r) => ({ threshold: r.threshold, 'false accepts': r.falseAccepts, 'incl. unnamed': r.falseAcceptsWithStrangers, 'false rejects': r.falseRejects })));
  console.log(
    `MATCH_THRESHOLD ${verify.threshold}: margin (min same − max different) ${f3(verify.margin)}, gap midpoint ${f3(verify.gapMidpoint)}; ` +
      `formats/* vs obama's enrol photos: ${f3(Math.min(...formats.map((f) => f.minVsObama)))}–${f3(Math.max(...formats.map((f) => f.minVsObama)))}`,
  );
  console.log(`\nwrote ${path.relative(PROJECT_ROOT, path.join(RESULTS, 'vision.json'))}`);
}

/** Prints a child's result as JSON on stdout (its only output there). */
function reply<T>(work: Promise<T>): void {
  work.then(
    (r) => process.stdout.write(JSON.stringify(r)),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}

if (process.argv[2] === '--prepare') reply(prepare(process.argv[3]));
else if (process.argv[2] === '--scenario') reply(runScenario(process.argv[3], process.argv[4]));
else {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
