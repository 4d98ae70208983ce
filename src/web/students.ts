import { ApiError, getJson, upload } from './api.js';
import { byId, el } from './dom.js';
import { announce, busy } from './feedback.js';
import { consentControls } from './consent.js';
import type { EnrolReport, EnrolResult, Student } from './types.js';

const facesText = (n: number) => (n === 1 ? '1 face enrolled' : `${n} faces enrolled`);

const resultItem = (r: EnrolResult): HTMLLIElement =>
  r.status === 'enrolled'
    ? el('li', { class: 'ok' }, `${r.file}: enrolled`)
    : el('li', { class: 'bad' }, `${r.file}: rejected — ${r.message ?? r.reason ?? 'no reason given'}${r.reason ? ` (${r.reason})` : ''}`);

/** A 422 no_usable_face still carries the per-image results in its details. */
const reportOf = (e: unknown): EnrolReport | null =>
  e instanceof ApiError && e.code === 'no_usable_face' && typeof e.details === 'object' && e.details !== null && Array.isArray((e.details as EnrolReport).results)
    ? (e.details as EnrolReport)
    : null;

/** One roster student: face count, a file picker and a drop zone for enrolment photos. */
function studentCard(s: Student, index: number): HTMLLIElement {
  const inputId = `enrol-file-${index}`;
  const count = el('span', { class: 'faces' }, facesText(s.faces));
  const input = el('input', { id: inputId, type: 'file', accept: 'image/*', multiple: '' });
  const results = el('ul', { class: 'results' });
  const card = el(
    'li',
    { class: 'student drop-zone' },
    el('div', { class: 'who' }, el('strong', {}, s.name), ' ', el('span', { class: 'id' }, s.student_id), ' · ', count),
    consentControls(s, () => {
      s.faces = 0;
      count.textContent = facesText(0);
      results.replaceChildren();
    }),
    el('label', { for: inputId }, `Add photos of ${s.name}`),
    input,
    el('p', { class: 'hint' }, 'or drop photos on this card'),
    results,
  );

  function show(r: EnrolReport): void {
    s.faces += r.enrolled;
    count.textContent = facesText(s.faces);
    results.replaceChildren(...r.results.map(resultItem));
    announce(`${s.name}: ${r.enrolled} of ${r.results.length} photo(s) enrolled.`);
  }

  async function enrol(files: File[]): Promise<void> {
    if (files.length === 0) return;
    const body = new FormData();
    for (const f of files) body.append('images', f);
    const report = await busy(`Enrolling ${files.length} photo(s) of ${s.name}…`, card, async (progress) => {
      try {
        return await upload<EnrolReport>(`/api/v1/students/${encodeURIComponent(s.student_id)}/faces`, body, (sent) =>
          progress(sent, sent === null ? `Finding the face in each photo of ${s.name}…` : undefined),
        );
      } catch (e) {
        const partial = reportOf(e);
        if (partial) show(partial);
        throw e;
      }
    });
    input.value = '';
    if (report) show(report);
  }

  input.addEventListener('change', () => void enrol([...(input.files ?? [])]));
  card.addEventListener('dragover', (ev) => {
    ev.preventDefault();
    card.classList.add('dragging');
  });
  card.addEventListener('dragleave', () => card.classList.remove('dragging'));
  card.addEventListener('drop', (ev) => {
    ev.preventDefault();
    card.classList.remove('dragging');
    void enrol([...(ev.dataTransfer?.files ?? [])]);
  });
  return card;
}

/** Setup: the class roster, one card per student. */
export async function loadStudents(classId: string): Promise<Student[]> {
  const list = byId('student-list', HTMLUListElement);
  const students = (await busy('Loading the roster…', list, () => getJson<Student[]>(`/api/v1/classes/${encodeURIComponent(classId)}/students`))) ?? [];
  list.replaceChildren(...students.map(studentCard));
  byId('no-students', HTMLParagraphElement).hidden = students.length > 0;
  return students;
}
