import { ApiError, sendJson } from './api.js';
import { byId, el, srOnly } from './dom.js';
import { announce, busy } from './feedback.js';
import type { PhotoFigure } from './photo.js';
import type { AttendanceRow, Detection, SessionDetail } from './types.js';

const CROP_PX = 96;
const pct = (x: number) => x.toFixed(2);

/** The faces a photo could not name, each with its crop, candidates, a roster search and "Not a student". */
export const needsReview = (d: Detection) => d.student_id === null && !d.reviewed;

/**
 * The review panel of the open session. Naming a face makes the student present (source review)
 * and, with the box ticked, teaches Rollcall the face; both go through
 * POST /api/v1/sessions/:id/detections/:detectionId. `reviewed` reloads the session.
 */
export class ReviewPanel {
  private readonly section = byId('review-section', HTMLElement);
  private readonly list = byId('review-list', HTMLOListElement);
  private readonly options = byId('roster-options', HTMLDataListElement);
  private roster: AttendanceRow[] = [];

  constructor(private readonly reviewed: (focusAfter: string | null, message: string) => Promise<void>) {}

  render(s: SessionDetail, figures: Map<string, PhotoFigure>): void {
    this.roster = s.attendance;
    this.options.replaceChildren(...s.attendance.map((r) => el('option', { value: `${r.name} (${r.student_id})` })));
    const open = s.detections.filter(needsReview);
    const photoNo = new Map(s.photos.map((p, i) => [p.id, i + 1]));
    byId('review-count', HTMLSpanElement).textContent = String(open.length);
    byId('review-none', HTMLParagraphElement).hidden = open.length > 0;
    this.list.replaceChildren(...open.map((d, i) => this.item(s.id, d, i + 1, photoNo.get(d.photo_id) ?? 0, figures.get(d.photo_id))));
    this.section.hidden = s.detections.length === 0;
  }

  /** Focuses a face's panel (a click on its box); false when the face needs no review. */
  focus(detectionId: string): boolean {
    const item = this.list.querySelector<HTMLElement>(`li[data-detection="${CSS.escape(detectionId)}"]`);
    if (!item) return false;
    item.scrollIntoView({ block: 'center' });
    item.querySelector<HTMLElement>('button, input')?.focus();
    return true;
  }

  private item(sessionId: string, d: Detection, n: number, photo: number, figure: PhotoFigure | undefined): HTMLLIElement {
    const what = d.status === 'ambiguous' ? 'Needs review' : 'Unknown';
    const headingId = `face-${d.id}-heading`;
    const li = el('li', { class: `review-face ${d.status}`, 'data-detection': d.id, 'aria-labelledby': headingId });
    const crop = figure?.crop(d.box, CROP_PX, `Face ${n}, photo ${photo}`);
    const learnId = `face-${d.id}-learn`;
    const learn = el('input', { type: 'checkbox', id: learnId });
    learn.checked = d.learnable;
    learn.disabled = !d.learnable;
    const learnWho = el('span', {}, 'the student you name');
    const learnHint = d.learnable
      ? ''
      : d.quality_reasons.length
        ? ` (not possible: ${d.quality_reasons.join(', ')})`
        : ' (not possible: this face is too small or its data has expired)';
    const assign = (studentId: string) => void this.assign(sessionId, d, studentId, learn);

    const candidates = d.candidates
      .map((c) => ({ c, row: this.roster.find((r) => r.student_id === c.student_id) }))
      .filter((x) => x.row)
      .map(({ c, row }) => {
        const b = el('button', { type: 'button', class: 'secondary' }, `${row!.name}`, el('span', { class: 'sim' }, ` ${pct(c.similarity)}`), srOnly(' similarity'));
        b.addEventListener('click', () => assign(c.student_id));
        b.addEventListener('focus', () => (learnWho.textContent = row!.name));
        return el('li', {}, b);
      });

    const searchId = `face-${d.id}-search`;
    const search = el('input', { type: 'search', id: searchId, list: 'roster-options', autocomplete: 'off', placeholder: 'Name or ID' });
    search.addEventListener('input', () => (learnWho.textContent = this.find(search.value)?.name ?? 'the student you name'));
    const form = el('form', { class: 'row' }, el('label', { for: searchId }, 'Someone else'), search, el('button', { type: 'submit' }, 'Assign', srOnly(` face ${n}`)));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const row = this.find(search.value);
      if (row) assign(row.student_id);
      else announce(`No student in this class matches "${search.value}".`);
    });
    const dismiss = el('button', { type: 'button', class: 'secondary' }, 'Not a student', srOnly(` (face ${n})`));
    dismiss.addEventListener('click', () => void this.dismiss(sessionId, d, n));

    li.append(
      crop ?? el('span', { class: 'crop none' }, 'No picture'),
      el(
        'div',
        { class: 'review-body' },
        el('h4', { id: headingId }, `Face ${n} — ${what}`, el('span', { class: 'hint' }, ` (photo ${photo})`)),
        candidates.length ? el('p', { class: 'hint' }, 'Closest students (similarity):') : el('p', { class: 'hint' }, 'No enrolled student resembles this face.'),
        candidates.length ? el('ul', { class: 'candidates' }, ...candidates) : '',
        form,
        el('p', { class: 'learn' }, learn, el('label', { for: learnId }, 'Use this face to recognise ', learnWho, learnHint)),
        dismiss,
      ),
    );
    return li;
  }

  /** "Ada Lovelace (S1001)" from the list, an ID, or a name (any case). */
  private find(text: string): AttendanceRow | undefined {
    const t = text.trim().toLowerCase();
    if (!t) return undefined;
    return this.roster.find((r) => `${r.name} (${r.student_id})`.toLowerCase() === t || r.student_id.toLowerCase() === t || r.name.toLowerCase() === t);
  }

  private path(sessionId: string, d: Detection): string {
    return `/api/v1/sessions/${encodeURIComponent(sessionId)}/detections/${encodeURIComponent(d.id)}`;
  }

  private async assign(sessionId: string, d: Detection, studentId: string, learn: HTMLInputElement): Promise<void> {
    const name = this.roster.find((r) => r.student_id === studentId)?.name ?? studentId;
    let refused = false;
    const done = await busy(`Naming ${name}…`, this.list, async () => {
      try {
        return await sendJson<{ learned: boolean }>('POST', this.path(sessionId, d), { student_id: studentId, learn: learn.checked });
      } catch (e) {
        // Learning refused (look-alike, expired): the box is unticked so the next click names without learning.
        refused = e instanceof ApiError && ['looks_like', 'embedding_expired', 'low_quality', 'face_too_small'].includes(e.code);
        throw e;
      }
    });
    if (refused) learn.checked = false;
    if (!done) return;
    await this.reviewed(this.next(d), `${name} marked present${done.learned ? '; Rollcall will use this face to recognise them' : ''}.`);
  }

  private async dismiss(sessionId: string, d: Detection, n: number): Promise<void> {
    const done = await busy('Dismissing the face…', this.list, () => sendJson('POST', this.path(sessionId, d), { dismiss: true }));
    if (done) await this.reviewed(this.next(d), `Face ${n} marked as not a student.`);
  }

  /** The face to focus after this one is settled: the next in the list, or the previous. */
  private next(d: Detection): string | null {
    const items = [...this.list.querySelectorAll<HTMLElement>('li[data-detection]')].map((li) => li.dataset.detection!);
    const i = items.indexOf(d.id);
    return items[i + 1] ?? items[i - 1] ?? null;
  }
}
