-- People who sign in (issue 14): admins and teachers, the classes teachers are assigned to,
-- sign-in sessions, sign-in failure counts, and API keys owned by a user.

CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email text NOT NULL,
  name text NOT NULL,
  role text NOT NULL CHECK (role IN ('admin', 'teacher')),
  -- argon2id (PHC string); null for a user who cannot sign in with a password (single sign-on).
  password_hash text,
  must_change_password boolean NOT NULL DEFAULT false,
  disabled boolean NOT NULL DEFAULT false,
  last_sign_in_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- One account per address whatever its case: Ana@School.org and ana@school.org are the same person.
CREATE UNIQUE INDEX users_email ON users (lower(email));

CREATE TABLE class_teachers (
  class_id uuid NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  assigned_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (class_id, user_id)
);
CREATE INDEX class_teachers_user ON class_teachers (user_id);

-- A signed-in browser. The cookie holds a random 256-bit id; only its sha256 is stored, so a
-- copy of the database cannot be used to sign in. Idle expiry is counted from last_seen_at.
CREATE TABLE sign_in_sessions (
  id_hash text PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX sign_in_sessions_user ON sign_in_sessions (user_id);

-- Failed sign-ins per account ('account:<email>') and per client address ('address:<ip>') in a
-- fixed window, in the database so that every process counts the same failures.
CREATE TABLE sign_in_failures (
  bucket text PRIMARY KEY,
  failures integer NOT NULL,
  window_start timestamptz NOT NULL
);

-- The one-time token that creates the first admin (only while no user exists); stored hashed.
CREATE TABLE setup_tokens (
  token_hash text PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Keys belong to a user and act with that user's role and classes. Keys stored before this
-- migration have no owner: they stay valid as admin service keys, like those in API_KEYS.
ALTER TABLE api_keys ADD COLUMN user_id uuid REFERENCES users (id) ON DELETE CASCADE;
ALTER TABLE api_keys DROP CONSTRAINT api_keys_name_key;
CREATE UNIQUE INDEX api_keys_owner_name ON api_keys (user_id, name) NULLS NOT DISTINCT;

-- The signed-in user behind an audited action (null for service keys and the CLI).
ALTER TABLE audit_log ADD COLUMN actor_user_id uuid;
