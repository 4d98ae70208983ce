import { download, getJson } from './api.js';
import { byId, el, formatDate, srOnly } from './dom.js';
import { announce, busy } from './feedback.js';
import type { SessionSummary } from './types.js';

/** Insight: the class's sessions (open one to correct it, or export it) and the class matrix. */
export class SessionsList {
  private readonly section = byId('sessions-section', HTMLElement);
  private classId: string | null = null;

  constructor(private readonly openSession: (id: string) => Promise<void>) {
    byId('matrix-xlsx', HTMLButtonElement).addEventListener('click', () => void this.export('xlsx'));
    byId('matrix-csv', HTMLButtonElement).addEventListener('click', () => void this.export('csv'));
  }

  async load(classId: string): Promise<void> {
    this.classId = classId;
    const list = await busy('Loading sessions…', this.section, () => getJson<SessionSummary[]>(`/api/v1/classes/${encodeURIComponent(classId)}/sessions`));
    if (!list) return;
    // Newest first: the lesson the teacher is most likely to correct.
    const rows = [...list].reverse().map((s) => this.row(s));
    byId('sessions-rows', HTMLTableSectionElement).replaceChildren(...rows);
    byId('sessions-table', HTMLTableElement).hidden = rows.length === 0;
    byId('no-sessions', HTMLParagraphElement).hidden = rows.length > 0;
  }

  private row(s: SessionSummary): HTMLTableRowElement {
    // The date itself is the "open" button: one column less, so the table fits a phone.
    const open = el('button', { type: 'button', class: 'link' }, srOnly('Open the session of '), formatDate(s.taken_at));
    open.addEventListener('click', () => void this.openSession(s.id));
    const cells = [s.present, s.absent, s.unknown_faces, s.photos].map((n) => el('td', {}, String(n)));
    return el('tr', {}, el('th', { scope: 'row' }, open), ...cells);
  }

  private async export(format: 'xlsx' | 'csv'): Promise<void> {
    const id = this.classId;
    if (!id) return;
    const name = await busy('Preparing the export…', this.section, () => download(`/api/v1/classes/${encodeURIComponent(id)}/attendance.${format}`));
    if (name) announce(`Downloaded ${name}.`);
  }
}
