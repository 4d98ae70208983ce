-- The whole Rollcall domain. Later migrations only add columns.
-- Runs unchanged on PGlite (PostgreSQL 18) and on PostgreSQL 15+ with pgvector.
CREATE EXTENSION IF NOT EXISTS vector;

CREATE TABLE classes (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  code text NOT NULL UNIQUE,
  name text NOT NULL,
  -- Per-class override of MATCH_THRESHOLD (null = the server default).
  match_threshold real CHECK (match_threshold IS NULL OR (match_threshold > 0 AND match_threshold < 1)),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE students (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- The school's own ID, e.g. S1001 or 00123: text, never a number.
  student_id text NOT NULL UNIQUE,
  name text NOT NULL,
  email text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE class_members (
  class_id uuid NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
  student_pk uuid NOT NULL REFERENCES students (id) ON DELETE CASCADE,
  added_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (class_id, student_pk)
);
CREATE INDEX class_members_student ON class_members (student_pk);

-- Biometric data: erased with the student (ON DELETE CASCADE).
CREATE TABLE face_embeddings (
  id bigserial PRIMARY KEY,
  student_pk uuid NOT NULL REFERENCES students (id) ON DELETE CASCADE,
  embedding vector(512) NOT NULL,
  quality real NOT NULL,
  detection_score real NOT NULL,
  face_width integer NOT NULL,
  -- The aligned 112x112 JPEG crop, only when STORE_FACE_CROPS=true.
  crop bytea,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX face_embeddings_student ON face_embeddings (student_pk);
CREATE INDEX face_embeddings_hnsw ON face_embeddings USING hnsw (embedding vector_cosine_ops);

CREATE TABLE api_keys (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL UNIQUE,
  -- sha256 of the key: the key itself is never stored.
  key_hash text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);

CREATE TABLE attendance_sessions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  class_id uuid NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
  taken_at timestamptz NOT NULL DEFAULT now(),
  unknown_faces integer NOT NULL DEFAULT 0,
  created_by text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX attendance_sessions_class ON attendance_sessions (class_id, taken_at);

CREATE TABLE session_photos (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  session_id uuid NOT NULL REFERENCES attendance_sessions (id) ON DELETE CASCADE,
  sha256 text NOT NULL,
  -- The photo itself only when STORE_PHOTOS=true.
  photo bytea,
  width integer NOT NULL,
  height integer NOT NULL,
  face_count integer NOT NULL,
  unknown_faces integer NOT NULL,
  timings_ms jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX session_photos_session ON session_photos (session_id);

CREATE TABLE attendance_records (
  session_id uuid NOT NULL REFERENCES attendance_sessions (id) ON DELETE CASCADE,
  student_pk uuid NOT NULL REFERENCES students (id) ON DELETE CASCADE,
  status text NOT NULL CHECK (status IN ('present', 'absent', 'late', 'excused')),
  similarity real,
  source text NOT NULL CHECK (source IN ('auto', 'manual')),
  photo_id uuid REFERENCES session_photos (id) ON DELETE SET NULL,
  note text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (session_id, student_pk)
);
CREATE INDEX attendance_records_student ON attendance_records (student_pk);

-- Where each face of a recorded photo was and what was decided (no embeddings, no pixels).
CREATE TABLE detections (
  id bigserial PRIMARY KEY,
  photo_id uuid NOT NULL REFERENCES session_photos (id) ON DELETE CASCADE,
  x integer NOT NULL,
  y integer NOT NULL,
  width integer NOT NULL,
  height integer NOT NULL,
  detection_score real NOT NULL,
  status text NOT NULL CHECK (status IN ('matched', 'unknown', 'ambiguous')),
  student_pk uuid REFERENCES students (id) ON DELETE SET NULL,
  similarity real
);
CREATE INDEX detections_photo ON detections (photo_id);
CREATE INDEX detections_student ON detections (student_pk);

CREATE TABLE audit_log (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  actor text NOT NULL,
  action text NOT NULL,
  entity text NOT NULL,
  entity_id text NOT NULL,
  before jsonb,
  after jsonb,
  note text
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
