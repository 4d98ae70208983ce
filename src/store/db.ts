/**
 * The one database interface the rest of Rollcall sees. Two backends implement it — embedded
 * PGlite (with its pgvector extension) and a pg.Pool on a real Postgres — and both run the
 * same SQL, so nothing above src/store knows which one it talks to.
 */
export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /**
   * How many queries this handle runs at the same time: a Postgres pool its size, one connection
   * or embedded PGlite (a single-threaded engine) 1. Independent reads may be split to use it.
   */
  readonly parallelQueries: number;
  /** Several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface Db extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Runs fn in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * A consistent copy of the whole database, taken between transactions (the embedded database's
   * data directory as a gzipped tar). PostgreSQL has pg_dump for this: it refuses with 409.
   */
  backup(): Promise<Buffer>;
  close(): Promise<void>;
}
