import { hungarian } from './assign';
import { iou } from '../vision/nms';
import type { Box } from '../vision/types';

/**
 * Faces of a video followed from frame to frame. Pure maths over boxes and L2-normalised
 * embeddings; decoding, detection and naming happen elsewhere.
 */
export interface TrackFace {
  box: Box;
  /** L2-normalised; cosine similarity is then the dot product. */
  embedding: Float32Array;
  /** 0..1, higher is better (see vision/quality). */
  quality: number;
}

export interface LinkOptions {
  /** Boxes overlapping at least this much (IoU) link when the faces are also at least `minSimilarityNear` alike. */
  minIou: number;
  minSimilarityNear: number;
  /**
   * Faces this alike link whatever their boxes: a sweeping phone moves a face far between two
   * sampled frames. Same-person frames of one clip are typically 0.6+, different people below 0.3.
   */
  minSimilarityFar: number;
  /** A track not seen for more than this many sampled frames takes no more faces. */
  maxGap: number;
}

export const DEFAULT_LINK: Readonly<LinkOptions> = { minIou: 0.2, minSimilarityNear: 0.3, minSimilarityFar: 0.5, maxGap: 3 };

export function cosine(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * Online linking: each frame's faces join the open tracks by a one-to-one assignment that
 * maximises similarity + overlap over eligible pairs (hungarian), and faces left over start
 * tracks. The assignment keeps two neighbours from both joining one track.
 */
export class TrackLinker {
  private readonly open: { last: TrackFace; lastFrame: number; id: number }[] = [];
  private next = 0;

  constructor(private readonly opts: LinkOptions = DEFAULT_LINK) {}

  /** Track id per face of frame `frame` (frames pushed in increasing order). */
  push(frame: number, faces: readonly TrackFace[]): number[] {
    const live = this.open.filter((t) => frame - t.lastFrame <= this.opts.maxGap);
    const shift = cameraShift(live.map((t) => t.last), faces, this.opts.minSimilarityFar);
    const score = (t: { last: TrackFace }, f: TrackFace): number | null => {
      const sim = cosine(t.last.embedding, f.embedding);
      const overlap = iou(shifted(t.last.box, shift), f.box);
      const eligible = (overlap >= this.opts.minIou && sim >= this.opts.minSimilarityNear) || sim >= this.opts.minSimilarityFar;
      return eligible ? sim + overlap : null;
    };
    // An ineligible pair costs 0, like no pair at all, so it is never preferred (see decide.ts).
    const cost = faces.map((f) => live.map((t) => -(score(t, f) ?? 0)));
    const chosen = live.length ? hungarian(cost) : faces.map(() => -1);
    const ids = faces.map((f, i) => {
      const j = chosen[i];
      const t = j >= 0 && score(live[j], f) !== null ? live[j] : null;
      if (t) {
        t.last = f;
        t.lastFrame = frame;
        return t.id;
      }
      const id = this.next++;
      this.open.push({ last: f, lastFrame: frame, id });
      return id;
    });
    // Tracks past the gap can never link again.
    for (let i = this.open.length - 1; i >= 0; i--) if (frame - this.open[i].lastFrame > this.opts.maxGap) this.open.splice(i, 1);
    return ids;
  }
}

const centre = (b: Box) => [b.x + b.width / 2, b.y + b.height / 2] as const;
const shifted = (b: Box, [dx, dy]: readonly [number, number]): Box => ({ ...b, x: b.x + dx, y: b.y + dy });
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * How far the picture moved between two frames: the median displacement of the faces that are
 * unmistakably the same (mutual best match, at least `minSimilarity` alike). A sweeping camera
 * moves every face together, so a face too turned or cut off to be recognised on its own still
 * overlaps its predicted place. [0, 0] when no face is unmistakable.
 */
export function cameraShift(previous: readonly TrackFace[], current: readonly TrackFace[], minSimilarity: number): [number, number] {
  const bestOf = (f: TrackFace, among: readonly TrackFace[]) => {
    let best = -1, sim = -Infinity;
    among.forEach((g, j) => {
      const s = cosine(f.embedding, g.embedding);
      if (s > sim) [best, sim] = [j, s];
    });
    return { best, sim };
  };
  const dx: number[] = [];
  const dy: number[] = [];
  previous.forEach((p, i) => {
    const { best, sim } = bestOf(p, current);
    if (best < 0 || sim < minSimilarity || bestOf(current[best], previous).best !== i) return;
    const [px, py] = centre(p.box);
    const [cx, cy] = centre(current[best].box);
    dx.push(cx - px);
    dy.push(cy - py);
  });
  return dx.length ? [median(dx), median(dy)] : [0, 0];
}

/** Normalised mean of the embeddings of the `k` best-quality faces: a few clear views speak for the track. */
export function trackEmbedding(faces: readonly Pick<TrackFace, 'embedding' | 'quality'>[], k = 3): Float32Array {
  if (faces.length === 0) throw new RangeError('trackEmbedding needs at least one face');
  const best = [...faces].sort((a, b) => b.quality - a.quality).slice(0, Math.max(1, k));
  const mean = new Float32Array(best[0].embedding.length);
  for (const f of best) for (let i = 0; i < mean.length; i++) mean[i] += f.embedding[i];
  const norm = Math.hypot(...mean) || 1;
  return mean.map((v) => v / norm);
}

export interface TrackSummary {
  /** Sampled frames the track appears in. */
  frames: readonly number[];
  embedding: Float32Array;
}

/**
 * Groups tracks that are the same person: two tracks seen in one frame are two people, so only
 * groups that never share a frame join. Pairs join best first (single linkage) when their
 * embeddings are at least `minSimilarity` alike or `samePerson(i, j)` says so (e.g. both named
 * the same student). Returns groups of track indices, each sorted, ordered by first member.
 */
export function groupTracks(tracks: readonly TrackSummary[], minSimilarity: number, samePerson: (i: number, j: number) => boolean = () => false): number[][] {
  const parent = tracks.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  const frames = tracks.map((t) => new Set(t.frames));
  const pairs: { i: number; j: number; sim: number }[] = [];
  for (let i = 0; i < tracks.length; i++) {
    for (let j = i + 1; j < tracks.length; j++) {
      const sim = cosine(tracks[i].embedding, tracks[j].embedding);
      if (sim >= minSimilarity || samePerson(i, j)) pairs.push({ i, j, sim });
    }
  }
  pairs.sort((a, b) => b.sim - a.sim || a.i - b.i || a.j - b.j);
  for (const { i, j } of pairs) {
    const a = find(i), b = find(j);
    if (a === b || [...frames[b]].some((f) => frames[a].has(f))) continue;
    const [keep, gone] = a < b ? [a, b] : [b, a];
    parent[gone] = keep;
    for (const f of frames[gone]) frames[keep].add(f);
  }
  const groups = new Map<number, number[]>();
  tracks.forEach((_, i) => {
    const r = find(i);
    groups.set(r, [...(groups.get(r) ?? []), i]);
  });
  return [...groups.values()].sort((a, b) => a[0] - b[0]);
}
