/** Small statistics and timing helpers shared by the benchmarks. */

/** Nearest-rank percentile (p in 0..100) of the samples. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export interface Sample<T> {
  ms: number;
  value: T;
}

/** Runs fn `runs` times after one untimed warm-up (first-call caches and allocations), one at a time. */
export async function timeRuns<T>(runs: number, fn: () => Promise<T>): Promise<Sample<T>[]> {
  await fn();
  const samples: Sample<T>[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const value = await fn();
    samples.push({ ms: performance.now() - t0, value });
  }
  return samples;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export const round1 = (x: number) => Math.round(x * 10) / 10;
