import { cameraShift, cosine, groupTracks, TrackLinker, trackEmbedding, type TrackFace } from '../../src/matching/tracks';
import { prng } from '../helpers/prng';

const DIM = 64;
const rand = prng(7);
const normalise = (v: Float32Array) => {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};
/** A random unit vector: two of them are nearly orthogonal in 64 dimensions (different people). */
const person = () => normalise(Float32Array.from({ length: DIM }, () => rand() - 0.5));
/** Another view of the same person: `person` plus noise, still clearly alike. */
const view = (p: Float32Array, noise = 0.3) => normalise(p.map((x) => x + (rand() - 0.5) * noise * 0.25));
/** A view of `p` only `similarity` alike to it (a face turned away or half cut off). */
const weakView = (p: Float32Array, similarity: number) => {
  const other = person();
  return normalise(p.map((x, i) => similarity * x + Math.sqrt(1 - similarity ** 2) * other[i]));
};
const face = (embedding: Float32Array, x: number, y = 100, quality = 0.8): TrackFace => ({ box: { x, y, width: 80, height: 100 }, embedding, quality });

describe('TrackLinker', () => {
  test('faces that stay put link by overlap; a new face starts a track', () => {
    const [a, b] = [person(), person()];
    const linker = new TrackLinker();
    expect(linker.push(0, [face(view(a), 100), face(view(b), 400)])).toEqual([0, 1]);
    expect(linker.push(1, [face(view(b), 405), face(view(a), 102)])).toEqual([1, 0]);
    expect(linker.push(2, [face(view(a), 104), face(person(), 700)])).toEqual([0, 2]);
  });

  test('a face the camera moved far links by likeness alone', () => {
    const a = person();
    const linker = new TrackLinker();
    expect(linker.push(0, [face(view(a), 100)])).toEqual([0]);
    expect(linker.push(1, [face(view(a), 900)])).toEqual([0]);
  });

  test('a face too changed to be recognised follows the camera shift of the faces that are', () => {
    const [a, b, c] = [person(), person(), person()];
    const linker = new TrackLinker();
    linker.push(0, [face(view(a), 100), face(view(b), 400), face(view(c), 700)]);
    // The picture moved 300 px left; c now looks only a little like itself (turned away).
    const turned = weakView(c, 0.4);
    expect(cosine(turned, c)).toBeLessThan(0.5);
    expect(cosine(turned, c)).toBeGreaterThan(0.3);
    expect(linker.push(1, [face(view(a), -200), face(view(b), 100), face(turned, 400)])).toEqual([0, 1, 2]);
  });

  test('without a camera shift, the same weak likeness far away starts a new track', () => {
    const c = person();
    const linker = new TrackLinker();
    linker.push(0, [face(view(c), 700)]);
    expect(linker.push(1, [face(weakView(c, 0.4), 100)])).toEqual([1]);
  });

  test('a track unseen for more than maxGap frames takes no more faces', () => {
    const a = person();
    const linker = new TrackLinker({ minIou: 0.2, minSimilarityNear: 0.3, minSimilarityFar: 0.5, maxGap: 2 });
    linker.push(0, [face(view(a), 100)]);
    expect(linker.push(2, [face(view(a), 100)])).toEqual([0]);
    expect(linker.push(5, [face(view(a), 100)])).toEqual([1]);
  });

  test('two faces in one frame never join one track', () => {
    const a = person();
    const linker = new TrackLinker();
    linker.push(0, [face(view(a), 100)]);
    expect(linker.push(1, [face(view(a), 100), face(view(a), 110)]).sort()).toEqual([0, 1]);
  });
});

describe('cameraShift', () => {
  test('the median displacement of unmistakable faces; none → no shift', () => {
    const [a, b, c] = [person(), person(), person()];
    const before = [face(a, 100, 100), face(b, 300, 100), face(c, 500, 100)];
    const after = [face(a, 50, 110), face(b, 250, 110), face(c, 900, 300)];
    expect(cameraShift(before, after, 0.5)).toEqual([-50, 10]);
    expect(cameraShift(before, [face(person(), 0)], 0.5)).toEqual([0, 0]);
    expect(cameraShift([], after, 0.5)).toEqual([0, 0]);
  });
});

describe('trackEmbedding', () => {
  test('the normalised mean of the best-quality faces only', () => {
    const [good, bad] = [person(), person()];
    const e = trackEmbedding([face(good, 0, 0, 0.9), face(bad, 0, 0, 0.1), face(good, 0, 0, 0.8)], 2);
    expect(cosine(e, good)).toBeCloseTo(1, 5);
    expect(Math.hypot(...e)).toBeCloseTo(1, 5);
    const mixed = trackEmbedding([face(good, 0, 0, 0.9), face(bad, 0, 0, 0.8)], 2);
    expect(cosine(mixed, good)).toBeCloseTo(cosine(mixed, bad), 5);
    expect(() => trackEmbedding([])).toThrow(RangeError);
  });
});

describe('groupTracks', () => {
  const [a, b] = [person(), person()];
  test('alike tracks that never share a frame join; a shared frame keeps them apart', () => {
    const tracks = [
      { frames: [0, 1, 2], embedding: a },
      { frames: [0, 1], embedding: view(b) },
      { frames: [5, 6], embedding: a },
      { frames: [2, 3], embedding: weakView(a, 0.6) },
    ];
    // 0 and 2 join (best pair first); 3 shares frame 2 with 0, so it stays apart.
    const groups = groupTracks(tracks, 0.5);
    expect(groups).toEqual([[0, 2], [1], [3]]);
  });

  test('unlike tracks join only when samePerson says so', () => {
    const tracks = [
      { frames: [0], embedding: a },
      { frames: [1], embedding: b },
    ];
    expect(groupTracks(tracks, 0.5)).toEqual([[0], [1]]);
    expect(groupTracks(tracks, 0.5, (i, j) => i === 0 && j === 1)).toEqual([[0, 1]]);
  });

  test('a group never gains a track that shares a frame with any member', () => {
    const tracks = [
      { frames: [0], embedding: view(a) },
      { frames: [1], embedding: view(a) },
      { frames: [0, 2], embedding: view(a) },
    ];
    const groups = groupTracks(tracks, 0.5);
    for (const g of groups) {
      const frames = g.flatMap((i) => tracks[i].frames);
      expect(new Set(frames).size).toBe(frames.length);
    }
    expect(groups.flat().sort()).toEqual([0, 1, 2]);
  });
});
