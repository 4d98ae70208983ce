import { ApiError } from './api.js';
import { byId } from './dom.js';

const status = () => byId('status', HTMLParagraphElement);
const errorBox = () => byId('error', HTMLDivElement);

/** Polite announcement in the aria-live status line. */
export function announce(message: string): void {
  status().textContent = message;
}

export function clearError(): void {
  errorBox().hidden = true;
  errorBox().replaceChildren();
}

/** The API's own message (and code) in the role=alert box; a 401 also says what to do. */
export function showError(e: unknown): void {
  const box = errorBox();
  const message = e instanceof Error ? e.message : String(e);
  const hint = e instanceof ApiError && e.status === 401 ? ' Sign in again.' : '';
  const code = e instanceof ApiError ? ` (${e.code})` : '';
  box.textContent = `Error${code}: ${message.replace(/\.$/, '')}.${hint}`;
  box.hidden = false;
}

export type Progress = (sent: number | null, label?: string) => void;

/**
 * Runs one user action: the controls of `lock` are disabled (no double submits), the busy bar
 * shows upload progress (null = indeterminate, e.g. while faces are being recognised), errors go
 * to the alert box. Resolves to undefined when the action failed.
 */
export async function busy<T>(label: string, lock: HTMLElement, work: (progress: Progress) => Promise<T>): Promise<T | undefined> {
  const bar = byId('busy', HTMLDivElement);
  const meter = byId('busy-progress', HTMLProgressElement);
  const text = byId('busy-label', HTMLLabelElement);
  // Disabling the focused control drops focus to <body>; it is given back afterwards.
  const focused = document.activeElement;
  const controls = [...lock.querySelectorAll<HTMLButtonElement | HTMLInputElement>('button, input, select')].filter((c) => !c.disabled);
  const progress: Progress = (sent, next) => {
    if (sent === null) meter.removeAttribute('value');
    else meter.value = sent;
    if (next) text.textContent = next;
  };
  clearError();
  controls.forEach((c) => (c.disabled = true));
  progress(null, label);
  bar.hidden = false;
  announce(label);
  try {
    return await work(progress);
  } catch (e) {
    announce('');
    showError(e);
    return undefined;
  } finally {
    bar.hidden = true;
    controls.forEach((c) => (c.disabled = false));
    if (focused instanceof HTMLElement && focused.isConnected && document.activeElement === document.body) focused.focus();
  }
}
