import { apiKey } from './api.js';
import { setupAttendance } from './attendance.js';
import { setupLive } from './live.js';
import { setupClasses } from './classes.js';
import { byId } from './dom.js';
import { announce, clearError } from './feedback.js';
import { setupRoster } from './roster.js';
import { SessionView } from './session.js';
import { SessionsList } from './sessions.js';
import { loadStudents } from './students.js';
import type { ClassInfo } from './types.js';

// The page's entry point (index.html loads it as a module): wires the steps together around the
// selected class.

let current: ClassInfo | null = null;
const classId = () => current?.id ?? null;

const view = new SessionView(() => refreshSessions());
const sessions = new SessionsList(async (id) => {
  view.close();
  await view.open(id);
  byId('session-section', HTMLElement).scrollIntoView({ block: 'start' });
});
const refreshSessions = async () => {
  if (current) await sessions.load(current.id);
};
const refreshStudents = async () => {
  if (current) await loadStudents(current.id);
};

function selectClass(c: ClassInfo | null): void {
  current = c;
  view.close();
  for (const s of document.querySelectorAll<HTMLElement>('.needs-class')) s.hidden = c === null;
  for (const s of document.querySelectorAll<HTMLElement>('.class-name')) s.textContent = c ? `${c.code} — ${c.name}` : '';
  if (c) void refreshStudents().then(refreshSessions);
}

const classes = setupClasses(selectClass);
setupRoster(classId, refreshStudents);
setupAttendance(classId, view, refreshSessions);
setupLive(classId, view, refreshSessions);

const keyForm = byId('key-form', HTMLFormElement);
const keyInput = byId('key-input', HTMLInputElement);
const keyState = byId('key-state', HTMLParagraphElement);
const classSection = byId('class-section', HTMLElement);

function showKeyState(): void {
  const has = apiKey.get() !== null;
  keyState.textContent = has ? 'A key is saved in this browser.' : 'No key saved yet: ask your administrator for one.';
  classSection.hidden = !has;
}

keyForm.addEventListener('submit', (ev) => {
  ev.preventDefault();
  apiKey.set(keyInput.value.trim());
  keyForm.reset();
  showKeyState();
  void classes.reload().then(() => announce('Key saved.'));
});
byId('key-forget', HTMLButtonElement).addEventListener('click', () => {
  apiKey.clear();
  clearError();
  selectClass(null);
  showKeyState();
  announce('Key removed from this browser.');
});

showKeyState();
if (apiKey.get()) void classes.reload();
