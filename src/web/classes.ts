import { getJson, sendJson } from './api.js';
import { byId, el } from './dom.js';
import { announce, busy } from './feedback.js';
import type { ClassInfo } from './types.js';

const CLASS_STORAGE = 'rollcall.classId';

/**
 * The class picker (the signed-in teacher's classes; all for an admin) and the admins'
 * "create a class" form. `onSelect` gets the chosen class
 * (or null); the last choice is remembered so a reload lands on the same class.
 */
export function setupClasses(onSelect: (c: ClassInfo | null) => void, onLoaded: (classes: ClassInfo[]) => void): { reload(): Promise<void> } {
  const section = byId('class-section', HTMLElement);
  const select = byId('class-select', HTMLSelectElement);
  const form = byId('class-form', HTMLFormElement);
  let classes: ClassInfo[] = [];

  const choose = (id: string) => {
    select.value = id;
    if (id) localStorage.setItem(CLASS_STORAGE, id);
    onSelect(classes.find((c) => c.id === id) ?? null);
  };

  async function reload(): Promise<void> {
    classes = (await busy('Loading classes…', section, () => getJson<ClassInfo[]>('/api/v1/classes'))) ?? [];
    select.replaceChildren(
      el('option', { value: '' }, classes.length ? 'Choose a class…' : 'No class yet'),
      ...classes.map((c) => el('option', { value: c.id }, `${c.code} — ${c.name}`)),
    );
    onLoaded(classes);
    const remembered = localStorage.getItem(CLASS_STORAGE) ?? '';
    choose(classes.some((c) => c.id === remembered) ? remembered : '');
  }

  select.addEventListener('change', () => choose(select.value));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const data = new FormData(form);
    const created = await busy('Creating the class…', form, () =>
      sendJson<ClassInfo>('POST', '/api/v1/classes', { code: String(data.get('code')).trim(), name: String(data.get('name')).trim() }),
    );
    if (!created) return;
    form.reset();
    form.closest('details')?.removeAttribute('open');
    localStorage.setItem(CLASS_STORAGE, created.id);
    await reload();
    announce(`Class ${created.code} created and selected.`);
  });
  return { reload };
}
