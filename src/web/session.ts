import { download, getJson, sendJson } from './api.js';
import { byId, el, formatDate, srOnly } from './dom.js';
import { announce, busy } from './feedback.js';
import type { AttendanceRow, AttendanceStatus, SessionDetail } from './types.js';

const isPresent = (s: AttendanceStatus) => s === 'present' || s === 'late';

function detail(r: AttendanceRow): string {
  const parts: string[] = [];
  if (r.status === 'late' || r.status === 'excused') parts.push(r.status);
  // Nobody is silently absent because the camera could not know them.
  if (!r.enrolled && r.source === 'auto') parts.push('not enrolled: mark by hand');
  if (r.source === 'manual') parts.push('corrected');
  else if (r.similarity !== null) parts.push(`seen, similarity ${r.similarity.toFixed(2)}`);
  return parts.join(', ');
}

/**
 * The open session: present and absent lists, each student corrected with one click (PATCH, kept
 * in the server's audit log), and this session's exports. `changed` refreshes the sessions list.
 */
export class SessionView {
  private current: SessionDetail | null = null;
  private readonly section = byId('session-section', HTMLElement);

  constructor(private readonly changed: () => Promise<void>) {
    byId('session-xlsx', HTMLButtonElement).addEventListener('click', () => void this.export('xlsx'));
    byId('session-csv', HTMLButtonElement).addEventListener('click', () => void this.export('csv'));
  }

  get id(): string | null {
    return this.current?.id ?? null;
  }

  close(): void {
    this.current = null;
    this.section.hidden = true;
    byId('session-photos', HTMLDivElement).replaceChildren();
  }

  /** Loads (or reloads) a session; `focusStudent` gets focus back after a correction re-renders. */
  async open(id: string, focusStudent?: string): Promise<void> {
    const s = await busy('Loading the attendance…', this.section, () => getJson<SessionDetail>(`/api/v1/sessions/${encodeURIComponent(id)}`));
    if (!s) return;
    this.current = s;
    this.render(s);
    this.section.hidden = false;
    if (focusStudent) this.section.querySelector<HTMLButtonElement>(`button[data-student="${CSS.escape(focusStudent)}"]`)?.focus();
  }

  private render(s: SessionDetail): void {
    const present = s.attendance.filter((r) => isPresent(r.status));
    const absent = s.attendance.filter((r) => !isPresent(r.status));
    byId('session-when', HTMLSpanElement).textContent = formatDate(s.taken_at);
    byId('session-summary', HTMLParagraphElement).textContent =
      `${present.length} present, ${absent.length} absent, ${s.unknown_faces} unknown face(s), ${s.photos.length} photo(s).`;
    byId('present-count', HTMLSpanElement).textContent = String(present.length);
    byId('absent-count', HTMLSpanElement).textContent = String(absent.length);
    byId('present-list', HTMLUListElement).replaceChildren(...present.map((r) => this.row(r)));
    byId('absent-list', HTMLUListElement).replaceChildren(...absent.map((r) => this.row(r)));
  }

  private row(r: AttendanceRow): HTMLLIElement {
    const to: AttendanceStatus = isPresent(r.status) ? 'absent' : 'present';
    const button = el('button', { type: 'button', 'data-student': r.student_id }, `Mark ${to}`, srOnly(` (${r.name})`));
    button.addEventListener('click', () => void this.correct(r, to));
    return el(
      'li',
      { class: `attendance ${r.status}` },
      el('span', { class: 'who' }, el('strong', {}, r.name), ' ', el('span', { class: 'id' }, r.student_id)),
      el('span', { class: 'detail' }, detail(r)),
      button,
    );
  }

  private async correct(r: AttendanceRow, status: AttendanceStatus): Promise<void> {
    const id = this.current?.id;
    if (!id) return;
    const path = `/api/v1/sessions/${encodeURIComponent(id)}/attendance/${encodeURIComponent(r.student_id)}`;
    const done = await busy(`Marking ${r.name} ${status}…`, this.section, () => sendJson('PATCH', path, { status }));
    if (done === undefined) return;
    await this.open(id, r.student_id);
    await this.changed();
    // Last, so the reloads' own "Loading…" messages do not replace it.
    announce(`${r.name} marked ${status}.`);
  }

  private async export(format: 'xlsx' | 'csv'): Promise<void> {
    const id = this.current?.id;
    if (!id) return;
    const name = await busy('Preparing the export…', this.section, () => download(`/api/v1/sessions/${encodeURIComponent(id)}/attendance.${format}`));
    if (name) announce(`Downloaded ${name}.`);
  }
}
