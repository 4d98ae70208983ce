import { el } from './dom.js';
import type { Face, Recognition } from './types.js';

/** The colours of the server's annotated JPEG: green named, red unknown, amber needs review. */
const STYLE: Record<Face['status'], { stroke: string; text: string }> = {
  matched: { stroke: '#1a7f37', text: '#ffffff' },
  unknown: { stroke: '#cf222e', text: '#ffffff' },
  ambiguous: { stroke: '#f0b400', text: '#1f2328' },
};

/** Big phone photos are drawn smaller: the boxes stay readable and the canvas stays cheap. */
const MAX_CANVAS_WIDTH = 1600;

const labelOf = (f: Face): string =>
  f.status === 'matched' && f.student
    ? f.student.name
    : f.status === 'ambiguous'
      ? 'Needs review'
      : f.reason === 'too_small'
        ? 'Too small'
        : 'Unknown';

/** Boxes and names over a picture drawn at `scale` times the server's pixel size. */
export function drawFaces(ctx: CanvasRenderingContext2D, faces: Face[], scale: number): void {
  const line = Math.max(2, Math.round(ctx.canvas.width / 400));
  const fontPx = Math.max(12, Math.round(ctx.canvas.width / 60));
  ctx.font = `${fontPx}px system-ui, sans-serif`;
  ctx.textBaseline = 'top';
  for (const f of faces) {
    const { stroke, text } = STYLE[f.status];
    const [x, y, w, h] = [f.box.x * scale, f.box.y * scale, f.box.width * scale, f.box.height * scale];
    ctx.lineWidth = line;
    ctx.strokeStyle = stroke;
    ctx.strokeRect(x, y, w, h);
    // fillText draws pixels, never markup: names need no escaping here.
    const label = labelOf(f);
    const pad = Math.round(fontPx / 4);
    const boxW = ctx.measureText(label).width + 2 * pad;
    const boxH = fontPx + 2 * pad;
    const top = y >= boxH ? y - boxH : y + h;
    ctx.fillStyle = stroke;
    ctx.fillRect(x, top, boxW, boxH);
    ctx.fillStyle = text;
    ctx.fillText(label, x + pad, top + pad);
  }
}

function caption(r: Recognition, n: number): string {
  const count = (s: Face['status']) => r.faces.filter((f) => f.status === s).length;
  const what = r.video ? `Clip ${n} (${r.video.duration_s} s): ${r.faces.length} people` : `Photo ${n}: ${r.faces.length} faces`;
  return `${what} — ${count('matched')} named, ${count('unknown')} unknown, ${count('ambiguous')} need review`;
}

/**
 * The photo the teacher just sent, with the boxes of the JSON answer drawn on a canvas: no second
 * upload for an annotated JPEG. Boxes are in the EXIF-upright pixel space, which is also how
 * browsers decode the file, so the image is drawn at the server's reported size.
 */
export async function photoFigure(file: File, r: Recognition, n: number): Promise<HTMLElement> {
  const text = caption(r, n);
  const figure = el('figure', { class: 'photo' });
  // Advice about the photo itself (e.g. "send the original photo") comes before it.
  for (const w of r.warnings) figure.append(el('p', { class: 'warning', role: 'note' }, w.message));
  // A clip's boxes belong to different frames: the caption says what was found.
  if (r.video) {
    figure.append(el('figcaption', {}, text));
    return figure;
  }
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    figure.append(el('figcaption', {}, `${text} (this browser cannot display this image format)`));
    return figure;
  }
  const scale = Math.min(1, MAX_CANVAS_WIDTH / r.image.width);
  const canvas = el('canvas', { role: 'img', 'aria-label': `${text}: ${r.faces.map(labelOf).join(', ') || 'no faces'}` });
  canvas.width = Math.round(r.image.width * scale);
  canvas.height = Math.round(r.image.height * scale);
  const ctx = canvas.getContext('2d');
  if (ctx) {
    ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    drawFaces(ctx, r.faces, scale);
  }
  bitmap.close();
  figure.append(canvas, el('figcaption', {}, text));
  return figure;
}
