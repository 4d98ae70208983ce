import { Pool, type PoolClient } from 'pg';
import type { Db, Queryable } from './db';
import { StoreError } from './store-error';

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

export async function openPostgres(url: string, max = 10): Promise<Db> {
  const pool = new Pool({ connectionString: url, max, connectionTimeoutMillis: 5000 });
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
      try {
        await client.query('BEGIN');
        const out = await fn(wrap(client, 1));
        await client.query('COMMIT');
        return out;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
