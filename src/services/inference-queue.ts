import { AppError } from '../errors';

/**
 * Bounds CPU-heavy work per process: `concurrency` jobs run, up to `limit` wait, and the rest
 * are refused at once with 503 + Retry-After instead of piling up memory until the process dies.
 */
export class InferenceQueue {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly concurrency: number, private readonly limit: number) {}

  get depth(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.limit) {
        throw new AppError(503, 'busy', 'the server is busy recognising other photos; retry shortly', undefined, {
          'Retry-After': '2',
        });
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await job();
    } finally {
      // Hand the slot straight to the next waiter, or free it.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
