import fs from 'node:fs';
import { loadConfig, pipelineOptions } from '../../src/config';
import { AppError } from '../../src/errors';
import { cosine } from '../../src/vision/embedder';
import { FacePipeline, type PipelineOptions } from '../../src/vision/pipeline';
import { fixturePath, readIndex, sharedModelsDir } from '../helpers/fixtures';

const config = loadConfig({});
const OPTS: PipelineOptions = pipelineOptions(config);
const read = (rel: string) => fs.readFileSync(fixturePath(rel));

let pipeline: FacePipeline;
beforeAll(async () => {
  pipeline = await FacePipeline.load(sharedModelsDir);
});

describe('FacePipeline.run', () => {
  it('returns the upright image, its pixels, embedded faces with quality, and stage timings', async () => {
    const r = await pipeline.run(read('formats/exif-orientation-6.jpg'), OPTS);
    // Stored sideways (EXIF 6): reported in its upright, portrait frame.
    expect(r.image).toEqual({ width: 626, height: 1200 });
    expect([r.rgb.width, r.rgb.height, r.rgb.data.length]).toEqual([626, 1200, 626 * 1200 * 3]);
    expect(r.faces).toHaveLength(1);
    const [face] = r.faces;
    expect(face.box.x).toBeGreaterThanOrEqual(0);
    expect(face.box.x + face.box.width).toBeLessThanOrEqual(626);
    expect(Math.hypot(...face.embedding)).toBeCloseTo(1, 5);
    expect(face.quality.reasons).toEqual([]);
    expect(face.quality.score).toBeGreaterThan(0);
    for (const stage of ['decode', 'detect', 'align', 'embed'] as const) {
      expect(Number.isFinite(r.timings[stage])).toBe(true);
      expect(r.timings[stage]).toBeGreaterThanOrEqual(0);
    }
  });

  it('finds the annotated number of faces in every group photo and none in the no-face photo', async () => {
    const files = readIndex().files.filter((f) => f.kind === 'group' || (f.kind === 'noface' && f.path.startsWith('noface/')));
    const counts = await Promise.all(files.map(async (f) => [f.path, (await pipeline.run(read(f.path), OPTS)).faces.length]));
    expect(counts).toEqual(files.map((f) => [f.path, f.face_count]));
  });

  it('recognises the people of a group photo against their enrolment photos', async () => {
    const group = await pipeline.run(read('group/obama_and_biden.jpg'), OPTS);
    for (const enrol of ['people/obama/obama.jpg', 'people/biden/biden2.jpg']) {
      const [me] = (await pipeline.run(read(enrol), OPTS)).faces;
      const best = Math.max(...group.faces.map((f) => cosine(f.embedding, me.embedding)));
      expect(best).toBeGreaterThan(config.matchThreshold);
    }
  });

  it('drops faces narrower than minFaceSize', async () => {
    // The two faces of two_people.jpg are about 150 px wide.
    expect((await pipeline.run(read('group/two_people.jpg'), OPTS)).faces).toHaveLength(2);
    expect((await pipeline.run(read('group/two_people.jpg'), { ...OPTS, minFaceSize: 200 })).faces).toHaveLength(0);
  });

  it('refuses undecodable and oversized images with the decoder\'s AppError', async () => {
    await expect(pipeline.run(read('bad/text.jpg'), OPTS)).rejects.toMatchObject({ code: 'invalid_image' });
    const tooBig = await pipeline.run(read('people/obama/obama.jpg'), { ...OPTS, maxPixels: 1_000_000 }).catch((e: unknown) => e);
    expect(tooBig).toBeInstanceOf(AppError);
    expect(tooBig).toMatchObject({ status: 413, code: 'image_too_large' });
  });
});
