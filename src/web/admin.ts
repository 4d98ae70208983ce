import { getJson, sendJson, sendNoContent } from './api.js';
import { byId, el, formatDate, srOnly } from './dom.js';
import { announce, busy, showError } from './feedback.js';
import type { ClassInfo, KeyInfo, UserInfo } from './types.js';

/** A temporary password for a reset: 18 random letters and digits, changed by its owner at sign-in. */
function temporaryPassword(): string {
  const chars = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  return [...crypto.getRandomValues(new Uint8Array(18))].map((b) => chars[b % chars.length]).join('');
}

/** Reads for the admin area, without the busy bar: they follow other actions, whose confirmation must stay. */
const quietly = <T>(path: string): Promise<T | undefined> => getJson<T>(path).catch((e: unknown) => (showError(e), undefined));

/** The admin area: people and their classes, assignments, and the admin's own API keys. */
export function setupAdmin(): { load(classes: ClassInfo[]): Promise<void> } {
  const section = byId('admin-section', HTMLElement);
  const rows = byId('users-rows', HTMLTableSectionElement);
  const userForm = byId('user-form', HTMLFormElement);
  const assignForm = byId('assign-form', HTMLFormElement);
  const keyForm = byId('key-form', HTMLFormElement);
  const keyCreated = byId('key-created', HTMLParagraphElement);

  async function change(u: UserInfo, body: Record<string, unknown>, label: string, done: string): Promise<void> {
    const ok = await busy(label, section, () => sendJson('PATCH', `/api/v1/users/${encodeURIComponent(u.id)}`, body));
    if (!ok) return;
    await loadUsers();
    announce(done);
  }

  function userRow(u: UserInfo): HTMLTableRowElement {
    const toggle = el('button', { type: 'button', class: 'secondary' }, u.disabled ? 'Enable' : 'Disable', srOnly(` ${u.name}`));
    toggle.addEventListener('click', () => change(u, { disabled: !u.disabled }, 'Saving…', `${u.name} ${u.disabled ? 'enabled' : 'disabled'}.`));
    const reset = el('button', { type: 'button', class: 'secondary' }, 'Reset password', srOnly(` of ${u.name}`));
    reset.addEventListener('click', () => {
      const password = temporaryPassword();
      void change(u, { password }, 'Resetting the password…', `Temporary password for ${u.name}: ${password} — they choose their own at their next sign-in.`);
    });
    const classes = u.classes.map((c) => c.code).join(', ') || (u.role === 'admin' ? 'all' : 'none');
    return el('tr', {}, el('td', {}, u.name), el('td', {}, u.email), el('td', {}, u.role), el('td', {}, classes), el('td', {}, u.disabled ? 'disabled' : 'active'), el('td', { class: 'row' }, toggle, reset));
  }

  async function loadUsers(): Promise<void> {
    const users = await quietly<UserInfo[]>('/api/v1/users');
    if (users) rows.replaceChildren(...users.map(userRow));
  }

  async function loadKeys(): Promise<void> {
    const keys = (await quietly<KeyInfo[]>('/api/v1/me/keys')) ?? [];
    byId('keys-list', HTMLUListElement).replaceChildren(
      ...keys.filter((k) => !k.revoked_at).map((k) => {
        const revoke = el('button', { type: 'button', class: 'secondary' }, 'Revoke', srOnly(` key ${k.name}`));
        revoke.addEventListener('click', async () => {
          const ok = await busy('Revoking…', section, () => sendNoContent('DELETE', `/api/v1/me/keys/${encodeURIComponent(k.id)}`).then(() => true));
          if (!ok) return;
          await loadKeys();
          announce(`Key ${k.name} revoked.`);
        });
        return el('li', {}, `${k.name}, created ${formatDate(k.created_at)} `, revoke);
      }),
    );
  }

  userForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const d = new FormData(userForm);
    const cls = String(d.get('class'));
    const body = { email: d.get('email'), name: d.get('name'), role: d.get('role'), password: d.get('password'), classes: cls ? [cls] : [] };
    const created = await busy('Adding…', userForm, () => sendJson<UserInfo>('POST', '/api/v1/users', body));
    if (!created) return;
    userForm.reset();
    await loadUsers();
    announce(`${created.name} added.`);
  });

  assignForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const d = new FormData(assignForm);
    const path = `/api/v1/classes/${encodeURIComponent(String(d.get('class')))}/teachers`;
    const done = await busy('Assigning…', assignForm, () => sendJson<{ email: string; class_code: string }>('POST', path, { email: d.get('email') }));
    if (!done) return;
    assignForm.reset();
    await loadUsers();
    announce(`${done.email} now teaches ${done.class_code}.`);
  });

  keyForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = { name: new FormData(keyForm).get('name') };
    const created = await busy('Creating the key…', keyForm, () => sendJson<KeyInfo & { key: string }>('POST', '/api/v1/me/keys', body));
    if (!created) return;
    keyForm.reset();
    keyCreated.textContent = `Key ${created.name} (shown once, copy it now): ${created.key}`;
    keyCreated.hidden = false;
    await loadKeys();
  });

  async function load(classes: ClassInfo[]): Promise<void> {
    const options = classes.map((c) => el('option', { value: c.id }, `${c.code} — ${c.name}`));
    byId('user-class', HTMLSelectElement).replaceChildren(el('option', { value: '' }, 'No class yet'), ...options.map((o) => o.cloneNode(true)));
    byId('assign-class', HTMLSelectElement).replaceChildren(...options);
    section.hidden = false;
    await loadUsers();
    await loadKeys();
  }
  return { load };
}
