import type { Queryable } from '../db';

export type Role = 'admin' | 'teacher';

export interface UserRow {
  id: string;
  email: string;
  name: string;
  role: Role;
  password_hash: string | null;
  must_change_password: boolean;
  disabled: boolean;
  last_sign_in_at: Date | null;
  created_at: Date;
}

export interface UserClass {
  id: string;
  code: string;
  name: string;
}

export interface UserChanges {
  name?: string;
  role?: Role;
  disabled?: boolean;
  passwordHash?: string;
  mustChangePassword?: boolean;
}

const COLUMNS = 'id, email, name, role, password_hash, must_change_password, disabled, last_sign_in_at, created_at';

export const usersRepo = {
  /** null when the email (whatever its case) is taken. */
  async insert(q: Queryable, u: { email: string; name: string; role: Role; passwordHash: string | null; mustChangePassword: boolean }): Promise<UserRow | null> {
    const rows = await q.query<UserRow>(
      `INSERT INTO users (email, name, role, password_hash, must_change_password) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (lower(email)) DO NOTHING RETURNING ${COLUMNS}`,
      [u.email, u.name, u.role, u.passwordHash, u.mustChangePassword],
    );
    return rows[0] ?? null;
  },

  async byId(q: Queryable, id: string): Promise<UserRow | null> {
    const rows = await q.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id::text = $1`, [id]);
    return rows[0] ?? null;
  },

  async byEmail(q: Queryable, email: string): Promise<UserRow | null> {
    const rows = await q.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE lower(email) = lower($1)`, [email]);
    return rows[0] ?? null;
  },

  async list(q: Queryable): Promise<UserRow[]> {
    return q.query(`SELECT ${COLUMNS} FROM users ORDER BY lower(email)`);
  },

  async count(q: Queryable): Promise<number> {
    const [r] = await q.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
    return r.n;
  },

  async update(q: Queryable, id: string, c: UserChanges): Promise<UserRow | null> {
    const rows = await q.query<UserRow>(
      `UPDATE users SET name = COALESCE($2, name), role = COALESCE($3, role), disabled = COALESCE($4, disabled),
         password_hash = COALESCE($5, password_hash), must_change_password = COALESCE($6, must_change_password), updated_at = now()
       WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, c.name ?? null, c.role ?? null, c.disabled ?? null, c.passwordHash ?? null, c.mustChangePassword ?? null],
    );
    return rows[0] ?? null;
  },

  async touchSignIn(q: Queryable, id: string): Promise<void> {
    await q.query('UPDATE users SET last_sign_in_at = now() WHERE id = $1', [id]);
  },

  /** The classes a teacher is assigned to. */
  async classes(q: Queryable, userId: string): Promise<UserClass[]> {
    return q.query(
      `SELECT c.id, c.code, c.name FROM class_teachers t JOIN classes c ON c.id = t.class_id
       WHERE t.user_id = $1 ORDER BY c.code`,
      [userId],
    );
  },

  /** Class ids per user, for listing many users at once. */
  async classesOfAll(q: Queryable): Promise<(UserClass & { user_id: string })[]> {
    return q.query(
      `SELECT t.user_id, c.id, c.code, c.name FROM class_teachers t JOIN classes c ON c.id = t.class_id ORDER BY c.code`,
    );
  },

  /** true when newly assigned, false when the teacher already had the class. */
  async assign(q: Queryable, classId: string, userId: string): Promise<boolean> {
    const rows = await q.query(
      'INSERT INTO class_teachers (class_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING class_id',
      [classId, userId],
    );
    return rows.length > 0;
  },

  async unassign(q: Queryable, classId: string, userId: string): Promise<boolean> {
    const rows = await q.query('DELETE FROM class_teachers WHERE class_id = $1 AND user_id::text = $2 RETURNING class_id', [classId, userId]);
    return rows.length > 0;
  },

  async teaches(q: Queryable, userId: string, classId: string): Promise<boolean> {
    const rows = await q.query('SELECT 1 FROM class_teachers WHERE user_id = $1 AND class_id = $2', [userId, classId]);
    return rows.length > 0;
  },

  /** Whether the student is on the roster of one of the teacher's classes. */
  async teachesStudent(q: Queryable, userId: string, studentId: string): Promise<boolean> {
    const rows = await q.query(
      `SELECT 1 FROM students s JOIN class_members m ON m.student_pk = s.id
       JOIN class_teachers t ON t.class_id = m.class_id WHERE s.student_id = $1 AND t.user_id = $2 LIMIT 1`,
      [studentId, userId],
    );
    return rows.length > 0;
  },
};
