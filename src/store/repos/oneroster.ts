import type { Queryable } from '../db';

/** What a OneRoster import needs to know of the database, and its set-based writes. */

export interface SourcedClass {
  id: string;
  code: string;
  name: string;
  sourced_id: string | null;
}

export interface SourcedStudent {
  id: string;
  student_id: string;
  name: string;
  email: string | null;
  sourced_id: string | null;
}

export interface SourcedUser {
  id: string;
  email: string;
  name: string;
  role: 'admin' | 'teacher';
  disabled: boolean;
  sourced_id: string | null;
}

/** A class membership (student) or teacher assignment; `person` is the student's or user's id. */
export interface Link {
  class_id: string;
  person: string;
  sourced_id: string | null;
}

export interface Snapshot {
  classes: SourcedClass[];
  students: SourcedStudent[];
  users: SourcedUser[];
  members: Link[];
  teachers: Link[];
}

/** Both kinds of link: student memberships and teacher assignments. */
const LINKS = {
  members: { table: 'class_members', person: 'student_pk', people: 'students' },
  teachers: { table: 'class_teachers', person: 'user_id', people: 'users' },
} as const;
export type LinkKind = keyof typeof LINKS;

export const oneRosterRepo = {
  /** One import at a time: two at once would both insert the same new sourcedIds. */
  async lock(q: Queryable): Promise<void> {
    await q.query("SELECT pg_advisory_xact_lock(hashtext('rollcall.oneroster'))");
  },

  /**
   * The records a bundle may touch: by sourcedId, or by class code, student ID or email for records
   * made by hand that the import links. Links: every link an import made, and every link of those
   * classes and people.
   */
  async snapshot(q: Queryable, keys: { classIds: string[]; codes: string[]; userIds: string[]; studentIds: string[]; emails: string[] }): Promise<Snapshot> {
    const classes = await q.query<SourcedClass>('SELECT id, code, name, sourced_id FROM classes WHERE sourced_id = ANY($1::text[]) OR code = ANY($2::text[])', [keys.classIds, keys.codes]);
    const students = await q.query<SourcedStudent>(
      'SELECT id, student_id, name, email, sourced_id FROM students WHERE sourced_id = ANY($1::text[]) OR student_id = ANY($2::text[])',
      [keys.userIds, keys.studentIds],
    );
    const users = await q.query<SourcedUser>(
      'SELECT id, email, name, role, disabled, sourced_id FROM users WHERE sourced_id = ANY($1::text[]) OR lower(email) = ANY($2::text[])',
      [keys.userIds, keys.emails.map((e) => e.toLowerCase())],
    );
    const classPks = classes.map((c) => c.id);
    const links = (kind: LinkKind, people: string[]) => {
      const { table, person } = LINKS[kind];
      return q.query<Link>(
        `SELECT class_id, ${person} AS person, sourced_id FROM ${table}
         WHERE sourced_id IS NOT NULL OR class_id = ANY($1::uuid[]) OR ${person} = ANY($2::uuid[])`,
        [classPks, people],
      );
    };
    return { classes, students, users, members: await links('members', students.map((s) => s.id)), teachers: await links('teachers', users.map((u) => u.id)) };
  },

  async insertClasses(q: Queryable, rows: { sourcedId: string; code: string; name: string }[]): Promise<void> {
    if (rows.length === 0) return;
    await q.query('INSERT INTO classes (sourced_id, code, name) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])', [
      rows.map((r) => r.sourcedId),
      rows.map((r) => r.code),
      rows.map((r) => r.name),
    ]);
  },

  async updateClasses(q: Queryable, rows: { id: string; sourcedId: string; code: string; name: string }[]): Promise<void> {
    if (rows.length === 0) return;
    await q.query(
      `UPDATE classes c SET sourced_id = v.sid, code = v.code, name = v.name
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) AS v(id, sid, code, name) WHERE c.id = v.id`,
      [rows.map((r) => r.id), rows.map((r) => r.sourcedId), rows.map((r) => r.code), rows.map((r) => r.name)],
    );
  },

  async insertStudents(q: Queryable, rows: { sourcedId: string; studentId: string; name: string; email: string | null }[]): Promise<void> {
    if (rows.length === 0) return;
    await q.query('INSERT INTO students (sourced_id, student_id, name, email) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])', [
      rows.map((r) => r.sourcedId),
      rows.map((r) => r.studentId),
      rows.map((r) => r.name),
      rows.map((r) => r.email),
    ]);
  },

  async updateStudents(q: Queryable, rows: { id: string; sourcedId: string; studentId: string; name: string; email: string | null }[]): Promise<void> {
    if (rows.length === 0) return;
    await q.query(
      `UPDATE students s SET sourced_id = v.sid, student_id = v.student_id, name = v.name, email = v.email, updated_at = now()
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[]) AS v(id, sid, student_id, name, email) WHERE s.id = v.id`,
      [rows.map((r) => r.id), rows.map((r) => r.sourcedId), rows.map((r) => r.studentId), rows.map((r) => r.name), rows.map((r) => r.email)],
    );
  },

  /** Teachers made by an import have no password: they sign in by single sign-on or after an admin's reset. */
  async insertTeachers(q: Queryable, rows: { sourcedId: string; email: string; name: string }[]): Promise<void> {
    if (rows.length === 0) return;
    await q.query(
      `INSERT INTO users (sourced_id, email, name, role, password_hash)
       SELECT sid, email, name, 'teacher', NULL FROM unnest($1::text[], $2::text[], $3::text[]) AS v(sid, email, name)`,
      [rows.map((r) => r.sourcedId), rows.map((r) => r.email), rows.map((r) => r.name)],
    );
  },

  /** Name, email and link only: a user's role, password and disabled flag stay the admins' business. */
  async updateTeachers(q: Queryable, rows: { id: string; sourcedId: string; email: string; name: string }[]): Promise<void> {
    if (rows.length === 0) return;
    await q.query(
      `UPDATE users u SET sourced_id = v.sid, email = v.email, name = v.name, updated_at = now()
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) AS v(id, sid, email, name) WHERE u.id = v.id`,
      [rows.map((r) => r.id), rows.map((r) => r.sourcedId), rows.map((r) => r.email), rows.map((r) => r.name)],
    );
  },

  async disableUsers(q: Queryable, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await q.query('UPDATE users SET disabled = true, updated_at = now() WHERE id = ANY($1::uuid[])', [ids]);
  },

  /** Adds links, found by the sourcedIds of their class and person, or gives existing ones their sourcedId. */
  async upsertLinks(q: Queryable, kind: LinkKind, rows: { classSourcedId: string; personSourcedId: string; sourcedId: string }[]): Promise<void> {
    if (rows.length === 0) return;
    const { table, person, people } = LINKS[kind];
    await q.query(
      `INSERT INTO ${table} (class_id, ${person}, sourced_id)
       SELECT c.id, p.id, v.sid FROM unnest($1::text[], $2::text[], $3::text[]) AS v(csid, psid, sid)
       JOIN classes c ON c.sourced_id = v.csid JOIN ${people} p ON p.sourced_id = v.psid
       ON CONFLICT (class_id, ${person}) DO UPDATE SET sourced_id = EXCLUDED.sourced_id`,
      [rows.map((r) => r.classSourcedId), rows.map((r) => r.personSourcedId), rows.map((r) => r.sourcedId)],
    );
  },

  async deleteLinks(q: Queryable, kind: LinkKind, rows: Link[]): Promise<void> {
    if (rows.length === 0) return;
    const { table, person } = LINKS[kind];
    await q.query(
      `DELETE FROM ${table} t USING unnest($1::uuid[], $2::uuid[]) AS v(class_id, person)
       WHERE t.class_id = v.class_id AND t.${person} = v.person`,
      [rows.map((r) => r.class_id), rows.map((r) => r.person)],
    );
  },
};
