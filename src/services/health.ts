import { AppError } from '../errors';
import type { Db } from '../store/db';
import type { FacePipeline } from '../vision/pipeline';
import type { InferenceQueue } from './inference-queue';
import type { Lifecycle } from './lifecycle';
import { ffmpegAvailable } from '../vision/ffmpeg';

type Part = 'database' | 'models';

export class HealthService {
  constructor(
    private readonly db: Db,
    private readonly pipeline: Pick<FacePipeline, 'ready'>,
    private readonly models: Record<string, string>,
    private readonly queue: InferenceQueue,
    private readonly lifecycle: Lifecycle,
    private readonly ffmpegPath: string,
  ) {}

  /** Every part answers, or 503 naming the parts that are down (Retry-After). */
  async check() {
    const down: Part[] = [];
    if (!(await this.db.query('SELECT 1').then(() => true, () => false))) down.push('database');
    if (!this.pipeline.ready) down.push('models');
    if (down.length > 0) {
      throw new AppError(503, `${down[0]}_unavailable`, `not healthy: ${down.join(' and ')} unavailable`, { down }, { 'Retry-After': '5' });
    }
    // video: whether clips can be decoded (ffmpeg found); photos work either way.
    return { status: 'ok', database: this.db.kind, models: this.models, queue: this.queue.depth, video: await ffmpegAvailable(this.ffmpegPath) };
  }

  /** The process is up (no dependency is asked: a restart would not help a database outage). */
  live() {
    return { status: 'ok', phase: this.lifecycle.phase };
  }

  /** It can serve now: started, not shutting down, and every part answers. */
  async ready() {
    const phase = this.lifecycle.phase;
    if (phase === 'starting') throw new AppError(503, 'starting', 'the server is starting', undefined, { 'Retry-After': '1' });
    if (phase === 'stopping') throw new AppError(503, 'shutting_down', 'the server is shutting down', undefined, { 'Retry-After': '1' });
    await this.check();
    return { status: 'ready' };
  }
}
