import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config';
import type { Db } from '../store/db';
import { usersRepo } from '../store/repos/users';
import { signInSessionsRepo } from '../store/repos/sign-in-sessions';
import { signInFailuresRepo } from '../store/repos/sign-in-failures';
import { setupTokensRepo } from '../store/repos/setup-tokens';
import { auditRepo } from '../store/repos/audit';
import { AppError } from '../errors';
import { hashPassword, verifyPassword } from './passwords';
import { userPrincipal, type Principal } from './principal';
import { newUserOf, userView, type UsersService } from './users';
import { z } from 'zod';
import { parseInput, text } from './validate';

/** After this many failed sign-ins for one account or from one address within the window, wait. */
export const MAX_FAILURES = 10;
export const FAILURE_WINDOW_S = 15 * 60;
/** last_seen_at is written at most this often per session. */
const TOUCH_EVERY_S = 60;

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');
const newToken = () => crypto.randomBytes(32).toString('base64url');

/** A new sign-in session: the cookie value (shown once), its CSRF token and when it ends at the latest. */
export interface StartedSession {
  token: string;
  csrfToken: string;
  expiresAt: Date;
}

const unauthorized = () => new AppError(401, 'unauthorized', 'the email or password is wrong');

const LoginEmail = z.object({ email: text(320) });

export class SignInService {
  constructor(
    private readonly db: Db,
    private readonly config: Pick<Config, 'loginIdleMinutes' | 'loginMaxHours'>,
    private readonly users: UsersService,
  ) {}

  /**
   * The CSRF token of a session: derived from its secret id, so nothing more is stored and no
   * other origin (which cannot read the HttpOnly cookie) can compute it.
   */
  static csrfTokenFor(sessionToken: string): string {
    return crypto.createHash('sha256').update(`csrf:${sessionToken}`).digest('base64url');
  }

  /**
   * Starts a session for a user who has proven who they are (password here; single sign-on can
   * call it from its callback).
   */
  async startSession(userId: string): Promise<StartedSession> {
    const token = newToken();
    const expiresAt = await signInSessionsRepo.insert(this.db, sha256(token), userId, this.config.loginMaxHours * 3600);
    await usersRepo.touchSignIn(this.db, userId);
    return { token, csrfToken: SignInService.csrfTokenFor(token), expiresAt };
  }

  /**
   * Email and password → the user, for the caller to start a session. Unknown email and wrong password fail alike and take the same
   * time (the password is checked against a dummy hash); failures are counted per account and per
   * client address, and past MAX_FAILURES in FAILURE_WINDOW_S the answer is 429 until the window ends.
   */
  async login(body: unknown, address: string) {
    const email = parseInput(LoginEmail, body).email.toLowerCase();
    const password = (body as Record<string, unknown>).password;
    if (typeof password !== 'string' || password === '') {
      throw new AppError(400, 'validation_error', '"password" is required', [{ field: 'password', problem: 'missing' }]);
    }
    const account = `account:${email}`;
    const buckets = [account, `address:${address}`];
    const wait = await signInFailuresRepo.blockedFor(this.db, buckets, MAX_FAILURES, FAILURE_WINDOW_S);
    if (wait > 0) {
      await auditRepo.add(this.db, { actor: email, action: 'sign_in_throttled', entity: 'sign_in', entityId: email, after: { address } });
      throw new AppError(429, 'rate_limited', `too many failed sign-ins: retry in ${wait} s`, undefined, { 'Retry-After': String(wait) });
    }
    const user = await usersRepo.byEmail(this.db, email);
    const ok = (await verifyPassword(user?.password_hash ?? null, password)) && user !== null && !user.disabled;
    if (!ok || !user) {
      await signInFailuresRepo.record(this.db, buckets, FAILURE_WINDOW_S);
      await auditRepo.add(this.db, { actor: email, actorUserId: user?.id ?? null, action: 'sign_in_failed', entity: 'sign_in', entityId: email, after: { address } });
      throw unauthorized();
    }
    await signInFailuresRepo.clear(this.db, account);
    await auditRepo.add(this.db, { actor: user.email, actorUserId: user.id, action: 'sign_in', entity: 'sign_in', entityId: user.id, after: { address } });
    return userView(user);
  }

  /**
   * The principal of a session cookie; null for an unknown one. An expired session is removed and
   * answers 401 session_expired; a disabled user's 401 unauthorized.
   */
  async authenticate(token: string): Promise<Principal | null> {
    const h = sha256(token);
    const found = await signInSessionsRepo.check(this.db, h, this.config.loginIdleMinutes * 60, TOUCH_EVERY_S);
    if (!found) return null;
    if (found.expired) {
      await signInSessionsRepo.delete(this.db, h);
      throw new AppError(401, 'session_expired', 'the session has expired: sign in again');
    }
    if (found.user.disabled) throw new AppError(401, 'unauthorized', 'this account is disabled');
    if (found.stale) await signInSessionsRepo.touch(this.db, h);
    return userPrincipal('session', found.user, `user:${found.user.id}`);
  }

  async logout(token: string, p: Principal): Promise<void> {
    await signInSessionsRepo.delete(this.db, sha256(token));
    await auditRepo.add(this.db, { actor: p.actor, actorUserId: p.userId, action: 'sign_out', entity: 'sign_in', entityId: p.userId ?? p.actor });
  }

  static sessionHash(token: string): string {
    return sha256(token);
  }

  async purgeExpired(): Promise<number> {
    return signInSessionsRepo.purgeExpired(this.db, this.config.loginIdleMinutes * 60);
  }

  /**
   * While no user exists: a one-time token that creates the first admin, kept (0600) in DATA_DIR
   * and returned so it can be printed. A restart shows the same token while it is still valid.
   */
  async ensureSetupToken(dataDir: string): Promise<{ token: string; file: string } | null> {
    const file = path.join(dataDir, 'setup-token.txt');
    if ((await usersRepo.count(this.db)) > 0) {
      await setupTokensRepo.clear(this.db);
      fs.rmSync(file, { force: true });
      return null;
    }
    const saved = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : '';
    if (saved && (await this.setupTokenValid(saved))) return { token: saved, file };
    const token = `setup_${newToken()}`;
    await setupTokensRepo.replace(this.db, sha256(token));
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(file, `${token}\n`, { mode: 0o600 });
    return { token, file };
  }

  private setupTokenValid(token: string): Promise<boolean> {
    return setupTokensRepo.exists(this.db, sha256(token));
  }

  /** Whether the page should offer first-run setup. */
  async setupNeeded(): Promise<boolean> {
    return (await usersRepo.count(this.db)) === 0;
  }

  /** The first admin, with the setup token (used up here). */
  async setup(body: unknown, dataDir: string) {
    const token = (body as Record<string, unknown> | null)?.setup_token;
    const u = newUserOf({ ...(body as object), role: 'admin' });
    if (typeof token !== 'string' || !(await this.setupTokenValid(token)) || !(await this.setupNeeded())) {
      throw new AppError(403, 'setup_refused', 'the setup token is not valid, or the first admin already exists');
    }
    const passwordHash = await hashPassword(u.password);
    const user = await this.db.transaction(async (tx) => {
      if (!(await setupTokensRepo.consume(tx, sha256(token)))) throw new AppError(403, 'setup_refused', 'the setup token has just been used');
      return this.users.insert(tx, u, passwordHash, { actor: u.email, userId: null });
    });
    fs.rmSync(path.join(dataDir, 'setup-token.txt'), { force: true });
    return user;
  }
}
