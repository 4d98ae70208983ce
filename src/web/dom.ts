type Child = Node | string;

/**
 * Builds an element. Text always goes in as text nodes and attributes through setAttribute, so
 * names and messages from the API can never become markup.
 */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

/** Text for screen readers only (e.g. which student a "Mark absent" button is about). */
export const srOnly = (text: string): HTMLSpanElement => el('span', { class: 'visually-hidden' }, text);

/** An element the page's HTML must contain; a missing one is a bug in index.html. */
export function byId<T extends HTMLElement>(id: string, type: new () => T): T {
  const node = document.getElementById(id);
  if (!(node instanceof type)) throw new Error(`index.html has no <${type.name}> #${id}`);
  return node;
}

export const formatDate = (iso: string): string =>
  new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
