import { setupAccount } from './account.js';
import { setupAdmin } from './admin.js';
import { setupAttendance } from './attendance.js';
import { setupLive } from './live.js';
import { setupClasses } from './classes.js';
import { byId } from './dom.js';
import { setupRoster } from './roster.js';
import { InsightView } from './insight.js';
import { setupScreens } from './screens.js';
import { SessionView } from './session.js';
import { SessionsList } from './sessions.js';
import { loadStudents } from './students.js';
import type { ClassInfo, Me } from './types.js';

// The page's entry point (index.html loads it as a module): wires the steps together around the
// selected class.

let current: ClassInfo | null = null;
const screens = setupScreens();
const classId = () => current?.id ?? null;

const view = new SessionView(() => refreshSessions());
const sessions = new SessionsList(async (id) => {
  view.close();
  await view.open(id);
  screens.show('lesson');
  byId('session-section', HTMLElement).scrollIntoView({ block: 'start' });
});
const insight = new InsightView(() => classId());
const refreshSessions = async () => {
  if (current) await sessions.load(current.id);
};
const refreshStudents = async () => {
  if (current) await loadStudents(current.id);
};

function selectClass(c: ClassInfo | null): void {
  current = c;
  view.close();
  insight.reset();
  for (const s of document.querySelectorAll<HTMLElement>('.needs-class')) s.hidden = c === null;
  for (const s of document.querySelectorAll<HTMLElement>('.class-name')) s.textContent = c ? `${c.code} — ${c.name}` : '';
  if (c) void refreshStudents().then(refreshSessions);
}

let isAdmin = false;
const admin = setupAdmin();
const classes = setupClasses(selectClass, (list) => {
  if (isAdmin) void admin.load(list);
});
setupRoster(classId, refreshStudents);
setupAttendance(classId, view, refreshSessions);
setupLive(classId, view, refreshSessions);

const account = setupAccount(
  (me: Me) => {
    isAdmin = me.role === 'admin';
    for (const s of document.querySelectorAll<HTMLElement>('.admin-only')) s.hidden = !isAdmin;
    // Every sign-in starts where a lesson does.
    screens.show('lesson');
    void classes.reload();
  },
  () => {
    isAdmin = false;
    selectClass(null);
  },
);
void account.start();
