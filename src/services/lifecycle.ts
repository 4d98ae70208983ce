/**
 * Where the process is in its life, for readiness probes and graceful shutdown: `starting` until
 * it listens, `ready`, then `stopping` after SIGTERM, when requests in flight are waited for
 * (see http/drain.ts) and new ones refused.
 */
export type Phase = 'starting' | 'ready' | 'stopping';

export class Lifecycle {
  private current: Phase = 'starting';
  private inFlight = 0;
  private idle: (() => void)[] = [];

  get phase(): Phase {
    return this.current;
  }

  get requestsInFlight(): number {
    return this.inFlight;
  }

  ready(): void {
    if (this.current === 'starting') this.current = 'ready';
  }

  /** Counts a request until the returned function is called (once). */
  begin(): () => void {
    this.inFlight++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      if (--this.inFlight === 0) for (const resolve of this.idle.splice(0)) resolve();
    };
  }

  /** Enters `stopping`; resolves true when no request is in flight, false if timeoutMs passes first. */
  stop(timeoutMs: number): Promise<boolean> {
    this.current = 'stopping';
    if (this.inFlight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.idle.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}
