import type { Db } from '../store/db';
import type { InferenceQueue } from './inference-queue';

export class HealthService {
  constructor(
    private readonly db: Db,
    private readonly models: Record<string, string>,
    private readonly queue: InferenceQueue,
  ) {}

  async check() {
    await this.db.query('SELECT 1');
    return { status: 'ok', database: this.db.kind, models: this.models, queue: this.queue.depth };
  }
}
