-- Token buckets for RATE_LIMIT_PER_MIN, in the database so that every app process behind a load
-- balancer draws from the same bucket. One row per API key name, updated in place: the table
-- stays as small as the list of keys.
CREATE TABLE rate_limits (
  bucket text PRIMARY KEY,
  tokens double precision NOT NULL,
  updated_at timestamptz NOT NULL
);
