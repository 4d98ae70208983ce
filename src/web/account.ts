import { ApiError, csrf, getJson, sendJson, sendNoContent } from './api.js';
import { byId } from './dom.js';
import { announce, busy, clearError } from './feedback.js';
import type { AuthConfig, Me } from './types.js';

/** Sections shown only to a signed-in user who may use the page. */
const SIGNED_IN = ['account-section', 'class-section'];

function show(ids: string[], visible: boolean): void {
  for (const id of ids) byId(id, HTMLElement).hidden = !visible;
}

const formJson = (form: HTMLFormElement) => Object.fromEntries([...new FormData(form)].map(([k, v]) => [k, String(v)]));

/** "Sign in with <school>" when the server has single sign-on. */
function showSingleSignOn(how: AuthConfig): void {
  if (how.sso) {
    const link = byId('sso-link', HTMLAnchorElement);
    link.href = how.sso.start_url;
    link.textContent = `Sign in with ${how.sso.name}`;
  }
  show(['sso-row'], how.sso !== null);
}

/**
 * Sign-in, first-run setup, a forced password change and sign-out. `onSignedIn` gets the user
 * once they may use the page; `onSignedOut` clears what the page showed.
 */
export function setupAccount(onSignedIn: (me: Me) => void, onSignedOut: () => void): { start(): Promise<void> } {
  const signin = byId('signin-form', HTMLFormElement);
  const setup = byId('setup-form', HTMLFormElement);
  const password = byId('password-form', HTMLFormElement);

  async function signedOut(): Promise<void> {
    csrf.set(null);
    show([...SIGNED_IN, 'password-section', 'admin-section'], false);
    onSignedOut();
    const [{ setup_needed }, how] = await Promise.all([getJson<{ setup_needed: boolean }>('/api/v1/auth/setup'), getJson<AuthConfig>('/api/v1/auth/config')]);
    show(['setup-section'], setup_needed);
    show(['signin-section'], !setup_needed);
    showSingleSignOn(how);
  }

  /** Who is signed in (the cookie), or the sign-in screen. */
  async function start(): Promise<void> {
    let me: Me;
    try {
      me = await getJson<Me>('/api/v1/me');
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return signedOut();
      throw e;
    }
    csrf.set(me.csrf_token);
    show(['signin-section', 'setup-section'], false);
    byId('account-who', HTMLSpanElement).textContent = `Signed in as ${me.name} (${me.role})`;
    show(['account-section'], true);
    show(['password-section', 'password-forced'], me.must_change_password);
    if (me.must_change_password) return;
    show(SIGNED_IN, true);
    onSignedIn(me);
  }

  const submit = (form: HTMLFormElement, label: string, path: string, done: string) =>
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      // Read before busy() disables the inputs: disabled fields are left out of a form's data.
      const body = formJson(form);
      const ok = await busy(label, form, () => sendJson<{ csrf_token: string }>('POST', path, body));
      if (!ok) return;
      form.reset();
      await start();
      announce(done);
    });
  submit(signin, 'Signing in…', '/api/v1/auth/login', 'Signed in.');
  submit(setup, 'Creating the first admin…', '/api/v1/auth/setup', 'Admin created: you are signed in.');

  password.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = formJson(password);
    const ok = await busy('Changing the password…', password, () => sendNoContent('POST', '/api/v1/me/password', body).then(() => true));
    if (!ok) return;
    password.reset();
    await start();
    announce('Password changed.');
  });

  byId('signout', HTMLButtonElement).addEventListener('click', async () => {
    const ok = await busy('Signing out…', byId('account-section', HTMLElement), () => sendNoContent('POST', '/api/v1/auth/logout').then(() => true));
    if (!ok) return;
    clearError();
    await signedOut();
    announce('Signed out.');
  });
  return { start };
}
