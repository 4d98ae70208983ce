import type { Db } from '../store/db';
import type { InferenceQueue } from './inference-queue';
import { ffmpegAvailable } from '../vision/ffmpeg';

export class HealthService {
  constructor(
    private readonly db: Db,
    private readonly models: Record<string, string>,
    private readonly queue: InferenceQueue,
    private readonly ffmpegPath: string,
  ) {}

  async check() {
    await this.db.query('SELECT 1');
    // video: whether clips can be decoded (ffmpeg found); photos work either way.
    return { status: 'ok', database: this.db.kind, models: this.models, queue: this.queue.depth, video: await ffmpegAvailable(this.ffmpegPath) };
  }
}
