-- OneRoster import (issue 17): each record keeps the sourcedId its student information system gave
-- it, so that a re-import updates the same class, student, teacher or enrolment instead of adding a
-- second one. Null for what was made by hand (a roster file, the API); such a record is linked on
-- its first import by class code, student ID or teacher email.
ALTER TABLE classes ADD COLUMN sourced_id text;
CREATE UNIQUE INDEX classes_sourced_id ON classes (sourced_id);
ALTER TABLE students ADD COLUMN sourced_id text;
CREATE UNIQUE INDEX students_sourced_id ON students (sourced_id);
ALTER TABLE users ADD COLUMN sourced_id text;
CREATE UNIQUE INDEX users_sourced_id ON users (sourced_id);

-- The enrolment's sourcedId: a bulk import removes the enrolments it made that the bundle no longer
-- lists, and leaves memberships and assignments made by hand (null here) alone.
ALTER TABLE class_members ADD COLUMN sourced_id text;
ALTER TABLE class_teachers ADD COLUMN sourced_id text;
