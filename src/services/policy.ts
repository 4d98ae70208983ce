import type { Db } from '../store/db';
import { classesRepo } from '../store/repos/classes';
import { sessionsRepo } from '../store/repos/sessions';
import { studentsRepo } from '../store/repos/students';
import { usersRepo } from '../store/repos/users';
import { AppError, notFound } from '../errors';
import type { Principal } from './principal';

/**
 * Who may call an operation (each one in src/http/openapi.ts names its access):
 * - `public`: anyone, without credentials;
 * - `user`: any signed-in user or valid key;
 * - `admin`: admins (users with the admin role, their keys, and service keys) only;
 * - `class:<where>`: admins, and teachers of the class the request is about, found from the
 *   path's classId, sessionId or studentId, or the recognition's class_id. To a teacher, anything
 *   outside their classes does not exist (404).
 */
export type ClassSource = 'classId' | 'sessionId' | 'studentId' | 'class_id';
export type Access = 'public' | 'user' | 'admin' | `class:${ClassSource}`;

/** What the request names: its path parameters and, for recognitions, the class_id option. */
export interface Target {
  params: Record<string, string>;
  classId?: string | null;
}

/** Operations open to a user who must first choose a new password. */
const WHILE_PASSWORD_EXPIRED = new Set(['me', 'changePassword', 'logout']);

export class Policy {
  constructor(private readonly db: Db) {}

  /** Resolves when `p` may call the operation `opId` on `target`; else 401, 403 or 404. */
  async authorize(p: Principal | null, opId: string, access: Access, target: Target): Promise<void> {
    if (access === 'public') return;
    if (!p) throw new AppError(401, 'unauthorized', 'sign in, or send an API key: Authorization: Bearer <key> or X-API-Key');
    if (p.mustChangePassword && !WHILE_PASSWORD_EXPIRED.has(opId)) {
      throw new AppError(403, 'password_change_required', 'choose a new password first: POST /api/v1/me/password');
    }
    if (access === 'user' || p.role === 'admin') return;
    if (access === 'admin') throw new AppError(403, 'forbidden', 'only an admin may do this');
    await this.teacherMaySee(p.userId!, access.slice('class:'.length) as ClassSource, target);
  }

  /** Lists of classes: null for everything, else the teacher whose classes are listed. */
  classFilter(p: Principal): string | null {
    return p.role === 'admin' ? null : p.userId;
  }

  /**
   * A teacher sees a class they teach, its sessions and its students. Something that does not
   * exist at all is let through, for the route's own 404.
   */
  private async teacherMaySee(userId: string, from: ClassSource, t: Target): Promise<void> {
    switch (from) {
      case 'classId':
      case 'class_id': {
        const ref = from === 'classId' ? t.params.classId : t.classId;
        if (!ref) throw new AppError(403, 'forbidden', "a teacher's recognition names one of their classes: send class_id (searching the whole school is for admins)");
        const cls = await classesRepo.get(this.db, ref);
        if (cls && !(await usersRepo.teaches(this.db, userId, cls.id))) throw notFound(`class ${ref}`);
        return;
      }
      case 'sessionId': {
        const s = await sessionsRepo.get(this.db, t.params.sessionId);
        if (s && !(await usersRepo.teaches(this.db, userId, s.class_id))) throw notFound(`session ${t.params.sessionId}`);
        return;
      }
      case 'studentId': {
        const id = t.params.studentId;
        if ((await studentsRepo.get(this.db, id)) && !(await usersRepo.teachesStudent(this.db, userId, id))) throw notFound(`student ${id}`);
        return;
      }
    }
  }
}
