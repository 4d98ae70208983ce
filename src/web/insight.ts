import type { Chart as ChartType, ChartConfiguration } from 'chart.js';
import { getJson } from './api.js';
import { byId, el, formatDate } from './dom.js';
import { announce, busy } from './feedback.js';
import type { AttendanceStatus, ClassStats } from './types.js';

/** Chart.js's UMD build (index.html loads /web/chartjs.js before this module) registers every chart type. */
declare const Chart: new (canvas: HTMLCanvasElement, config: ChartConfiguration) => ChartType;

const LETTER: Record<AttendanceStatus, string> = { present: 'P', late: 'L', absent: 'A', excused: 'E' };
const percent = (r: number | null) => (r === null ? '—' : `${Math.round(r * 100)}%`);
const shortDate = (iso: string) => new Date(iso).toLocaleDateString(undefined, { month: 'short', day: 'numeric' });

/**
 * The insight screen: a class's attendance at a glance, from GET /api/v1/classes/:id/stats (the same numbers
 * as the class export). Each chart has its data as a table beside it, and an aria-label summary.
 */
export class InsightView {
  private readonly section = byId('insight-section', HTMLElement);
  private readonly body = byId('insight', HTMLDivElement);
  private charts: ChartType[] = [];

  constructor(private readonly classId: () => string | null) {
    byId('insight-load', HTMLButtonElement).addEventListener('click', () => void this.load());
  }

  /** A class change hides the previous class's charts. */
  reset(): void {
    for (const c of this.charts) c.destroy();
    this.charts = [];
    this.body.hidden = true;
  }

  async load(): Promise<void> {
    const id = this.classId();
    if (!id) return;
    const stats = await busy('Loading attendance…', this.section, () => getJson<ClassStats>(`/api/v1/classes/${encodeURIComponent(id)}/stats`));
    if (!stats) return;
    this.reset();
    this.render(stats);
    this.body.hidden = false;
    announce(byId('insight-summary', HTMLParagraphElement).textContent ?? '');
  }

  private render(s: ClassStats): void {
    const flagged = s.students.filter((st) => st.chronically_absent);
    byId('insight-summary', HTMLParagraphElement).textContent =
      `${s.sessions.length} session(s), overall attendance ${percent(s.totals.rate)}; ` +
      `${flagged.length} student(s) under ${Math.round(s.chronic_absence_rate * 100)}% (chronically absent)` +
      (flagged.length ? `: ${flagged.map((st) => st.name).join(', ')}.` : '.');

    const rateCanvas = byId('rate-chart', HTMLCanvasElement);
    rateCanvas.setAttribute('aria-label', `Line chart of attendance per session: ${s.sessions.map((x) => `${shortDate(x.taken_at)} ${percent(x.rate)}`).join(', ') || 'no sessions'}`);
    this.charts.push(
      new Chart(rateCanvas, {
        type: 'line',
        data: {
          labels: s.sessions.map((x) => shortDate(x.taken_at)),
          datasets: [{ label: 'Attendance %', data: s.sessions.map((x) => (x.rate === null ? null : Math.round(x.rate * 1000) / 10)), borderColor: '#0550ae', backgroundColor: '#0550ae' }],
        },
        options: { animation: false, maintainAspectRatio: false, scales: { y: { min: 0, max: 100, title: { display: true, text: '%' } } } },
      }),
    );
    byId('rate-rows', HTMLTableSectionElement).replaceChildren(
      ...s.sessions.map((x) =>
        el('tr', {}, el('th', { scope: 'row' }, formatDate(x.taken_at)), el('td', {}, String(x.present + x.late)), el('td', {}, String(x.absent)), el('td', {}, String(x.excused)), el('td', {}, percent(x.rate))),
      ),
    );

    const studentsCanvas = byId('students-chart', HTMLCanvasElement);
    studentsCanvas.setAttribute('aria-label', `Bar chart of each student's attendance: ${s.students.map((st) => `${st.name} ${percent(st.rate)}${st.chronically_absent ? ' (chronically absent)' : ''}`).join(', ') || 'no students'}`);
    this.charts.push(
      new Chart(studentsCanvas, {
        type: 'bar',
        data: {
          labels: s.students.map((st) => st.name),
          datasets: [
            {
              label: 'Attendance %',
              data: s.students.map((st) => (st.rate === null ? null : Math.round(st.rate * 1000) / 10)),
              // Red under the chronic-absence line; the table and label say it in words too.
              backgroundColor: s.students.map((st) => (st.chronically_absent ? '#cf222e' : '#1a7f37')),
            },
          ],
        },
        options: { indexAxis: 'y', animation: false, maintainAspectRatio: false, scales: { x: { min: 0, max: 100 } }, plugins: { legend: { display: false } } },
      }),
    );
    byId('student-rows', HTMLTableSectionElement).replaceChildren(
      ...s.students.map((st) =>
        el(
          'tr',
          {},
          el('th', { scope: 'row' }, `${st.name} (${st.student_id})`),
          el('td', {}, String(st.sessions)),
          el('td', {}, String(st.present + st.late)),
          el('td', {}, percent(st.rate)),
          el('td', {}, st.chronically_absent ? el('span', { class: 'flag' }, 'Chronically absent') : ''),
        ),
      ),
    );

    byId('calendar-head', HTMLTableRowElement).replaceChildren(el('th', { scope: 'col' }, 'Student'), ...s.sessions.map((x) => el('th', { scope: 'col' }, shortDate(x.taken_at))));
    byId('calendar-rows', HTMLTableSectionElement).replaceChildren(
      ...s.students.map((st) =>
        el(
          'tr',
          {},
          el('th', { scope: 'row' }, st.name),
          ...st.statuses.map((status) => (status ? el('td', { class: status, title: status }, LETTER[status]) : el('td', {}, '—'))),
        ),
      ),
    );
  }
}
