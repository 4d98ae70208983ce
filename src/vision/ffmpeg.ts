import { spawn } from 'node:child_process';

/** How to get ffmpeg, for the 415 answer and the logs. */
export const FFMPEG_INSTALL_HINT =
  'install FFmpeg on the server (Debian/Ubuntu: apt-get install ffmpeg; macOS: brew install ffmpeg) or point FFMPEG_PATH at it';

const checked = new Map<string, Promise<boolean>>();

/** Whether `ffmpegPath -version` runs, asked once per path per process. */
export function ffmpegAvailable(ffmpegPath: string): Promise<boolean> {
  let p = checked.get(ffmpegPath);
  if (!p) {
    p = new Promise<boolean>((resolve) => {
      const child = spawn(ffmpegPath, ['-hide_banner', '-version'], { stdio: 'ignore' });
      child.on('error', () => resolve(false));
      child.on('close', (code) => resolve(code === 0));
    });
    checked.set(ffmpegPath, p);
  }
  return p;
}
