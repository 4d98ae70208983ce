import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { alignFace } from '../../src/vision/align';
import { decodeImage } from '../../src/vision/decode';
import { DEFAULT_SCALE, FaceDetector } from '../../src/vision/detector';
import { cosine, EMBEDDING_DIM, FaceEmbedder } from '../../src/vision/embedder';
import { DETECTOR_FILE, EMBEDDER_FILE } from '../../src/vision/pipeline';
import type { RgbImage } from '../../src/vision/types';
import { fixturePath, readIndex, sharedModelsDir } from '../helpers/fixtures';

/** Photos of one person are detected as enrolment detects them: never enlarged. */
const AS_ENROLMENT = { ...DEFAULT_SCALE, maxUpscale: 1 };

const THRESHOLD = loadConfig({}).matchThreshold;

interface Sample {
  /** An identity id, or a label unique to one unnamed person. */
  who: string;
  file: string;
  embedding: Float32Array;
}

let detector: FaceDetector;
let embedder: FaceEmbedder;

/** Embeddings of every face found in a fixture, best detector score first. */
async function embedFile(rel: string): Promise<Float32Array[]> {
  const img = await decodeImage(fs.readFileSync(fixturePath(rel)), { maxPixels: 60_000_000 });
  const faces = await detector.detect(img, { minFaceSize: 20, scoreThreshold: 0.6, scale: AS_ENROLMENT });
  return embedder.embed(img, faces.map((f) => f.landmarks));
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * The labelled faces: the best face of every enrol and query photo (formats/ aside: they are
 * copies of one obama photo), and every face of the group photos that name their people. A group
 * photo does not say which face is whom, so each named identity takes the face closest to its
 * enrolment photos (one face each); a wrong assignment would show up as a low same-person score.
 * Faces left over (the child in obama_and_biden) are people of their own.
 */
async function labelledSamples(): Promise<Sample[]> {
  const files = readIndex().files;
  const samples: Sample[] = [];
  for (const f of files.filter((x) => (x.kind === 'enroll' || x.kind === 'query') && !x.path.startsWith('formats/'))) {
    const [best] = await embedFile(f.path);
    samples.push({ who: f.identities?.[0] ?? `unknown:${f.path}`, file: f.path, embedding: best });
  }
  const enrolled = (id: string) => samples.filter((s) => s.who === id && files.some((f) => f.path === s.file && f.kind === 'enroll'));
  for (const f of files.filter((x) => x.kind === 'group' && (x.identities ?? []).length > 0)) {
    const faces = await embedFile(f.path);
    const pairs = faces.flatMap((e, face) =>
      f.identities!.map((id) => ({ face, id, sim: mean(enrolled(id).map((s) => cosine(s.embedding, e))) })),
    );
    const whoOf = new Map<number, string>();
    for (const p of pairs.sort((a, b) => b.sim - a.sim)) {
      if (!whoOf.has(p.face) && ![...whoOf.values()].includes(p.id)) whoOf.set(p.face, p.id);
    }
    faces.forEach((e, i) => samples.push({ who: whoOf.get(i) ?? `unknown:${f.path}#${i}`, file: `${f.path}#${i}`, embedding: e }));
  }
  return samples;
}

beforeAll(async () => {
  detector = await FaceDetector.load(path.join(sharedModelsDir, DETECTOR_FILE));
  embedder = await FaceEmbedder.load(path.join(sharedModelsDir, EMBEDDER_FILE));
});

describe('cosine', () => {
  it('is 1 for parallel, 0 for orthogonal, -1 for opposite vectors, whatever their length', () => {
    expect(cosine(Float32Array.of(1, 2), Float32Array.of(2, 4))).toBeCloseTo(1, 6);
    expect(cosine(Float32Array.of(1, 0), Float32Array.of(0, 3))).toBeCloseTo(0, 6);
    expect(cosine(Float32Array.of(1, 1), Float32Array.of(-2, -2))).toBeCloseTo(-1, 6);
    expect(cosine(Float32Array.of(0, 0), Float32Array.of(1, 1))).toBe(0);
    expect(() => cosine(Float32Array.of(1), Float32Array.of(1, 2))).toThrow();
  });
});

describe('FaceEmbedder.embedAligned', () => {
  it('rejects a crop that is not 112×112', async () => {
    await expect(embedder.embedAligned({ data: Buffer.alloc(64 * 64 * 3), width: 64, height: 64 })).rejects.toThrow(/112/);
  });
});

describe('FaceEmbedder.load', () => {
  const modelPath = path.join(sharedModelsDir, EMBEDDER_FILE);

  /** Aligned crops of every face in a few fixture photos (group photos and an enrol photo). */
  async function fixtureCrops(): Promise<RgbImage[]> {
    const crops: RgbImage[] = [];
    for (const rel of ['group/cf_000_5.jpg', 'group/obama_and_biden.jpg', 'people/rose_leslie/img1.jpg']) {
      const img = await decodeImage(fs.readFileSync(fixturePath(rel)), { maxPixels: 60_000_000 });
      for (const face of await detector.detect(img, { minFaceSize: 20, scoreThreshold: 0.6, scale: AS_ENROLMENT })) crops.push(alignFace(img, face.landmarks));
    }
    return crops;
  }

  it("runs at 'extended' or 'all', whichever it timed faster, and both give the same embeddings", async () => {
    expect(['extended', 'all']).toContain(embedder.optimization);
    const extended = await FaceEmbedder.load(modelPath, { optimization: 'extended', workers: 1 });
    const all = await FaceEmbedder.load(modelPath, { optimization: 'all', workers: 1 });
    expect([extended.optimization, all.optimization]).toEqual(['extended', 'all']);
    const crops = await fixtureCrops();
    expect(crops.length).toBeGreaterThanOrEqual(8);
    for (const crop of crops) {
      expect(cosine(await extended.embedAligned(crop), await all.embedAligned(crop))).toBeGreaterThanOrEqual(0.9999);
    }
    await Promise.all([extended.close(), all.close()]);
  });

  it('embeds many crops at once on several workers exactly as one at a time on one worker', async () => {
    const crops = await fixtureCrops();
    const one = await FaceEmbedder.load(modelPath, { optimization: 'all', workers: 1 });
    const three = await FaceEmbedder.load(modelPath, { optimization: 'all', workers: 3 });
    const sequential: Float32Array[] = [];
    for (const crop of crops) sequential.push(await one.embedAligned(crop));
    const together = await Promise.all(crops.map((crop) => three.embedAligned(crop)));
    together.forEach((e, i) => expect(Array.from(e)).toEqual(Array.from(sequential[i])));
    await Promise.all([one.close(), three.close()]);
  });

  it('lets the running crop finish on close, refuses the queued and later ones, and fails to load a missing model', async () => {
    const e = await FaceEmbedder.load(modelPath, { optimization: 'extended', workers: 1 });
    const crop = (await fixtureCrops())[0];
    const settled = Promise.allSettled([e.embedAligned(crop), e.embedAligned(crop)]);
    await e.close();
    const [running, queued] = await settled;
    expect(running.status).toBe('fulfilled');
    expect(queued).toMatchObject({ status: 'rejected', reason: { message: 'the embedder is closed' } });
    await expect(e.embedAligned(crop)).rejects.toThrow(/closed/);
    await expect(FaceEmbedder.load(path.join(sharedModelsDir, 'no-such-model.onnx'))).rejects.toThrow(/fr_feature/);
  });
});

describe('FaceEmbedder on the fixtures', () => {
  let samples: Sample[];
  beforeAll(async () => {
    samples = await labelledSamples();
  });

  it('returns unit-length 512-d embeddings', () => {
    for (const { embedding } of samples) {
      expect(embedding).toHaveLength(EMBEDDING_DIM);
      expect(Math.hypot(...embedding)).toBeCloseTo(1, 5);
    }
  });

  it('scores every same-person pair above every different-person pair, across the threshold', () => {
    const same: number[] = [], different: number[] = [];
    for (let i = 0; i < samples.length; i++) {
      for (let j = i + 1; j < samples.length; j++) {
        (samples[i].who === samples[j].who ? same : different).push(cosine(samples[i].embedding, samples[j].embedding));
      }
    }
    // Six identities with 2-5 photos each, plus group faces: about 50 same-person pairs.
    expect(same.length).toBeGreaterThanOrEqual(40);
    const margin = Math.min(...same) - Math.max(...different);
    expect(margin).toBeGreaterThan(0);
    expect(Math.min(...same)).toBeGreaterThan(THRESHOLD);
    expect(Math.max(...different)).toBeLessThan(THRESHOLD);
  });

  it('finds the never-enrolled person below the threshold against everybody', () => {
    const lin = samples.find((s) => s.file === 'query/lin-manuel-miranda.png')!;
    const best = Math.max(...samples.filter((s) => s !== lin).map((s) => cosine(s.embedding, lin.embedding)));
    expect(best).toBeLessThan(THRESHOLD);
  });

  it('embeds every format of the obama photo close to his enrolment photos', async () => {
    const obama = samples.filter((s) => s.file.startsWith('people/obama/'));
    expect(obama).toHaveLength(2);
    const formats = readIndex().files.filter((f) => f.path.startsWith('formats/'));
    expect(formats.length).toBeGreaterThanOrEqual(9);
    for (const f of formats) {
      const [e] = await embedFile(f.path);
      for (const o of obama) expect(cosine(o.embedding, e)).toBeGreaterThan(THRESHOLD);
    }
  });

  it('gives the same embedding to interleaved concurrent calls as to sequential ones', async () => {
    const a = await decodeImage(fs.readFileSync(fixturePath('people/biden/biden2.jpg')), { maxPixels: 60_000_000 });
    const b = await decodeImage(fs.readFileSync(fixturePath('people/rose_leslie/img1.jpg')), { maxPixels: 60_000_000 });
    const la = (await detector.detect(a, { minFaceSize: 20, scoreThreshold: 0.6, scale: AS_ENROLMENT }))[0].landmarks;
    const lb = (await detector.detect(b, { minFaceSize: 20, scoreThreshold: 0.6, scale: AS_ENROLMENT }))[0].landmarks;
    const [ea, eb] = await Promise.all([embedder.embedAligned(alignFace(a, la)), embedder.embedAligned(alignFace(b, lb))]);
    expect(cosine(ea, (await embedder.embed(a, [la]))[0])).toBeCloseTo(1, 6);
    expect(cosine(eb, (await embedder.embed(b, [lb]))[0])).toBeCloseTo(1, 6);
  });
});
