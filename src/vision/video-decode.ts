import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AppError } from '../errors';
import { FFMPEG_INSTALL_HINT, ffmpegAvailable } from './ffmpeg';
import { PpmStream, PpmStreamError } from './ppm-stream';
import type { RgbImage } from './types';

export interface VideoDecodeOptions {
  ffmpegPath: string;
  /** Frames per second taken from the clip, evenly spaced. */
  fps: number;
  maxSeconds: number;
  maxPixels: number;
  /** Parent of the clip's private temporary directory; null = the OS temp dir. */
  tmpDir: string | null;
  /** Aborting kills ffmpeg (request timed out, client gone). */
  signal?: AbortSignal;
}

export interface VideoFrame {
  /** Position in the sampled sequence, from 0. */
  index: number;
  /** Seconds from the start of the clip. */
  t: number;
  rgb: RgbImage;
}

export interface DecodedVideo {
  /** As the container states it; null when it states none (e.g. a live-recorded WebM). */
  durationS: number | null;
  frames: number;
}

/** The last ffmpeg messages kept to explain a failure (it can print megabytes of warnings). */
const STDERR_KEEP = 16 * 1024;

const invalidVideo = (message: string) => new AppError(400, 'invalid_video', message);

const tooLong = (seconds: number, max: number) =>
  new AppError(413, 'video_too_long', `The clip lasts ${seconds.toFixed(1)} s; the limit is ${max} s (MAX_VIDEO_SECONDS).`, { seconds, max_seconds: max });

/**
 * Decodes a clip with ffmpeg into upright RGB frames, `fps` per second, and hands each to
 * `onFrame` in order (the next is read only once it returns, so at most one frame waits).
 *
 * ffmpeg applies the rotation stored by phones (autorotate is its default) and writes the frames
 * to its stdout as binary PPM: raw pixels with the size in front. It reads the clip from a file
 * in a private temporary directory, not from a pipe, because phones write MP4/MOV with the index
 * (moov) at the end and ffmpeg must seek back to it; the directory is removed in `finally`, after
 * ffmpeg has exited, whatever happened.
 */
export async function decodeVideo(buf: Buffer, opts: VideoDecodeOptions, onFrame: (frame: VideoFrame) => Promise<void>): Promise<DecodedVideo> {
  if (!(await ffmpegAvailable(opts.ffmpegPath))) {
    throw new AppError(415, 'video_unsupported', `This server cannot read video: ${FFMPEG_INSTALL_HINT}. Photos still work.`);
  }
  opts.signal?.throwIfAborted();
  const dir = await fs.mkdtemp(path.join(opts.tmpDir ?? os.tmpdir(), 'rollcall-video-'));
  try {
    const input = path.join(dir, 'clip');
    await fs.writeFile(input, buf, { mode: 0o600 });
    return await runFfmpeg(input, opts, onFrame);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

function runFfmpeg(input: string, opts: VideoDecodeOptions, onFrame: (frame: VideoFrame) => Promise<void>): Promise<DecodedVideo> {
  const args = [
    '-hide_banner', '-nostdin', '-loglevel', 'info',
    '-i', input,
    '-map', '0:v:0', '-an', '-sn', '-dn',
    // A little past the limit, so a clip whose header understates its length is still caught below.
    '-t', String(opts.maxSeconds + 1),
    '-vf', `fps=${opts.fps}`,
    '-f', 'image2pipe', '-c:v', 'ppm', '-pix_fmt', 'rgb24', 'pipe:1',
  ];
  const child = spawn(opts.ffmpegPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let durationS: number | null = null;
  let failure: unknown = null;
  const stop = (e: unknown) => {
    failure ??= e;
    child.kill('SIGKILL');
  };
  const onAbort = () => stop(opts.signal?.reason ?? new AppError(499, 'aborted', 'the request was abandoned'));
  opts.signal?.addEventListener('abort', onAbort, { once: true });

  child.stderr.setEncoding('latin1');
  child.stderr.on('data', (s: string) => {
    stderr = (stderr + s).slice(-STDERR_KEEP);
    if (durationS === null) {
      const m = /Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)/.exec(stderr);
      if (m) {
        durationS = Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
        if (durationS > opts.maxSeconds) stop(tooLong(durationS, opts.maxSeconds));
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => {
    child.on('close', (code) => resolve(code));
    child.on('error', (e) => {
      stop(new AppError(415, 'video_unsupported', `ffmpeg could not be started (${e.message}): ${FFMPEG_INSTALL_HINT}.`));
      resolve(null);
    });
  });

  const ppm = new PpmStream((width, height) => {
    if (width * height > opts.maxPixels) {
      throw new AppError(413, 'image_too_large', `The video's frames are ${width}x${height} (${width * height} pixels); the limit is ${opts.maxPixels} pixels.`, {
        width,
        height,
        maxPixels: opts.maxPixels,
      });
    }
  });

  const pump = async (): Promise<number> => {
    let index = 0;
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      for (const rgb of ppm.push(chunk)) {
        const t = index / opts.fps;
        if (t > opts.maxSeconds) throw tooLong(t, opts.maxSeconds);
        await onFrame({ index, t, rgb });
        index++;
      }
    }
    return index;
  };

  return (async () => {
    let frames = 0;
    try {
      frames = await pump();
    } catch (e) {
      stop(e instanceof PpmStreamError ? invalidVideo('ffmpeg wrote something other than frames') : e);
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
    }
    const code = await exited;
    if (failure) throw failure;
    if (!/Stream #\d+:\d+.*: Video:/.test(stderr)) {
      throw invalidVideo(/Invalid data found|moov atom not found|EBML header parsing failed/.test(stderr)
        ? 'The file is not a readable video: truncated or corrupt.'
        : 'The file holds no video stream (audio only, or not a video).');
    }
    if (frames === 0 || code !== 0 || ppm.incomplete) {
      throw invalidVideo('The video could not be decoded: it is truncated or corrupt.');
    }
    return { durationS, frames };
  })();
}
