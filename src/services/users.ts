import type { Db, Queryable } from '../store/db';
import { usersRepo, type Role, type UserClass, type UserRow } from '../store/repos/users';
import { classesRepo } from '../store/repos/classes';
import { signInSessionsRepo } from '../store/repos/sign-in-sessions';
import { auditRepo } from '../store/repos/audit';
import { AppError, conflict, notFound } from '../errors';
import { checkPasswordPolicy, hashPassword, verifyPassword } from './passwords';
import { auditActor, type Principal } from './principal';
import { z } from 'zod';
import { email, oneOf, parseInput, text } from './validate';

export const ROLES: readonly [Role, ...Role[]] = ['admin', 'teacher'];
const NewUserFields = z.object({ email, name: text(200), role: oneOf(ROLES) });
const UserChanges = z.object({ name: text(200).optional(), role: oneOf(ROLES).optional() });
const Assignment = z.object({ email });

export const userView = (u: UserRow, classes?: UserClass[]) => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  disabled: u.disabled,
  must_change_password: u.must_change_password,
  last_sign_in_at: u.last_sign_in_at,
  created_at: u.created_at,
  ...(classes ? { classes } : {}),
});

/** Whoever acts: a principal from the API, or the command line (no user). */
export type Actor = Pick<Principal, 'actor' | 'userId'>;

export const CLI_ACTOR: Actor = { actor: 'cli', userId: null };

export interface NewUser {
  email: string;
  name: string;
  role: Role;
  password: string;
  classes: string[];
}

/** Validates a new user's fields (400 validation_error naming the field). */
export function newUserOf(body: unknown): NewUser {
  const b = (body ?? {}) as Record<string, unknown>;
  const classes = b.classes ?? [];
  if (!Array.isArray(classes) || classes.length > 200 || !classes.every((c) => typeof c === 'string' && c.length > 0 && c.length <= 64)) {
    throw new AppError(400, 'validation_error', '"classes" must be a list of class ids or codes', [{ field: 'classes', problem: 'type' }]);
  }
  return {
    ...parseInput(NewUserFields, body),
    password: checkPasswordPolicy(b.password),
    classes: classes as string[],
  };
}

export class UsersService {
  constructor(private readonly db: Db) {}

  /** A user and their class assignments in one transaction: an unknown class leaves no user behind. */
  async create(u: NewUser, by: Actor, opts: { mustChangePassword?: boolean } = {}) {
    const passwordHash = await hashPassword(u.password);
    return this.db.transaction((tx) => this.insert(tx, u, passwordHash, by, opts.mustChangePassword ?? false));
  }

  /** The inserts of create(), inside the caller's transaction (first-run setup uses it too). */
  async insert(q: Queryable, u: NewUser, passwordHash: string, by: Actor, mustChangePassword = false) {
    const row = await usersRepo.insert(q, { email: u.email, name: u.name, role: u.role, passwordHash, mustChangePassword });
    if (!row) throw conflict('user_exists', `a user with email "${u.email}" already exists`);
    await auditRepo.add(q, { ...auditActor(by), action: 'create_user', entity: 'user', entityId: row.id, after: { email: row.email, role: row.role } });
    for (const c of u.classes) {
      const cls = await classesRepo.get(q, c);
      if (!cls) throw new AppError(400, 'validation_error', `class "${c}" does not exist`, [{ field: 'classes', problem: 'unknown', value: c }]);
      await this.assignIn(q, cls.id, row, by);
    }
    return userView(row, await usersRepo.classes(q, row.id));
  }

  async list() {
    const [users, classes] = await Promise.all([usersRepo.list(this.db), usersRepo.classesOfAll(this.db)]);
    return users.map((u) => userView(u, classes.filter((c) => c.user_id === u.id).map(({ id, code, name }) => ({ id, code, name }))));
  }

  async get(id: string): Promise<UserRow> {
    const row = await usersRepo.byId(this.db, id);
    if (!row) throw notFound(`user ${id}`);
    return row;
  }

  async byEmail(email: string): Promise<UserRow> {
    const row = await usersRepo.byEmail(this.db, email);
    if (!row) throw notFound(`user ${email}`);
    return row;
  }

  /** The signed-in user with the classes assigned to them. */
  async me(userId: string) {
    const row = await this.get(userId);
    return userView(row, await usersRepo.classes(this.db, row.id));
  }

  /**
   * An admin's change: name, role, disabled, or a new password that must be changed at the next
   * sign-in. Disabling or resetting signs the user out everywhere. The last enabled admin cannot be
   * demoted or disabled, so the school is never locked out.
   */
  async update(id: string, body: unknown, by: Actor) {
    const b = (body ?? {}) as Record<string, unknown>;
    const known = ['name', 'role', 'disabled', 'password'];
    const unknown = Object.keys(b).filter((k) => !known.includes(k));
    if (unknown.length > 0 || Object.keys(b).length === 0) {
      throw new AppError(400, 'validation_error', `send one or more of ${known.join(', ')}`, unknown.map((field) => ({ field, problem: 'unknown' })));
    }
    if (b.disabled !== undefined && typeof b.disabled !== 'boolean') {
      throw new AppError(400, 'validation_error', '"disabled" must be true or false', [{ field: 'disabled', problem: 'type' }]);
    }
    const { name, role } = parseInput(UserChanges, b);
    const changes = {
      name,
      role,
      disabled: b.disabled as boolean | undefined,
      passwordHash: b.password === undefined ? undefined : await hashPassword(checkPasswordPolicy(b.password)),
      mustChangePassword: b.password === undefined ? undefined : true,
    };
    const before = await this.get(id);
    return this.db.transaction(async (tx) => {
      const removesAdmin = before.role === 'admin' && !before.disabled && (changes.role === 'teacher' || changes.disabled === true);
      if (removesAdmin && (await this.enabledAdmins(tx)) <= 1) throw conflict('last_admin', 'the last enabled admin cannot be demoted or disabled');
      const row = (await usersRepo.update(tx, before.id, changes))!;
      if (changes.disabled || changes.passwordHash) await signInSessionsRepo.deleteForUser(tx, row.id);
      await auditRepo.add(tx, {
        ...auditActor(by),
        action: 'update_user',
        entity: 'user',
        entityId: row.id,
        before: { name: before.name, role: before.role, disabled: before.disabled },
        after: { name: row.name, role: row.role, disabled: row.disabled, password_reset: changes.passwordHash !== undefined },
      });
      return userView(row, await usersRepo.classes(tx, row.id));
    });
  }

  private async enabledAdmins(q: Queryable): Promise<number> {
    return (await usersRepo.list(q)).filter((u) => u.role === 'admin' && !u.disabled).length;
  }

  /** The user's own change: the current password, then a new one; their other sessions end. */
  async changePassword(userId: string, body: unknown, keepSessionHash: string | null) {
    const user = await this.get(userId);
    const current = (body as Record<string, unknown> | null)?.current_password;
    if (typeof current !== 'string' || !(await verifyPassword(user.password_hash, current))) {
      throw new AppError(400, 'validation_error', '"current_password" is not your current password', [{ field: 'current_password', problem: 'wrong' }]);
    }
    const next = checkPasswordPolicy((body as Record<string, unknown>).new_password, 'new_password');
    if (next === current) throw new AppError(400, 'validation_error', '"new_password" must differ from the current one', [{ field: 'new_password', problem: 'unchanged' }]);
    const passwordHash = await hashPassword(next);
    await this.db.transaction(async (tx) => {
      await usersRepo.update(tx, user.id, { passwordHash, mustChangePassword: false });
      await signInSessionsRepo.deleteForUser(tx, user.id, keepSessionHash);
      await auditRepo.add(tx, { actor: user.email, actorUserId: user.id, action: 'change_password', entity: 'user', entityId: user.id });
    });
  }

  /** Assigns a teacher (by email) to a class: 201 the first time, 409 when already assigned. */
  async assign(classIdOrCode: string, body: unknown, by: Actor) {
    const { email } = parseInput(Assignment, body);
    const cls = await classesRepo.get(this.db, classIdOrCode);
    if (!cls) throw notFound(`class ${classIdOrCode}`);
    const user = await this.byEmail(email);
    return this.db.transaction(async (tx) => {
      if (!(await this.assignIn(tx, cls.id, user, by))) throw conflict('already_assigned', `${user.email} already teaches ${cls.code}`);
      return { class_id: cls.id, class_code: cls.code, user_id: user.id, email: user.email };
    });
  }

  private async assignIn(q: Queryable, classId: string, user: UserRow, by: Actor): Promise<boolean> {
    const added = await usersRepo.assign(q, classId, user.id);
    if (added) await auditRepo.add(q, { ...auditActor(by), action: 'assign_class', entity: 'user', entityId: user.id, after: { class_id: classId } });
    return added;
  }

  async unassign(classIdOrCode: string, userId: string, by: Actor): Promise<void> {
    const cls = await classesRepo.get(this.db, classIdOrCode);
    if (!cls) throw notFound(`class ${classIdOrCode}`);
    await this.db.transaction(async (tx) => {
      if (!(await usersRepo.unassign(tx, cls.id, userId))) throw notFound(`teacher ${userId} of class ${cls.code}`);
      await auditRepo.add(tx, { ...auditActor(by), action: 'unassign_class', entity: 'user', entityId: userId, before: { class_id: cls.id } });
    });
  }
}
