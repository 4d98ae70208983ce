-- Biometric consent (GDPR art. 9, BIPA): every decision is kept, the latest one is the current
-- state. A student with no row is `unknown`, so students of existing databases start unknown
-- without a data migration. Rows go with the student (ON DELETE CASCADE): erasure leaves none.
CREATE TABLE consent_records (
  id bigserial PRIMARY KEY,
  student_pk uuid NOT NULL REFERENCES students (id) ON DELETE CASCADE,
  state text NOT NULL CHECK (state IN ('granted', 'refused', 'unknown')),
  recorded_at timestamptz NOT NULL DEFAULT now(),
  -- Who recorded it: the acting API key's name (later the signed-in user).
  recorded_by text NOT NULL,
  -- Where it came from: the API or page, or a roster import.
  source text NOT NULL CHECK (source IN ('api', 'roster')),
  note text
);
CREATE INDEX consent_records_student ON consent_records (student_pk, id);

-- The current consent of each student that has one: their latest record.
CREATE VIEW current_consent AS
  SELECT DISTINCT ON (student_pk) student_pk, state, recorded_at, recorded_by, source, note
  FROM consent_records ORDER BY student_pk, id DESC;

-- GET /api/v1/audit filters by actor and pages newest first by id.
CREATE INDEX audit_log_actor ON audit_log (actor, id);
