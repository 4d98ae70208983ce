import { Pool, type PoolClient } from 'pg';
import type { Db, Queryable } from './db';
import { StoreError } from './store-error';
import { AppError } from '../errors';
import { isConnectionError } from './outage';

function wrap(c: Pool | PoolClient, parallelQueries: number): Queryable {
  return {
    parallelQueries,
    async query<T>(sql: string, params?: unknown[]) {
      return (await c.query(sql, params)).rows as T[];
    },
    async exec(sql: string) {
      await c.query(sql);
    },
  };
}

/** Names the server without the password, for messages. */
function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    u.password = '';
    return `${u.host}${u.pathname}`;
  } catch {
    return 'DATABASE_URL';
  }
}

/**
 * During an outage a request should fail in seconds, not hang: a new connection gives up after
 * CONNECT_TIMEOUT_MS, and TCP keep-alive notices a server that vanished without closing sockets.
 */
const CONNECT_TIMEOUT_MS = 3000;

export async function openPostgres(url: string, max = 10): Promise<Db> {
  const pool = new Pool({ connectionString: url, max, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, keepAlive: true, keepAliveInitialDelayMillis: 10_000 });
  // An idle client that loses its server must not crash the process.
  pool.on('error', () => undefined);
  try {
    await pool.query('SELECT 1');
  } catch (e) {
    await pool.end().catch(() => undefined);
    throw new StoreError(`cannot connect to Postgres at ${safeUrl(url)}: ${(e as Error).message}`);
  }
  const root = wrap(pool, max);
  return {
    kind: 'postgres',
    ...root,
    async transaction(fn) {
      const client = await pool.connect();
      let broken = false;
      try {
        await client.query('BEGIN');
        const out = await fn(wrap(client, 1));
        await client.query('COMMIT');
        return out;
      } catch (e) {
        // A connection that broke mid-transaction is discarded, never handed to the next request.
        broken = isConnectionError(e) || (await client.query('ROLLBACK').then(() => false, () => true));
        throw e;
      } finally {
        client.release(broken);
      }
    },
    async backup() {
      throw new AppError(409, 'backup_unsupported', 'back up PostgreSQL with pg_dump (see docs/operations.md); rollcall backup is for the embedded database');
    },
    close: () => pool.end(),
  };
}
