import { byId } from './dom.js';

export type Screen = 'lesson' | 'setup' | 'insight' | 'admin';

const TITLE: Record<Screen, string> = { lesson: 'Lesson', setup: 'Setup', insight: 'Insight', admin: 'Administration' };

/**
 * The page's screens: every lesson needs only "Lesson" (take attendance, the result, its review);
 * the roster and students' photos ("Setup"), sessions and charts ("Insight") and the admin area
 * wait on their own. A section belongs to a screen by its data-screen attribute and the stylesheet
 * hides the others, so each module's own `hidden` logic (signed in, class chosen) stays as it is.
 */
export function setupScreens(): { show(screen: Screen, focus?: boolean): void } {
  const main = document.querySelector('main')!;
  const nav = byId('screens', HTMLElement);
  const buttons = [...nav.querySelectorAll<HTMLButtonElement>('button[data-go]')];

  function show(screen: Screen, focus = false): void {
    main.dataset.current = screen;
    for (const b of buttons) {
      if (b.dataset.go === screen) b.setAttribute('aria-current', 'page');
      else b.removeAttribute('aria-current');
    }
    document.title = `${TITLE[screen]} — Rollcall`;
    if (!focus) return;
    // Keyboard and screen-reader users land on the new screen's first heading, not back at the top.
    const heading = main.querySelector<HTMLElement>(`[data-screen="${screen}"]:not([hidden]) h2`);
    if (heading) {
      heading.tabIndex = -1;
      heading.focus();
    }
  }

  for (const b of buttons) b.addEventListener('click', () => show(b.dataset.go as Screen, true));
  return { show };
}
