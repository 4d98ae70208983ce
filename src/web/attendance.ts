import { upload } from './api.js';
import { byId } from './dom.js';
import { announce, busy, type Progress } from './feedback.js';
import type { SessionView } from './session.js';
import type { Recognition } from './types.js';

/**
 * Sends one photo: the first of a lesson creates the session (record=true), later ones join it.
 * The JSON answer is drawn on a canvas (SessionView.addPhoto), so the photo is uploaded only once.
 */
export function recognise(file: Blob, classId: string, sessionId: string | null, label: string, progress: Progress, live = false): Promise<Recognition> {
  const body = new FormData();
  body.append('file', file, file instanceof File ? file.name : 'frame.jpg');
  if (live) body.append('live', 'true');
  const onSent = (sent: number | null) => progress(sent, sent === null ? `Recognising faces in ${label}…` : undefined);
  progress(0, `Uploading ${label}…`);
  if (sessionId) return upload(`/api/v1/sessions/${encodeURIComponent(sessionId)}/photos`, body, onSent);
  body.append('class_id', classId);
  body.append('record', 'true');
  return upload('/api/v1/recognitions', body, onSent);
}

/** The lesson screen: take attendance from one or more photos, and add photos to the open session. */
export function setupAttendance(classId: () => string | null, view: SessionView, changed: () => Promise<void>): void {
  async function send(form: HTMLFormElement, input: HTMLInputElement, sessionId: string | null): Promise<void> {
    const cls = classId();
    const files = [...(input.files ?? [])];
    if (!cls || files.length === 0) return;
    // A new lesson starts with an empty photo area.
    if (!sessionId) view.close();
    let id = sessionId;
    const ok = await busy('Uploading…', form, async (progress) => {
      for (const [i, file] of files.entries()) {
        const r = await recognise(file, cls, id, files.length > 1 ? `photo ${i + 1} of ${files.length}` : 'the photo', progress);
        id = r.session_id;
        await view.addPhoto(file, r);
      }
      return true;
    });
    form.reset();
    // A failure on a later photo still leaves the session of the earlier ones worth showing.
    if (!id) return;
    await view.open(id);
    await changed();
    if (ok) announce(`Attendance taken: ${byId('session-summary', HTMLParagraphElement).textContent ?? ''}`);
  }

  const takeForm = byId('take-form', HTMLFormElement);
  takeForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void send(takeForm, byId('take-file', HTMLInputElement), null);
  });
  const addForm = byId('add-photo-form', HTMLFormElement);
  addForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void send(addForm, byId('add-photo-file', HTMLInputElement), view.id);
  });
}
