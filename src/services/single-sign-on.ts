import crypto from 'node:crypto';
import { errors, generators, Issuer, type BaseClient, type CallbackParamsType } from 'openid-client';
import type { OidcConfig } from '../config';
import type { Db } from '../store/db';
import { usersRepo, type UserRow } from '../store/repos/users';
import { oidcLoginsRepo, type OidcLogin } from '../store/repos/oidc-logins';
import { auditRepo } from '../store/repos/audit';
import { AppError } from '../errors';
import { allowedDomain, displayName, verifiedEmail, type Claims } from './oidc-claims';
import { userView } from './users';

/** How long a browser has between leaving for the provider and coming back. */
export const LOGIN_TTL_S = 10 * 60;
const SCOPE = 'openid email profile';

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

/** A sign-in on its way to the provider: where to send the browser, and the id its cookie keeps. */
export interface StartedSso {
  url: string;
  browserToken: string;
}

const unavailable = (e: unknown) =>
  new AppError(503, 'sso_unavailable', `the identity provider could not be reached: ${(e as Error)?.message ?? String(e)}`, undefined, { 'Retry-After': '30' });

/**
 * Single sign-on with an OpenID Connect provider (Google Workspace, Microsoft Entra ID…):
 * authorization code flow with PKCE, state and nonce, through openid-client. The attempt waits in
 * the database (oidc_logins), so any process can finish it. A user is found by verified email in
 * an allowed domain; an unknown one becomes a teacher without classes. The caller starts the
 * same cookie session as a password sign-in.
 */
export class SingleSignOnService {
  private client: Promise<BaseClient> | null = null;

  constructor(
    private readonly db: Db,
    private readonly config: OidcConfig,
  ) {}

  /** The provider's metadata, fetched at first use (and again after a failure), so the service starts while the provider is down. */
  private async provider(): Promise<BaseClient> {
    if (!this.client) {
      const { clientId, clientSecret, redirectUrl } = this.config;
      this.client = Issuer.discover(this.config.issuer).then(
        (issuer) => new issuer.Client({ client_id: clientId, client_secret: clientSecret, redirect_uris: [redirectUrl], response_types: ['code'] }),
      );
      this.client.catch(() => (this.client = null));
    }
    try {
      return await this.client;
    } catch (e) {
      throw unavailable(e);
    }
  }

  /** A new attempt: its state, nonce and PKCE verifier are saved under the hash of a new browser id. */
  async start(): Promise<StartedSso> {
    const client = await this.provider();
    const browserToken = crypto.randomBytes(32).toString('base64url');
    const login: OidcLogin = { state: generators.state(), nonce: generators.nonce(), code_verifier: generators.codeVerifier() };
    await oidcLoginsRepo.insert(this.db, sha256(browserToken), login, LOGIN_TTL_S);
    const url = client.authorizationUrl({
      scope: SCOPE,
      state: login.state,
      nonce: login.nonce,
      code_challenge: generators.codeChallenge(login.code_verifier),
      code_challenge_method: 'S256',
    });
    return { url, browserToken };
  }

  /**
   * The provider's answer (the callback URL as requested) for the attempt the browser's cookie
   * names → the user to sign in. Every refusal after the provider has said who it is is audited.
   */
  async finish(callbackUrl: string, browserToken: string | null, address: string) {
    const client = await this.provider();
    const params = client.callbackParams(callbackUrl);
    const login = browserToken ? await oidcLoginsRepo.take(this.db, sha256(browserToken)) : null;
    if (!login) throw new AppError(400, 'sso_expired', `this sign-in was not started in this browser or took more than ${LOGIN_TTL_S / 60} minutes: start again`);
    if (params.state !== login.state) throw new AppError(400, 'sso_state_mismatch', 'the answer from the identity provider is not for this sign-in: start again');
    const claims = await this.claims(client, params, login);
    const said = typeof claims.email === 'string' ? claims.email : String(claims.sub);
    const refuse = async (e: AppError, user: UserRow | null = null) => {
      await auditRepo.add(this.db, { actor: said, actorUserId: user?.id ?? null, action: 'sign_in_failed', entity: 'sign_in', entityId: said, after: { address, method: 'oidc', reason: e.code } });
      return e;
    };
    let email: string;
    try {
      email = verifiedEmail(claims);
      allowedDomain(email, this.config.allowedDomains);
    } catch (e) {
      throw e instanceof AppError ? await refuse(e) : e;
    }
    const existing = await usersRepo.byEmail(this.db, email);
    if (existing?.disabled) throw await refuse(new AppError(401, 'unauthorized', 'this account is disabled'), existing);
    const user = existing ?? (await this.createTeacher(email, displayName(claims, email)));
    await auditRepo.add(this.db, { actor: user.email, actorUserId: user.id, action: 'sign_in', entity: 'sign_in', entityId: user.id, after: { address, method: 'oidc' } });
    return userView(user);
  }

  /** The ID token's claims (checked by openid-client: signature, issuer, audience, nonce, expiry), completed from userinfo. */
  private async claims(client: BaseClient, params: CallbackParamsType, login: OidcLogin): Promise<Claims> {
    try {
      const tokens = await client.callback(this.config.redirectUrl, params, { ...login, response_type: 'code' });
      const idToken = tokens.claims();
      // Strict providers put scope claims such as email in userinfo only, when they issue an access token.
      if (idToken.email === undefined && tokens.access_token) return { ...(await client.userinfo(tokens)), ...idToken };
      return idToken;
    } catch (e) {
      if (e instanceof errors.OPError) {
        throw new AppError(401, 'sso_refused', `the identity provider refused the sign-in: ${e.error}${e.error_description ? ` (${e.error_description})` : ''}`);
      }
      if (e instanceof errors.RPError) throw new AppError(401, 'sso_refused', `the identity provider's answer did not verify: ${e.message}`);
      throw unavailable(e);
    }
  }

  /** A first sign-in from an allowed domain: a teacher without classes and without a password. */
  private async createTeacher(email: string, name: string): Promise<UserRow> {
    return this.db.transaction(async (tx) => {
      const row = await usersRepo.insert(tx, { email, name, role: 'teacher', passwordHash: null, mustChangePassword: false });
      // Two first sign-ins at once: the other one created the user.
      if (!row) return (await usersRepo.byEmail(tx, email))!;
      await auditRepo.add(tx, { actor: email, actorUserId: row.id, action: 'create_user', entity: 'user', entityId: row.id, after: { email, role: row.role, via: 'oidc' } });
      return row;
    });
  }
}
