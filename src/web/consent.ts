import { sendJson } from './api.js';
import { el, srOnly } from './dom.js';
import { announce, busy } from './feedback.js';
import type { ConsentRecorded, ConsentState, Student } from './types.js';

const STATE_TEXT: Record<ConsentState, string> = {
  granted: 'Consent: given',
  refused: 'Consent: refused',
  unknown: 'Consent: not recorded',
};

/**
 * The student's biometric consent and two buttons to record it. Refusing erases the student's
 * enrolled faces on the server, so it asks first. `erased` tells the card its faces are gone.
 */
export function consentControls(s: Student, erased: () => void): HTMLDivElement {
  const state = el('span', { class: `consent ${s.consent.state}` }, STATE_TEXT[s.consent.state]);
  const grant = el('button', { type: 'button', class: 'secondary' }, 'Consent given', srOnly(` (${s.name})`));
  const refuse = el('button', { type: 'button', class: 'secondary' }, 'Consent refused', srOnly(` (${s.name})`));
  const box = el('div', { class: 'consent-box' }, state, el('div', { class: 'row' }, grant, refuse));

  async function record(to: 'granted' | 'refused'): Promise<void> {
    if (to === 'refused' && !window.confirm(`Record that consent is refused for ${s.name}? This erases their enrolled faces now; they will be marked by hand.`)) return;
    const path = `/api/v1/students/${encodeURIComponent(s.student_id)}/consent`;
    const r = await busy(`Recording consent of ${s.name}…`, box, () => sendJson<ConsentRecorded>('POST', path, { state: to }));
    if (!r) return;
    s.consent = { state: r.state, recorded_at: r.recorded_at, recorded_by: r.recorded_by, note: r.note };
    state.className = `consent ${r.state}`;
    state.textContent = STATE_TEXT[r.state];
    if (r.erased_faces > 0) erased();
    announce(`${s.name}: ${STATE_TEXT[r.state].toLowerCase()}${r.erased_faces > 0 ? `, ${r.erased_faces} face(s) erased` : ''}.`);
  }

  grant.addEventListener('click', () => void record('granted'));
  refuse.addEventListener('click', () => void record('refused'));
  return box;
}
