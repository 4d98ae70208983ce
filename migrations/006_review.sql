-- Teacher review of unnamed faces, and learning from it (docs/review.md).

-- An unnamed face's embedding is kept with its detection so a teacher's review can make it one of
-- the student's templates; erased on review and after REVIEW_RETENTION_DAYS (retention purge).
-- Named faces keep none. quality_reasons are the quality check's hard failures (learning refuses
-- a face with any, as enrolment does); candidates are the recognition's top students.
ALTER TABLE detections
  ADD COLUMN embedding vector(512),
  ADD COLUMN quality real,
  ADD COLUMN quality_reasons text[] NOT NULL DEFAULT '{}',
  ADD COLUMN candidates jsonb NOT NULL DEFAULT '[]',
  ADD COLUMN review text CHECK (review IN ('assigned', 'dismissed')),
  ADD COLUMN reviewed_by text,
  ADD COLUMN reviewed_at timestamptz;

-- A student named by a review is present with source 'review'.
ALTER TABLE attendance_records DROP CONSTRAINT attendance_records_source_check;
ALTER TABLE attendance_records ADD CONSTRAINT attendance_records_source_check CHECK (source IN ('auto', 'manual', 'review'));

-- Templates learnt from a review are told apart from enrolment photos: MAX_TEMPLATES drops them first.
ALTER TABLE face_embeddings ADD COLUMN source text NOT NULL DEFAULT 'enrolment' CHECK (source IN ('enrolment', 'review'));
