/** The longest wait between two attempts, however many have failed. */
export const MAX_RETRY_DELAY_MS = 3600_000;

/**
 * When to try a failed delivery again: `baseMs` after the first failure, doubling after each
 * further one up to an hour; null once that time would fall beyond `windowMs` after the event
 * (the delivery is then given up as failed).
 */
export function nextAttemptAt(failedAttempts: number, eventAt: Date, now: Date, baseMs: number, windowMs: number): Date | null {
  const delay = Math.min(baseMs * 2 ** Math.max(0, failedAttempts - 1), MAX_RETRY_DELAY_MS);
  const next = now.getTime() + delay;
  return next > eventAt.getTime() + windowMs ? null : new Date(next);
}
