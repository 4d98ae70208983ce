import { OIDC_CALLBACK_PATH as CALLBACK } from '../../src/config';
import { createApp } from '../../src/http/app';
import { createLogger } from '../../src/logger';
import { SingleSignOnService } from '../../src/services/single-sign-on';
import { CLI_ACTOR } from '../../src/services/users';
import { Browser } from '../helpers/browser';
import type { TestAccount } from '../helpers/oidc-provider';
import { PROVIDER_PASSWORD as PASSWORD, providerAccount as account, serve, startSsoApp, stop, type SsoApp } from '../helpers/sso-app';
import type { TestApp } from '../helpers/test-app';
import { backend } from '../helpers/test-db';

/** The provider's directory: the login typed at its page → the claims it vouches for. */
const ACCOUNTS: Record<string, TestAccount> = {
  newcomer: account('New.Teacher@school.example', true, 'New Teacher'),
  head: account('HEAD@school.example'),
  unverified: account('unverified@school.example', false),
  foreign: account('someone@elsewhere.example'),
  gone: account('gone@school.example'),
};

describe(`single sign-on against a real OpenID provider on ${backend}`, () => {
  let sso: SsoApp;
  let a: TestApp;

  beforeAll(async () => {
    sso = await startSsoApp(ACCOUNTS);
    a = sso.a;
    await a.services.users.create({ email: 'head@School.example', name: 'Head', role: 'admin', password: 'correct horse battery', classes: [] }, CLI_ACTOR);
    const gone = await a.services.users.create({ email: 'gone@school.example', name: 'Gone', role: 'teacher', password: 'correct horse battery', classes: [] }, CLI_ACTOR);
    await a.services.users.update(gone.id, { disabled: true }, CLI_ACTOR);
  });
  afterAll(() => sso.close());

  /** From the page's link to the provider's sign-in page. */
  async function toProviderPage(b: Browser) {
    const page = await b.follow(`${sso.origin}/api/v1/auth/oidc/start`);
    expect(page.res.status).toBe(200);
    expect(new URL(page.url).origin).toBe(sso.provider.issuer);
    const html = await page.res.text();
    return new URL(html.match(/<form method="post" action="([^"]+)"/)![1], page.url).href;
  }

  /** Signs in at the provider and stops before the browser returns to Rollcall's callback. */
  async function untilCallback(b: Browser, login: string): Promise<string> {
    const form = await toProviderPage(b);
    const back = await b.follow(form, { form: { login, password: PASSWORD } }, (next) => next.pathname === CALLBACK);
    expect(back.next).not.toBeNull();
    return back.next!;
  }

  /** The whole round trip as a browser makes it: start, the provider's page, back to Rollcall. */
  async function signIn(login: string): Promise<{ b: Browser; res: Response; url: string }> {
    const b = new Browser();
    const { res, url } = await b.follow(await untilCallback(b, login));
    return { b, res, url };
  }

  /** Another instance of the app over the same database, with its own single sign-on service. */
  function serveInstance(oidc = a.config.oidc!) {
    const services = { ...a.services, sso: new SingleSignOnService(a.t.db, oidc) };
    return serve(createApp({ config: { ...a.config, oidc }, log: createLogger('silent'), services }));
  }

  const me = async (b: Browser) => {
    const res = await b.request(`${sso.origin}/api/v1/me`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const audit = (action: string) =>
    a.t.db.query<{ actor: string; actor_user_id: string | null; after: { method?: string; reason?: string } }>('SELECT actor, actor_user_id, after FROM audit_log WHERE action = $1 ORDER BY id', [action]);
  const errorOf = async (res: Response) => [res.status, ((await res.json()) as { error: { code: string } }).error.code];

  test('the page is told to offer "Sign in with Test School"', async () => {
    const res = await new Browser().request(`${sso.origin}/api/v1/auth/config`);
    expect(await res.json()).toEqual({ password: true, sso: { name: 'Test School', start_url: '/api/v1/auth/oidc/start' } });
  });

  test('start: to the provider with the code flow, PKCE (S256), state and nonce, and a short-lived HttpOnly cookie', async () => {
    const b = new Browser();
    const res = await b.request(`${sso.origin}/api/v1/auth/oidc/start`);
    expect(res.status).toBe(302);
    const to = new URL(res.headers.get('location')!);
    expect(to.origin).toBe(sso.provider.issuer);
    const q = to.searchParams;
    expect([q.get('response_type'), q.get('client_id'), q.get('redirect_uri'), q.get('code_challenge_method')]).toEqual(['code', 'rollcall', `${sso.origin}${CALLBACK}`, 'S256']);
    expect(q.get('scope')!.split(' ')).toEqual(expect.arrayContaining(['openid', 'email']));
    for (const p of ['state', 'nonce', 'code_challenge']) expect(q.get(p)!.length).toBeGreaterThanOrEqual(43);
    expect(res.headers.get('set-cookie')).toMatch(/^rollcall_sso=[A-Za-z0-9_-]{43}; Path=\/api\/v1\/auth\/oidc; HttpOnly; SameSite=Lax; Max-Age=600$/);
    // The verifier never leaves the server, and the database keeps only the cookie's hash.
    const rows = await a.t.db.query<{ id_hash: string; state: string }>('SELECT id_hash, state FROM oidc_logins');
    expect(rows.map((r) => r.state)).toContain(q.get('state'));
    expect(rows.map((r) => r.id_hash)).not.toContain(res.headers.get('set-cookie')!.split(';')[0].split('=')[1]);
  });

  test('a first sign-in from an allowed domain creates a teacher without classes and signs them in with the session cookie', async () => {
    const { b, res, url } = await signIn('newcomer');
    // Back on the page, signed in.
    expect([res.status, url]).toEqual([200, `${sso.origin}/`]);
    const who = await me(b);
    expect(who.status).toBe(200);
    expect(who.body).toMatchObject({ email: 'new.teacher@school.example', name: 'New Teacher', role: 'teacher', classes: [], must_change_password: false });
    expect(typeof who.body.csrf_token).toBe('string');
    const user = await a.services.users.byEmail('new.teacher@school.example');
    expect(user.password_hash).toBeNull();
    expect((await audit('create_user')).map((r) => [r.actor, r.actor_user_id])).toContainEqual(['new.teacher@school.example', user.id]);
    expect((await audit('sign_in')).filter((r) => r.after.method === 'oidc').map((r) => r.actor_user_id)).toContain(user.id);
    // The cookie is the same kind of session as a password sign-in: CSRF applies, sign-out ends it.
    const out = await b.request(`${sso.origin}/api/v1/auth/logout`, { method: 'POST' });
    expect(out.status).toBe(403);
    // A second sign-in finds the same user.
    const again = await signIn('newcomer');
    expect((await me(again.b)).body.id).toBe(user.id);
  });

  test('an existing user is found by verified email whatever its case, and keeps their role', async () => {
    const { b } = await signIn('head');
    const who = await me(b);
    expect(who.body).toMatchObject({ email: 'head@School.example', role: 'admin' });
  });

  test('an unverified email is refused, audited, and nobody is created', async () => {
    const { res } = await signIn('unverified');
    expect(await errorOf(res)).toEqual([403, 'sso_email_unverified']);
    expect(await a.services.users.byEmail('unverified@school.example').catch(() => null)).toBeNull();
    expect((await audit('sign_in_failed')).map((r) => [r.actor, r.after.reason])).toContainEqual(['unverified@school.example', 'sso_email_unverified']);
  });

  test('another domain is refused with a clear error', async () => {
    const { b, res } = await signIn('foreign');
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect([res.status, body.error.code]).toEqual([403, 'sso_domain_not_allowed']);
    expect(body.error.message).toMatch(/elsewhere\.example accounts may not sign in here.*school\.example, academy\.example/);
    expect((await me(b)).status).toBe(401);
    expect(await a.services.users.byEmail('someone@elsewhere.example').catch(() => null)).toBeNull();
  });

  test('a disabled user is refused', async () => {
    const { b, res } = await signIn('gone');
    expect(await errorOf(res)).toEqual([401, 'unauthorized']);
    expect((await me(b)).status).toBe(401);
  });

  test('a wrong state, a replayed answer, an answer in another browser and a provider refusal are refused', async () => {
    const b = new Browser();
    const callback = new URL(await untilCallback(b, 'newcomer'));
    const forged = new URL(callback);
    forged.searchParams.set('state', 'not-the-state');
    expect(await errorOf((await b.follow(forged.href)).res)).toEqual([400, 'sso_state_mismatch']);
    // The attempt is used up by any answer, even a wrong one.
    expect(await errorOf((await b.follow(callback.href)).res)).toEqual([400, 'sso_expired']);
    expect((await me(b)).status).toBe(401);

    // A code obtained by someone else cannot be planted in a victim's browser.
    const attacker = new Browser();
    const planted = await untilCallback(attacker, 'newcomer');
    const victim = new Browser();
    expect(await errorOf((await victim.follow(planted)).res)).toEqual([400, 'sso_expired']);
    expect((await me(victim)).status).toBe(401);

    const refused = new Browser();
    const url = new URL(await untilCallback(refused, 'newcomer'));
    url.searchParams.delete('code');
    url.searchParams.set('error', 'access_denied');
    url.searchParams.set('error_description', 'the user said no');
    expect(await errorOf((await refused.follow(url.href)).res)).toEqual([401, 'sso_refused']);
  });

  test('the attempt lives in the database: another instance of the service finishes it', async () => {
    const second = await serveInstance();
    try {
      const b = new Browser();
      const callback = new URL(await untilCallback(b, 'head'));
      callback.port = new URL(second.origin).port;
      const { res } = await b.follow(callback.href);
      expect(res.status).toBe(200);
      expect((await me(b)).body).toMatchObject({ email: 'head@School.example' });
    } finally {
      await stop(second.server);
    }
  });

  test('a provider that cannot be reached: 503 sso_unavailable', async () => {
    const s = await serveInstance({ ...a.config.oidc!, issuer: 'http://127.0.0.1:1/' });
    try {
      expect(await errorOf(await new Browser().request(`${s.origin}/api/v1/auth/oidc/start`))).toEqual([503, 'sso_unavailable']);
    } finally {
      await stop(s.server);
    }
  });
});
