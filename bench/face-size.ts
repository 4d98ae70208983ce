/**
 * Face-size benchmark: `npm run bench:face-size`.
 *
 * How the similarity to the right student falls as a face shrinks, to choose the face width below
 * which Rollcall counts a face but never names it (`unknown`, reason `too_small`).
 *
 * The faces are REAL fixture photos, shrunk synthetically:
 *  - Templates: every `enroll` photo embedded at full size as enrolment does (its enrolment
 *    detection options, the widest face).
 *  - Probes: every single-person `query` photo (formats/ excluded: they are re-encodings of one
 *    obama photo), and, as a second set, the `enroll` photos leave-one-out (the photo under test is
 *    removed from its identity's templates). The never-enrolled query person is an impostor: only
 *    its best similarity to an enrolled student counts.
 *  - Each probe photo is decoded once; its biggest face at full size gives the box. The WHOLE
 *    decoded photo is then shrunk (sharp, lanczos3, as a messaging app would) so that box is w px
 *    wide, and sent (A) as it is, and (B) upsampled 4× (sharp, lanczos3) first, as a hand trial
 *    did. The detector's scale policy enlarges A for detection too, but A's faces are aligned
 *    from the small pixels sent, B's from the upsampled ones. Shrunk photos travel as lossless PNG, so resampling is the only
 *    loss. A shrunk photo with a side under the decoder's 32-px minimum (variant A, tight head
 *    shots at the smallest widths) is centred on a mid-grey canvas of 32 px rather than refused.
 *  - The pipeline runs with a low detector score threshold (0.3) and minFaceSize 1, so detection
 *    is not the limit; the detection overlapping the expected (scaled) box best, at IoU ≥ 0.3, is
 *    the face (otherwise "not detected").
 *  - Naming uses the product's own rule, decideFaces (src/matching/decide.ts): a student's score
 *    is the max over their templates; named when ≥ threshold and ahead of every other student by
 *    MATCH_MARGIN. Reported at MATCH_THRESHOLD and at 0.35 / 0.45.
 *  - Cross-check: the REAL small faces (14–84 px) of never-enrolled people in fixtures/realgroups,
 *    as they are and upsampled 4×, decided photo-wide against the same templates: any name is wrong.
 * Prints tables and a recommended "too small to name" width (rules: see safeFrom); writes
 * bench/results/face-size.json. About 3 minutes on 2 cores, most of it person_a's 12–36-MP photos.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import { loadConfig, pipelineOptions, PROJECT_ROOT } from '../src/config';
import type { Candidate } from '../src/matching/aggregate';
import { decideFaces } from '../src/matching/decide';
import { MIN_IMAGE_SIDE } from '../src/vision/decode';
import { cosine } from '../src/vision/embedder';
import { iou } from '../src/vision/nms';
import { FacePipeline, type PipelineOptions } from '../src/vision/pipeline';
import type { Box, EmbeddedFace, RgbImage } from '../src/vision/types';
import { MATCH_IOU, matchToTruth } from './face-truth';
import { fixture, index, realgroups, modelsDir, RESULTS, type FixtureFile } from './fixtures';
import { median } from './measure';

const WIDTHS = [8, 10, 12, 14, 16, 20, 24, 32, 48];
const UPSAMPLE = 4;
const VARIANTS = ['A', 'B'] as const;
type Variant = (typeof VARIANTS)[number];
const VARIANT_NAMES: Record<Variant, string> = {
  A: 'A: shrunk photo sent as is',
  B: `B: shrunk photo upsampled ${UPSAMPLE}× (lanczos3) before it is sent`,
};
const LOW_SCORE = 0.3;
const THRESHOLDS = [0.35, 0.4, 0.45];

const config = loadConfig();
const MARGIN = config.matchMargin;
const MAIN_THRESHOLD = config.matchThreshold;
/** The service's recognition options (full-size probes) and enrolment's (templates). */
const SERVICE_OPTS: PipelineOptions = pipelineOptions(config);
// As enrolment runs: never enlarged, its own size thresholds.
const ENROL_OPTS: PipelineOptions = {
  ...SERVICE_OPTS,
  scale: { ...SERVICE_OPTS.scale, maxUpscale: 1 },
  quality: { minSize: config.enrolMinFaceSize, goodSize: 2 * config.enrolMinFaceSize },
};
/** Shrunk photos: detection is not what is measured here. */
const SMALL_OPTS: PipelineOptions = { ...SERVICE_OPTS, minFaceSize: 1, scoreThreshold: LOW_SCORE };

// ---------------------------------------------------------------------------------------------
// Shrinking and probing one photo.

const raw = (img: RgbImage) => sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } });

async function resize(img: RgbImage, width: number, height: number): Promise<RgbImage> {
  const data = await raw(img).resize(width, height, { fit: 'fill', kernel: 'lanczos3' }).raw().toBuffer();
  return { data, width, height };
}

/** Centres `img` on a mid-grey canvas of at least MIN_IMAGE_SIDE per side; returns the offset. */
async function padToMinimum(img: RgbImage): Promise<{ img: RgbImage; dx: number; dy: number }> {
  const width = Math.max(img.width, MIN_IMAGE_SIDE), height = Math.max(img.height, MIN_IMAGE_SIDE);
  if (width === img.width && height === img.height) return { img, dx: 0, dy: 0 };
  const dx = (width - img.width) >> 1, dy = (height - img.height) >> 1;
  const data = await raw(img)
    .extend({ left: dx, top: dy, right: width - img.width - dx, bottom: height - img.height - dy, background: { r: 128, g: 128, b: 128 } })
    .raw()
    .toBuffer();
  return { img: { data, width, height }, dx, dy };
}

const png = (img: RgbImage) => raw(img).png({ compressionLevel: 1 }).toBuffer();

interface Probe {
  /** The detected face's box width (px of the image sent), null when not detected. */
  detectedWidth: number | null;
  iou: number;
  detectionScore: number | null;
  embedding: Float32Array | null;
  /** The size of the image sent to the pipeline. */
  sent: { width: number; height: number; padded: boolean };
}

/** Sends `img` through the pipeline and takes the face best overlapping `expected`. */
async function probe(pipeline: FacePipeline, img: RgbImage, expected: Box): Promise<Probe> {
  const { img: sent, dx, dy } = await padToMinimum(img);
  const box = { ...expected, x: expected.x + dx, y: expected.y + dy };
  const { faces } = await pipeline.run(await png(sent), SMALL_OPTS);
  let best: EmbeddedFace | null = null, bestIou = 0;
  for (const f of faces) {
    const o = iou(f.box, box);
    if (o > bestIou) [best, bestIou] = [f, o];
  }
  const hit = best && bestIou >= MATCH_IOU ? best : null;
  return {
    detectedWidth: hit ? hit.box.width : null,
    iou: bestIou,
    detectionScore: hit ? hit.score : null,
    embedding: hit ? hit.embedding : null,
    sent: { width: sent.width, height: sent.height, padded: sent !== img },
  };
}

interface Photo {
  file: string;
  kind: 'enroll' | 'query';
  /** Enrolled identity, or null for the never-enrolled person. */
  identity: string | null;
  image: { width: number; height: number };
  /** The biggest face at full size, with the service's options (enrolment's for enrol photos). */
  face: { box: Box; score: number; embedding: Float32Array; qualityReasons: string[] };
  /** What enrolment would say of an `enroll` photo (null: it would be enrolled). */
  enrolRejection: string | null;
  /** Per width and variant. */
  probes: Map<string, Probe>;
}

const key = (w: number, v: Variant) => `${w}${v}`;

async function examinePhoto(pipeline: FacePipeline, f: FixtureFile): Promise<Photo> {
  const kind = f.kind as Photo['kind'];
  const buf = fixture(f.path);
  // Decoded once here; every shrink below starts from these pixels.
  const full = await pipeline.run(buf, kind === 'enroll' ? ENROL_OPTS : SERVICE_OPTS);
  const faces = [...full.faces].sort((a, b) => b.box.width - a.box.width);
  if (faces.length === 0) throw new Error(`${f.path}: no face at full size`);
  const main = faces[0];
  let enrolRejection: string | null = null;
  if (kind === 'enroll') {
    // enrolment.ts's checks (its looks_like check needs the database and is not repeated here).
    if (faces.slice(1).some((x) => x.box.width >= main.box.width * 0.5)) enrolRejection = 'multiple_faces';
    else if (main.box.width < config.enrolMinFaceSize) enrolRejection = 'face_too_small';
    else if (main.quality.reasons.length > 0) enrolRejection = `low_quality: ${main.quality.reasons.join(', ')}`;
  }
  const probes = new Map<string, Probe>();
  for (const w of WIDTHS) {
    const s = w / main.box.width;
    const width = Math.max(1, Math.round(full.rgb.width * s)), height = Math.max(1, Math.round(full.rgb.height * s));
    const sx = width / full.rgb.width, sy = height / full.rgb.height;
    const expected: Box = { x: main.box.x * sx, y: main.box.y * sy, width: main.box.width * sx, height: main.box.height * sy };
    const small = await resize(full.rgb, width, height);
    probes.set(key(w, 'A'), await probe(pipeline, small, expected));
    const big = await resize(small, width * UPSAMPLE, height * UPSAMPLE);
    const scaled = { x: expected.x * UPSAMPLE, y: expected.y * UPSAMPLE, width: expected.width * UPSAMPLE, height: expected.height * UPSAMPLE };
    probes.set(key(w, 'B'), await probe(pipeline, big, scaled));
  }
  return {
    file: f.path,
    kind,
    identity: f.identities?.[0] ?? null,
    image: { width: full.rgb.width, height: full.rgb.height },
    face: { box: main.box, score: main.score, embedding: main.embedding, qualityReasons: main.quality.reasons },
    enrolRejection,
    probes,
  };
}

// ---------------------------------------------------------------------------------------------
// Scoring against the templates.

interface Template {
  identity: string;
  file: string;
  embedding: Float32Array;
}

type Outcome = 'right' | 'wrong' | 'unnamed';

interface Scored {
  file: string;
  identity: string | null;
  detected: boolean;
  /** Right student: max and mean over their templates (null for the impostor or when not detected). */
  rightMax: number | null;
  rightMean: number | null;
  /** Best other student (max over their templates) and who. */
  wrongMax: number | null;
  wrongWho: string | null;
  /** Per threshold (as a string key), the product's decision. */
  outcome: Record<string, Outcome>;
  status: Record<string, string>;
}

function score(file: string, identity: string | null, embedding: Float32Array | null, templates: Template[]): Scored {
  const base = { file, identity };
  if (!embedding) {
    const outcome = Object.fromEntries(THRESHOLDS.map((t) => [String(t), 'unnamed' as Outcome]));
    const status = Object.fromEntries(THRESHOLDS.map((t) => [String(t), 'not detected']));
    return { ...base, detected: false, rightMax: null, rightMean: null, wrongMax: null, wrongWho: null, outcome, status };
  }
  // One neighbour per template, as the store returns them; decideFaces keeps each student's max.
  const neighbours: Candidate[] = templates.map((t) => ({ studentId: t.identity, similarity: cosine(t.embedding, embedding) }));
  const own = neighbours.filter((n) => n.studentId === identity).map((n) => n.similarity);
  let wrongMax: number | null = null, wrongWho: string | null = null;
  for (const n of neighbours) {
    if (n.studentId !== identity && (wrongMax === null || n.similarity > wrongMax)) [wrongMax, wrongWho] = [n.similarity, n.studentId];
  }
  const outcome: Record<string, Outcome> = {}, status: Record<string, string> = {};
  for (const t of THRESHOLDS) {
    const [d] = decideFaces([neighbours], { threshold: t, margin: MARGIN });
    status[String(t)] = d.status;
    outcome[String(t)] = d.status !== 'matched' ? 'unnamed' : d.studentId === identity ? 'right' : 'wrong';
  }
  return {
    ...base,
    detected: true,
    rightMax: own.length ? Math.max(...own) : null,
    rightMean: own.length ? own.reduce((a, b) => a + b, 0) / own.length : null,
    wrongMax,
    wrongWho,
    outcome,
    status,
  };
}

interface Row {
  set: string;
  variant: Variant | 'full';
  width: number | 'full';
  total: number;
  detected: number;
  medianRight: number | null;
  minRight: number | null;
  medianRightMean: number | null;
  maxWrong: number | null;
  maxWrongFace: string | null;
  /** Per threshold: named right, named wrong, detected but unnamed. */
  counts: Record<string, { right: number; wrong: number; unnamed: number }>;
  faces: Scored[];
}

function summarise(set: string, variant: Row['variant'], width: Row['width'], faces: Scored[]): Row {
  const det = faces.filter((f) => f.detected);
  const rights = det.flatMap((f) => (f.rightMax === null ? [] : [f.rightMax]));
  const means = det.flatMap((f) => (f.rightMean === null ? [] : [f.rightMean]));
  const worst = det.reduce<Scored | null>((m, f) => (f.wrongMax !== null && (m === null || f.wrongMax > m.wrongMax!) ? f : m), null);
  const counts = Object.fromEntries(
    THRESHOLDS.map((t) => {
      const o = det.map((f) => f.outcome[String(t)]);
      return [String(t), { right: o.filter((x) => x === 'right').length, wrong: o.filter((x) => x === 'wrong').length, unnamed: o.filter((x) => x === 'unnamed').length }];
    }),
  );
  return {
    set,
    variant,
    width,
    total: faces.length,
    detected: det.length,
    medianRight: rights.length ? median(rights) : null,
    minRight: rights.length ? Math.min(...rights) : null,
    medianRightMean: means.length ? median(means) : null,
    maxWrong: worst?.wrongMax ?? null,
    maxWrongFace: worst ? `${worst.file} ~ ${worst.wrongWho}` : null,
    counts,
    faces,
  };
}

type Rule = 'no-wrong' | 'separated';

/**
 * The smallest tested width from which on (it and every larger tested width) the rule holds for
 * `variant`; null when it fails even at the largest width. "Faces at w" are both synthetic probe
 * sets at w (the impostor included) and, when `strangers` is given, every real never-enrolled face
 * at least w wide (whose best student is a wrong student by definition).
 *  - 'no-wrong' (the brief's): nothing is named wrong at `threshold`, and the best wrong-student
 *    similarity stays clearly below it: ≤ threshold − MATCH_MARGIN, so a wrong student would need a
 *    whole margin more just to become eligible.
 *  - 'separated': 'no-wrong', and the lowest right-student similarity of any detected synthetic
 *    face is at least MATCH_MARGIN above the highest wrong-student similarity (bench:vision's
 *    "min same − max different" margin, per width): the score still tells people apart. Without
 *    it, "never wrong" can hold only because right and wrong scores have sunk together under the
 *    threshold, with a handful of rivals; a class of 30 gives the tail many more chances.
 */
function safeFrom(rows: Row[], strangers: StrangerFace[] | null, variant: Variant, threshold: number, rule: Rule): number | null {
  let safe: number | null = null;
  for (const w of [...WIDTHS].reverse()) {
    const at = rows.filter((r) => r.variant === variant && r.width === w);
    const real = (strangers ?? []).filter((f) => f.width >= w && f.best !== null);
    const wrongs = [...at.flatMap((r) => (r.maxWrong === null ? [] : [r.maxWrong])), ...real.map((f) => f.best!)];
    const rights = at.flatMap((r) => (r.minRight === null ? [] : [r.minRight]));
    const maxWrong = wrongs.length ? Math.max(...wrongs) : -Infinity;
    const namedWrong = at.reduce((n, r) => n + r.counts[String(threshold)].wrong, 0) + real.filter((f) => f.named[String(threshold)] !== null).length;
    let ok = namedWrong === 0 && maxWrong <= threshold - MARGIN;
    if (rule === 'separated') ok &&= rights.length > 0 && Math.min(...rights) - maxWrong >= MARGIN;
    if (!ok) break;
    safe = w;
  }
  return safe;
}

// ---------------------------------------------------------------------------------------------
// Cross-check: real small faces of never-enrolled people (fixtures/realgroups, 14–84 px).

const REAL_BUCKETS: [number, number][] = [
  [0, 16],
  [16, 20],
  [20, 24],
  [24, 32],
  [32, Infinity],
];
const bucketName = ([lo, hi]: [number, number]) => (hi === Infinity ? `≥${lo}` : lo === 0 ? `<${hi}` : `${lo}–${hi - 1}`);

interface StrangerFace {
  file: string;
  /** Reference box width in the photo as it is (px). */
  width: number;
  best: number | null;
  bestWho: string | null;
  /** Per threshold: the student named (always wrong: nobody here is enrolled), or null. */
  named: Record<string, string | null>;
}

/**
 * Every reference face of every realgroups photo, sent (A) as it is and (B) upsampled 4×, matched to
 * a detection (IoU ≥ MATCH_IOU), and decided photo-wide against all templates as recognition does.
 */
async function realStrangers(pipeline: FacePipeline, templates: Template[]): Promise<Record<Variant, StrangerFace[]>> {
  const files = realgroups();
  const out: Record<Variant, StrangerFace[]> = { A: [], B: [] };
  for (const f of files) {
    const buf = fixture(f.path);
    const asIs = await pipeline.run(buf, SMALL_OPTS);
    const big = await resize(asIs.rgb, asIs.rgb.width * UPSAMPLE, asIs.rgb.height * UPSAMPLE);
    const upsampled = await pipeline.run(await png(big), SMALL_OPTS);
    for (const [v, faces, k] of [['A', asIs.faces, 1], ['B', upsampled.faces, UPSAMPLE]] as const) {
      const { foundIndex } = matchToTruth(
        faces.map((d) => d.box),
        f.faces.map((ref) => ({ x: ref.x * k, y: ref.y * k, width: ref.width * k, height: ref.height * k })),
      );
      const matched = foundIndex.filter((di) => di >= 0);
      const perFace = matched.map((di) => templates.map((t) => ({ studentId: t.identity, similarity: cosine(t.embedding, faces[di].embedding) })));
      const decisions = Object.fromEntries(THRESHOLDS.map((t) => [String(t), decideFaces(perFace, { threshold: t, margin: MARGIN })]));
      f.faces.forEach((ref, ri) => {
        const i = matched.indexOf(foundIndex[ri]);
        const top = i < 0 ? undefined : decisions[String(THRESHOLDS[0])][i].candidates[0];
        out[v].push({
          file: f.path,
          width: ref.width,
          best: top?.similarity ?? null,
          bestWho: top?.studentId ?? null,
          named: Object.fromEntries(THRESHOLDS.map((t) => [String(t), i < 0 ? null : decisions[String(t)][i].studentId])),
        });
      });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

const f3 = (x: number | null) => (x === null ? '–' : x.toFixed(3));

async function main(): Promise<void> {
  const t0 = performance.now();
  const pipeline = await FacePipeline.load(modelsDir());
  const files = index.files.filter((f) => (f.kind === 'enroll' || f.kind === 'query') && !f.path.startsWith('formats/'));

  console.log(
    `Face-size benchmark: ${os.availableParallelism()} CPUs (${os.cpus()[0]?.model}), Node ${process.version}\n` +
      'REAL fixture photos, shrunk synthetically (sharp lanczos3 from the decoded full-size pixels) so the face box is w px wide.\n',
  );
  const photos: Photo[] = [];
  for (const f of files) {
    const t = performance.now();
    const p = await examinePhoto(pipeline, f);
    photos.push(p);
    const padded = WIDTHS.filter((w) => p.probes.get(key(w, 'A'))!.sent.padded);
    console.log(
      `  ${p.kind.padEnd(6)} ${p.file.padEnd(38)} ${(p.identity ?? 'never enrolled (impostor)').padEnd(26)} ` +
        `${p.image.width}x${p.image.height} (${((p.image.width * p.image.height) / 1e6).toFixed(1)} MP), face ${Math.round(p.face.box.width)} px` +
        `${p.enrolRejection ? `, enrolment would refuse: ${p.enrolRejection}` : ''}` +
        `${padded.length ? `, A padded to ${MIN_IMAGE_SIDE} px at w=${padded.join(',')}` : ''}  [${((performance.now() - t) / 1000).toFixed(1)} s]`,
    );
  }

  // Templates: every enrol photo at full size, as enrolment embeds it.
  const templates: Template[] = photos.filter((p) => p.kind === 'enroll').map((p) => ({ identity: p.identity!, file: p.file, embedding: p.face.embedding }));
  const sets = [
    { name: 'query photos', probes: photos.filter((p) => p.kind === 'query'), templatesFor: () => templates },
    {
      name: 'enrol photos, leave-one-out',
      probes: photos.filter((p) => p.kind === 'enroll'),
      templatesFor: (p: Photo) => templates.filter((t) => t.file !== p.file),
    },
  ];
  const rows: Row[] = [];
  for (const set of sets) {
    rows.push(summarise(set.name, 'full', 'full', set.probes.map((p) => score(p.file, p.identity, p.face.embedding, set.templatesFor(p)))));
    for (const v of VARIANTS) {
      for (const w of WIDTHS) {
        const faces = set.probes.map((p) => score(p.file, p.identity, p.probes.get(key(w, v))!.embedding, set.templatesFor(p)));
        rows.push(summarise(set.name, v, w, faces));
      }
    }
  }

  const tcols = THRESHOLDS.map((t) => (t === MAIN_THRESHOLD ? `@${t} (product)` : `@${t}`));
  const table = (rs: Row[]) =>
    console.table(
      rs.map((r) => ({
        'w px': r.width,
        detected: `${r.detected}/${r.total}`,
        'median right': f3(r.medianRight),
        'min right': f3(r.minRight),
        'median right (template mean)': f3(r.medianRightMean),
        'max wrong': f3(r.maxWrong),
        ...Object.fromEntries(
          THRESHOLDS.map((t, i) => {
            const c = r.counts[String(t)];
            return [`${tcols[i]} right/wrong/unnamed`, `${c.right}/${c.wrong}/${c.unnamed}`];
          }),
        ),
      })),
    );

  console.log(
    `\nPer width: faces detected (IoU ≥ ${MATCH_IOU} with the scaled full-size box, detector score ≥ ${LOW_SCORE}, minFaceSize 1) / faces; ` +
      'similarity to the right student = max over their templates (median and min over faces; also the median of the per-face mean over templates); ' +
      "max wrong = the best other student's similarity over all faces (the impostor's best student counts here); " +
      `right/wrong/unnamed = decideFaces at that threshold with margin ${MARGIN}, over detected faces (unnamed = unknown or ambiguous).`,
  );
  for (const set of sets) {
    const setRows = rows.filter((r) => r.set === set.name);
    const genuine = set.probes.filter((p) => p.identity !== null).length;
    console.log(`\n== ${set.name}: ${set.probes.length} faces (${genuine} enrolled people, ${set.probes.length - genuine} impostor) ==`);
    console.log('full size (the service\'s own detection, as uploaded):');
    table(setRows.filter((r) => r.variant === 'full'));
    for (const v of VARIANTS) {
      console.log(VARIANT_NAMES[v]);
      table(setRows.filter((r) => r.variant === v));
    }
  }

  // Per width, both sets: the worst right and the worst wrong similarity, and where they come from.
  const worstRight = (rs: Row[]) =>
    rs.flatMap((r) => r.faces).reduce<Scored | null>((m, f) => (f.rightMax !== null && (m === null || f.rightMax < m.rightMax!) ? f : m), null);
  const worstWrong = (rs: Row[]) =>
    rs.flatMap((r) => r.faces).reduce<Scored | null>((m, f) => (f.wrongMax !== null && (m === null || f.wrongMax > m.wrongMax!) ? f : m), null);
  const separation = VARIANTS.flatMap((v) =>
    WIDTHS.map((w) => {
      const rs = rows.filter((r) => r.variant === v && r.width === w);
      const lo = worstRight(rs), hi = worstWrong(rs);
      return {
        variant: v,
        w,
        minRight: lo?.rightMax ?? null,
        minRightFace: lo ? lo.file : null,
        maxWrong: hi?.wrongMax ?? null,
        maxWrongFace: hi ? `${hi.file} ~ ${hi.wrongWho}` : null,
        gap: lo && hi ? lo.rightMax! - hi.wrongMax! : null,
      };
    }),
  );
  console.log('\nSeparation per width, both sets: lowest right-student similarity of any face vs highest wrong-student similarity of any face');
  console.table(
    separation.map((x) => ({
      variant: x.variant,
      'w px': x.w,
      'min right': f3(x.minRight),
      'min right face': x.minRightFace ?? '–',
      'max wrong': f3(x.maxWrong),
      'max wrong face ~ student': x.maxWrongFace ?? '–',
      'gap (min right − max wrong)': f3(x.gap),
    })),
  );

  // Cross-check on real small faces of people never enrolled: anything named there is wrong.
  const strangers = await realStrangers(pipeline, templates);
  console.log(
    '\nCross-check: REAL small faces of never-enrolled people (fixtures/realgroups, web-resolution group photos, reference boxes), ' +
      'decided photo-wide against all templates; w = reference box width in the photo as it is; any name is a wrong name',
  );
  console.table(
    VARIANTS.flatMap((v) =>
      REAL_BUCKETS.map((bk) => {
        const inBucket = strangers[v].filter((f) => f.width >= bk[0] && f.width < bk[1]);
        const bests = inBucket.flatMap((f) => (f.best === null ? [] : [f.best]));
        return {
          variant: v,
          'w px': bucketName(bk),
          detected: `${bests.length}/${inBucket.length}`,
          'median best student': f3(bests.length ? median(bests) : null),
          'max best student': f3(bests.length ? Math.max(...bests) : null),
          ...Object.fromEntries(THRESHOLDS.map((t) => [`named (wrong) @${t}`, inBucket.filter((f) => f.named[String(t)] !== null).length])),
        };
      }),
    ),
  );

  const rules: Rule[] = ['no-wrong', 'separated'];
  const evidence = ['synthetic only', 'synthetic + real strangers'] as const;
  const recommendation = rules.flatMap((rule) =>
    evidence.flatMap((ev) =>
      THRESHOLDS.map((t) => {
        const perVariant = Object.fromEntries(
          VARIANTS.map((v) => [v, safeFrom(rows, ev === 'synthetic only' ? null : strangers[v], v, t, rule)]),
        ) as Record<Variant, number | null>;
        const both = VARIANTS.map((v) => perVariant[v]);
        return { rule, evidence: ev, threshold: t, perVariant, width: both.some((x) => x === null) ? null : Math.max(...(both as number[])) };
      }),
    ),
  );
  const curve = (v: Variant) =>
    WIDTHS.map((w) => {
      const rs = rows.filter((r) => r.variant === v && r.width === w);
      const right = rs.reduce((n, r) => n + r.counts[String(MAIN_THRESHOLD)].right, 0);
      const genuine = rs.reduce((n, r) => n + r.faces.filter((f) => f.identity !== null).length, 0);
      return `${w}px ${right}/${genuine}`;
    }).join(', ');
  const ruleText: Record<Rule, string> = {
    'no-wrong':
      `at w and every larger tested w, over both probe sets (impostor included) and, with real strangers, every real never-enrolled ` +
      `face ≥ w px: nothing named wrong at the threshold AND ` +
      `max wrong-student similarity ≤ threshold − MATCH_MARGIN (${MARGIN})`,
    separated: `'no-wrong' AND (lowest right-student similarity − highest wrong-student similarity) ≥ MATCH_MARGIN (${MARGIN}) at w and every larger tested w`,
  };
  console.log('\nSmallest safe width per rule and threshold (both variants must be safe: faces in big photos are not upscaled, so A counts as much as B):');
  console.table(
    recommendation.map((r) => ({ rule: r.rule, faces: r.evidence, threshold: r.threshold, 'A safe from': r.perVariant.A ?? 'none', 'B safe from': r.perVariant.B ?? 'none', 'too small below': r.width ?? 'n/a' })),
  );
  console.log(`rule 'no-wrong': ${ruleText['no-wrong']}`);
  console.log(`rule 'separated': ${ruleText.separated}`);
  console.log(`\nNamed right at ${MAIN_THRESHOLD}, both sets, genuine faces (curve):`);
  for (const v of VARIANTS) console.log(`  ${v}: ${curve(v)}`);
  const pick = (rule: Rule, ev: (typeof evidence)[number]) =>
    recommendation.find((r) => r.rule === rule && r.evidence === ev && r.threshold === MAIN_THRESHOLD)!;
  const chosen = pick('separated', 'synthetic + real strangers');
  const strangersIn = (lo: number, hi: number) =>
    VARIANTS.map((v) => {
      const seen = strangers[v].filter((f) => f.width >= lo && f.width < hi && f.best !== null);
      const named = seen.filter((f) => f.named[String(MAIN_THRESHOLD)] !== null).length;
      return `${v} ${seen.length} faces, max ${f3(seen.length ? Math.max(...seen.map((f) => f.best!)) : null)}, named ${named}`;
    }).join('; ');
  const w = chosen.width;
  console.log(
    `\nRECOMMENDATION: never name a face narrower than ${w ?? 'n/a'} px (count it, unknown/too_small): rule 'separated', synthetic + real strangers, ` +
      `MATCH_THRESHOLD ${MAIN_THRESHOLD} (A safe from ${chosen.perVariant.A ?? 'none'} px, B from ${chosen.perVariant.B ?? 'none'} px; the larger counts, since faces in big photos are not upscaled).`,
  );
  console.log(
    `  Synthetic faces alone: 'separated' ${pick('separated', 'synthetic only').width ?? 'n/a'} px; the brief's 'no-wrong' ${pick('no-wrong', 'synthetic only').width ?? 'n/a'} px, ` +
      `which holds at tiny widths only because right and wrong similarities sink together below the threshold (5 rivals per face).`,
  );
  if (w !== null) {
    console.log(`  Real never-enrolled faces ≥ ${w} px: ${strangersIn(w, Infinity)}.`);
    const below = WIDTHS.filter((x) => x < w).slice(-1)[0];
    if (below !== undefined) console.log(`  Real never-enrolled faces ${below}–${w - 1} px: ${strangersIn(below, w)}.`);
  }

  const seconds = (performance.now() - t0) / 1000;
  const results = {
    date: new Date().toISOString(),
    machine: { cpus: os.availableParallelism(), model: os.cpus()[0]?.model, node: process.version, loadavg: os.loadavg() },
    note: 'REAL fixture photos, shrunk synthetically (sharp lanczos3) so the face box is w px wide',
    widths: WIDTHS,
    variants: VARIANT_NAMES,
    upsample: UPSAMPLE,
    detector: { scoreThreshold: LOW_SCORE, minFaceSize: 1, matchIou: MATCH_IOU },
    decision: { thresholds: THRESHOLDS, margin: MARGIN, productThreshold: MAIN_THRESHOLD },
    photos: photos.map((p) => ({
      file: p.file,
      kind: p.kind,
      identity: p.identity,
      image: p.image,
      faceBox: p.face.box,
      enrolRejection: p.enrolRejection,
      probes: Object.fromEntries(
        [...p.probes].map(([k, pr]) => [k, { detectedWidth: pr.detectedWidth, iou: pr.iou, detectionScore: pr.detectionScore, sent: pr.sent }]),
      ),
    })),
    rows,
    separation,
    realStrangers: strangers,
    recommendation: { rules: ruleText, rule: 'separated', evidence: 'synthetic + real strangers', perRuleEvidenceAndThreshold: recommendation, widthPx: chosen.width },
    seconds,
  };
  fs.mkdirSync(RESULTS, { recursive: true });
  fs.writeFileSync(path.join(RESULTS, 'face-size.json'), JSON.stringify(results, null, 2));
  console.log(`\nran in ${seconds.toFixed(0)} s; wrote ${path.relative(PROJECT_ROOT, path.join(RESULTS, 'face-size.json'))}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
