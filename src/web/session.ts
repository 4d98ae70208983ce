import { download, getBlob, getJson, sendJson } from './api.js';
import { byId, el, formatDate, srOnly } from './dom.js';
import { announce, busy } from './feedback.js';
import { PhotoFigure, recognisedFace, reviewedFace } from './photo.js';
import { ReviewPanel } from './review.js';
import type { AttendanceRow, AttendanceStatus, Recognition, SessionDetail } from './types.js';

const isPresent = (s: AttendanceStatus) => s === 'present' || s === 'late';

function detail(r: AttendanceRow): string {
  const parts: string[] = [];
  if (r.status === 'late' || r.status === 'excused') parts.push(r.status);
  // Nobody is silently absent because the camera could not know them.
  if (!r.enrolled && r.source === 'auto') parts.push('not enrolled: mark by hand');
  if (r.source === 'manual') parts.push('corrected');
  else if (r.source === 'review') parts.push('named in review');
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
  private readonly photos = byId('session-photos', HTMLDivElement);
  /** The session's photos as drawn, by photo id: the teacher's own upload, or the stored photo. */
  private readonly figures = new Map<string, PhotoFigure>();
  private readonly review = new ReviewPanel(async (focusAfter, message) => {
    const id = this.current?.id;
    if (!id) return;
    await this.open(id);
    await this.changed();
    if (!focusAfter || !this.review.focus(focusAfter)) byId('review-heading', HTMLHeadingElement).focus();
    announce(message);
  });

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
    this.figures.clear();
    this.photos.replaceChildren();
  }

  /** A photo the teacher just sent, drawn from its recognition before the session is (re)loaded. */
  async addPhoto(file: File, r: Recognition): Promise<void> {
    const figure = await PhotoFigure.create(file, r.image, r.faces.map(recognisedFace), this.photos.childElementCount + 1, r.warnings, (x, y) => this.pick(r.photo_id, x, y), r.video ?? null);
    if (r.photo_id) this.figures.set(r.photo_id, figure);
    this.photos.append(figure.element);
  }

  /** A click on the picture: an unnamed face opens its review, a named one says who it is. */
  private pick(photoId: string | null, x: number, y: number): void {
    const d = this.current?.detections.find((f) => f.photo_id === photoId && x >= f.box.x && x <= f.box.x + f.box.width && y >= f.box.y && y <= f.box.y + f.box.height);
    if (!d || this.review.focus(d.id)) return;
    announce(d.student_id ? `This face is ${d.name ?? d.student_id}.` : 'This face was marked as not a student.');
  }

  /** Draws each photo's boxes as reviewed; photos not sent from this page are fetched when stored (STORE_PHOTOS=true). */
  private async drawPhotos(s: SessionDetail): Promise<void> {
    for (const [i, p] of s.photos.entries()) {
      const dets = s.detections.filter((d) => d.photo_id === p.id);
      let figure = this.figures.get(p.id);
      if (!figure && p.stored) {
        const blob = await getBlob(`/api/v1/sessions/${encodeURIComponent(s.id)}/photos/${encodeURIComponent(p.id)}`).catch(() => null);
        if (!blob) continue;
        figure = await PhotoFigure.create(blob, p, [], i + 1, [], (x, y) => this.pick(p.id, x, y));
        this.figures.set(p.id, figure);
        this.photos.append(figure.element);
      }
      if (figure) figure.draw(dets.map((d, j) => reviewedFace(d, figure!.drawn[j])));
    }
  }

  /** Loads (or reloads) a session; `focusStudent` gets focus back after a correction re-renders. */
  async open(id: string, focusStudent?: string): Promise<void> {
    const s = await busy('Loading the attendance…', this.section, () => getJson<SessionDetail>(`/api/v1/sessions/${encodeURIComponent(id)}`));
    if (!s) return;
    this.current = s;
    this.render(s);
    await this.drawPhotos(s);
    this.review.render(s, this.figures);
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
