import { frameOptions, type Config } from '../config';
import type { FacePipeline } from '../vision/pipeline';
import { decodeVideo, type VideoFrame } from '../vision/video-decode';
import { frameSharpness, SharpestPerWindow } from '../vision/frame-sharpness';
import { cropBox } from '../vision/contact-sheet';
import type { EmbeddedFace, RgbImage, StageTimings } from '../vision/types';
import { DEFAULT_LINK, groupTracks, TrackLinker, trackEmbedding } from '../matching/tracks';

export interface TrackedFace {
  /** Sampled frame index and its time in the clip. */
  frame: number;
  t: number;
  face: EmbeddedFace;
}

export interface FaceTrack {
  faces: TrackedFace[];
  /** The best-quality face, and the pixels around it for the contact sheet. */
  best: TrackedFace;
  thumb: RgbImage;
}

export interface TrackedVideo {
  image: { width: number; height: number };
  tracks: FaceTrack[];
  video: { duration_s: number; frames_sampled: number };
  timings: StageTimings;
}

/** A person in the clip: one or more tracks that never share a frame (see groupTracks). */
export interface VideoPerson {
  tracks: FaceTrack[];
  best: TrackedFace;
  thumb: RgbImage;
  embedding: Float32Array;
  firstSeenS: number;
  frames: number;
}

/**
 * Frames decoded per analysed frame: the sharpest of each pair is analysed, so a frame smeared
 * by the sweep of the phone is skipped when its neighbour is sharper.
 */
const CANDIDATES_PER_SAMPLE = 2;
/** Best-quality faces whose embeddings make a track's (see trackEmbedding). */
const BEST_FACES = 3;

/**
 * Decodes a clip, analyses the sharper frame of each pair at full resolution with the photo
 * pipeline and links faces into tracks. Only the best face's surroundings are kept per track,
 * never whole frames.
 */
export async function trackFaces(pipeline: FacePipeline, clip: Buffer, config: Config, signal?: AbortSignal): Promise<TrackedVideo> {
  const t0 = performance.now();
  const timings: StageTimings = { decode: 0, detect: 0, align: 0, embed: 0 };
  const linker = new TrackLinker(DEFAULT_LINK);
  const tracks = new Map<number, FaceTrack>();
  const sampler = new SharpestPerWindow<VideoFrame>(CANDIDATES_PER_SAMPLE);
  let image = { width: 0, height: 0 };
  let sampled = 0;

  const analyse = async (frame: VideoFrame) => {
    signal?.throwIfAborted();
    const r = await pipeline.runPixels(frame.rgb, frameOptions(config));
    for (const k of ['detect', 'align', 'embed'] as const) timings[k] += r.timings[k];
    image = r.image;
    const index = sampled++;
    const ids = linker.push(index, r.faces.map((f) => ({ box: f.box, embedding: f.embedding, quality: f.quality.score })));
    r.faces.forEach((face, i) => {
      const seen: TrackedFace = { frame: index, t: frame.t, face };
      const track = tracks.get(ids[i]);
      if (!track) {
        tracks.set(ids[i], { faces: [seen], best: seen, thumb: cropBox(frame.rgb, face.box) });
        return;
      }
      track.faces.push(seen);
      if (face.quality.score > track.best.face.quality.score) {
        track.best = seen;
        track.thumb = cropBox(frame.rgb, face.box);
      }
    });
  };

  const decoded = await decodeVideo(
    clip,
    {
      ffmpegPath: config.ffmpegPath,
      fps: config.videoSampleFps * CANDIDATES_PER_SAMPLE,
      maxSeconds: config.maxVideoSeconds,
      maxPixels: config.maxPixels,
      tmpDir: config.videoTmpDir,
      signal,
    },
    async (frame) => {
      const pick = sampler.push(frame, frameSharpness(frame.rgb));
      if (pick) await analyse(pick);
    },
  );
  const last = sampler.flush();
  if (last) await analyse(last);
  timings.decode = performance.now() - t0 - timings.detect - timings.align - timings.embed;
  const durationS = decoded.durationS ?? decoded.frames / (config.videoSampleFps * CANDIDATES_PER_SAMPLE);
  return {
    image,
    tracks: [...tracks.values()],
    video: { duration_s: Math.round(durationS * 100) / 100, frames_sampled: sampled },
    timings,
  };
}

/** The embedding a track (or a group of tracks) is matched by. */
export const embeddingOf = (tracks: readonly FaceTrack[]): Float32Array =>
  trackEmbedding(tracks.flatMap((t) => t.faces.map((f) => ({ embedding: f.face.embedding, quality: f.face.quality.score }))), BEST_FACES);

/**
 * Tracks → people: tracks that never share a frame join when they look alike or when
 * `samePerson` says so (both would be named the same student), so a student who leaves the frame
 * and comes back is one face, and an unknown one is counted once.
 */
export function peopleOf(tracks: readonly FaceTrack[], minSimilarity: number, samePerson: (i: number, j: number) => boolean): VideoPerson[] {
  const embeddings = tracks.map((t) => embeddingOf([t]));
  const groups = groupTracks(
    tracks.map((t, i) => ({ frames: t.faces.map((f) => f.frame), embedding: embeddings[i] })),
    minSimilarity,
    samePerson,
  );
  return groups.map((g) => {
    const members = g.map((i) => tracks[i]);
    const bestTrack = members.reduce((a, b) => (b.best.face.quality.score > a.best.face.quality.score ? b : a));
    return {
      tracks: members,
      best: bestTrack.best,
      thumb: bestTrack.thumb,
      embedding: members.length === 1 ? embeddings[g[0]] : embeddingOf(members),
      firstSeenS: Math.min(...members.map((m) => m.faces[0].t)),
      frames: members.reduce((n, m) => n + m.faces.length, 0),
    };
  });
}
