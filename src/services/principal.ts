import type { Role } from '../store/repos/users';

/** Who is making a request, however they proved it. */
export interface Principal {
  via: 'session' | 'key';
  /** null for a service key (API_KEYS, or a stored key without an owner): an admin without a user. */
  userId: string | null;
  email: string | null;
  role: Role;
  /** Only the password change (and sign-out) is open until the user has chosen a new password. */
  mustChangePassword: boolean;
  /** The name written to the audit log and the request log. */
  actor: string;
  /** The rate-limit bucket: one per key, one per signed-in user. */
  bucket: string;
}

/** Service keys act as admins without a user: their name is the actor, as before users existed. */
export function servicePrincipal(keyId: string, name: string): Principal {
  return { via: 'key', userId: null, email: null, role: 'admin', mustChangePassword: false, actor: name, bucket: `key:${keyId}` };
}

export function userPrincipal(via: Principal['via'], user: { id: string; email: string; role: Role; must_change_password: boolean }, bucket: string): Principal {
  return { via, userId: user.id, email: user.email, role: user.role, mustChangePassword: user.must_change_password, actor: user.email, bucket };
}

/** The audit log's actor fields for a principal. */
export const auditActor = (p: Pick<Principal, 'actor' | 'userId'>) => ({ actor: p.actor, actorUserId: p.userId });
