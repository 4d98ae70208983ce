import { byId } from './dom.js';
import { announce, showError } from './feedback.js';
import { recognise } from './attendance.js';
import { drawFaces, recognisedFace } from './photo.js';
import type { SessionView } from './session.js';

/** About one frame a second; never more than one in flight, so a slow server lowers the rate. */
const FRAME_INTERVAL_MS = 1000;
const JPEG_QUALITY = 0.9;

/** Why the camera could not start, in words a teacher can act on. */
function cameraProblem(e: unknown): string {
  const name = e instanceof DOMException ? e.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError') return 'Camera permission was refused: allow the camera for this page (or upload a photo instead).';
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'No camera was found on this device: upload a photo instead.';
  if (name === 'NotReadableError') return 'The camera is in use by another application: close it, or upload a photo instead.';
  return 'The camera could not be started: upload a photo instead.';
}

/**
 * Live attendance: the camera (the rear one on a phone, at its full resolution) sends a frame
 * about once a second to the session; each answer's names are drawn over the live picture and
 * the roster below is reloaded, so it fills in as students are recognised. The first frame
 * creates the session, later ones join it, exactly as photos do.
 */
export function setupLive(classId: () => string | null, view: SessionView, changed: () => Promise<void>): void {
  const start = byId('live-start', HTMLButtonElement);
  const stop = byId('live-stop', HTMLButtonElement);
  const panel = byId('live', HTMLDivElement);
  const video = byId('live-video', HTMLVideoElement);
  const overlay = byId('live-overlay', HTMLCanvasElement);
  const state = byId('live-state', HTMLParagraphElement);
  let stream: MediaStream | null = null;
  let sessionId: string | null = null;

  const stopLive = async (message: string) => {
    const had = stream !== null;
    stream?.getTracks().forEach((t) => t.stop());
    stream = null;
    video.srcObject = null;
    panel.hidden = true;
    start.disabled = false;
    if (had && sessionId) await changed();
    announce(message);
  };

  async function frame(): Promise<Blob | null> {
    const canvas = document.createElement('canvas');
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext('2d')?.drawImage(video, 0, 0);
    return new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', JPEG_QUALITY));
  }

  async function loop(cls: string, own: MediaStream): Promise<void> {
    while (stream === own) {
      const began = performance.now();
      const blob = await frame();
      if (!blob || stream !== own) break;
      try {
        const r = await recognise(blob, cls, sessionId, 'the live frame', () => {}, true);
        if (stream !== own) break;
        sessionId = r.session_id;
        overlay.width = r.image.width;
        overlay.height = r.image.height;
        const ctx = overlay.getContext('2d');
        if (ctx) {
          ctx.clearRect(0, 0, overlay.width, overlay.height);
          drawFaces(ctx, r.faces.map(recognisedFace), 1);
        }
        state.textContent = `Live: ${r.present.length} named in this frame, ${r.unknown_faces} unknown.`;
        if (sessionId) await view.open(sessionId);
      } catch (e) {
        showError(e);
        await stopLive('Live attendance stopped after an error.');
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, FRAME_INTERVAL_MS - (performance.now() - began))));
    }
  }

  start.addEventListener('click', async () => {
    const cls = classId();
    if (!cls || stream) return;
    if (!navigator.mediaDevices?.getUserMedia) {
      showError(new Error('This browser gives no camera access here (it needs HTTPS): upload a photo instead'));
      return;
    }
    start.disabled = true;
    let own: MediaStream;
    try {
      // Rear camera, at the most pixels it offers: faces at the back of the room are small.
      own = await navigator.mediaDevices.getUserMedia({
        audio: false,
        video: { facingMode: { ideal: 'environment' }, width: { ideal: 4096 }, height: { ideal: 2160 } },
      });
    } catch (e) {
      start.disabled = false;
      showError(new Error(cameraProblem(e)));
      return;
    }
    stream = own;
    sessionId = null;
    view.close();
    video.srcObject = own;
    panel.hidden = false;
    await video.play();
    state.textContent = 'Live: looking for faces…';
    announce('Live attendance started.');
    void loop(cls, own);
  });
  stop.addEventListener('click', () => void stopLive('Live attendance stopped.'));
}
