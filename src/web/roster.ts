import { ApiError, upload } from './api.js';
import { byId, el } from './dom.js';
import { announce, busy } from './feedback.js';
import type { RosterProblem, RosterReport } from './types.js';

const isProblem = (d: unknown): d is RosterProblem =>
  typeof d === 'object' && d !== null && typeof (d as RosterProblem).row === 'number' && typeof (d as RosterProblem).problem === 'string';

/**
 * Setup: roster upload. A 422 invalid_roster lists its problems by sheet row in a table (the
 * message alone cannot say which of 30 rows is wrong); nothing was imported in that case.
 */
export function setupRoster(classId: () => string | null, imported: () => Promise<void>): void {
  const form = byId('roster-form', HTMLFormElement);
  const input = byId('roster-file', HTMLInputElement);
  const table = byId('roster-errors', HTMLTableElement);
  const rows = byId('roster-error-rows', HTMLTableSectionElement);

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const id = classId();
    const file = input.files?.[0];
    if (!id || !file) return;
    table.hidden = true;
    const body = new FormData();
    body.append('file', file);
    const report = await busy('Importing the roster…', form, async (progress) => {
      try {
        return await upload<RosterReport>(`/api/v1/classes/${encodeURIComponent(id)}/roster`, body, (sent) => progress(sent, sent === null ? 'Checking the roster…' : undefined));
      } catch (e) {
        if (e instanceof ApiError && e.code === 'invalid_roster' && Array.isArray(e.details)) showProblems(e.details.filter(isProblem));
        throw e;
      }
    });
    if (!report) return;
    form.reset();
    await imported();
    announce(`Roster imported: ${report.added} added, ${report.updated} updated, ${report.removed} removed; ${report.total} students in the class.`);
  });

  function showProblems(problems: RosterProblem[]): void {
    rows.replaceChildren(...problems.map((p) => el('tr', {}, el('td', {}, String(p.row)), el('td', {}, p.column), el('td', {}, p.problem))));
    table.hidden = problems.length === 0;
  }
}
