import { AppError } from '../errors';
import type { Logger } from '../logger';
import type { Db, Queryable } from './db';

/** Seconds a client is asked to wait before retrying while the database is unreachable. */
export const OUTAGE_RETRY_AFTER_S = 5;

/**
 * Error codes meaning "the database cannot be reached right now", not "this query is wrong":
 * socket errors, and Postgres's admin_shutdown (57P01), crash_shutdown (57P02),
 * cannot_connect_now (57P03, starting or in recovery) and too_many_connections (53300).
 */
const CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN',
  '57P01', '57P02', '57P03', '53300',
]);

/** node-postgres and PGlite say it only in words. */
const MESSAGES = [
  /Connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /Client has encountered a connection error/i,
  /Cannot use a pool after calling end/i,
  /PGlite is clos(ed|ing)/i,
];

/** Whether `e` says the database is unreachable (retry later) rather than that a query failed. */
export function isConnectionError(e: unknown): boolean {
  if (!e || typeof e !== 'object') return false;
  const { code, message, errors } = e as { code?: unknown; message?: unknown; errors?: unknown };
  if (typeof code === 'string' && CODES.has(code)) return true;
  if (typeof message === 'string' && MESSAGES.some((m) => m.test(message))) return true;
  // A host with several addresses fails with an AggregateError of per-address errors.
  return Array.isArray(errors) && errors.some(isConnectionError);
}

export const databaseUnavailable = () =>
  new AppError(503, 'database_unavailable', 'the database cannot be reached; retry in a moment', undefined, {
    'Retry-After': String(OUTAGE_RETRY_AFTER_S),
  });

/**
 * Wraps a Db so that an outage surfaces as one AppError (503 database_unavailable, Retry-After)
 * everywhere, logged as a warning once when it starts and an info line when the database answers
 * again, instead of an unhandled 500 per request. Other errors pass through unchanged.
 */
export function guardOutages(db: Db, log: Logger): Db {
  let down = false;
  const ok = <T>(v: T): T => {
    if (down) {
      down = false;
      log.info('database available again', { database: db.kind });
    }
    return v;
  };
  const fail = (e: unknown): never => {
    // A query inside a transaction has already reported it.
    if (e instanceof AppError && e.code === 'database_unavailable') throw e;
    if (!isConnectionError(e)) throw e;
    if (!down) {
      down = true;
      log.warn('database unavailable', { database: db.kind, error: String((e as Error).message ?? e) });
    }
    throw databaseUnavailable();
  };
  const guard = (q: Queryable): Queryable => ({
    parallelQueries: q.parallelQueries,
    query: <T>(sql: string, params?: unknown[]) => q.query<T>(sql, params).then(ok, fail),
    exec: (sql: string) => q.exec(sql).then(ok, fail),
  });
  return {
    ...guard(db),
    kind: db.kind,
    transaction: (fn) => db.transaction((tx) => fn(guard(tx))).then(ok, fail),
    backup: () => db.backup().then(ok, fail),
    close: () => db.close(),
  };
}

