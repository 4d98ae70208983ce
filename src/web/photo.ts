import { el } from './dom.js';
import type { Box, Detection, Face } from './types.js';

/** What a box on the photo shows: a recognition's face, or a detection after the teacher's review. */
export interface DrawnFace {
  box: Box;
  status: Face['status'] | 'dismissed';
  label: string;
}

/** The colours of the server's annotated JPEG: green named, red unknown, amber needs review; grey dismissed. */
const STYLE: Record<DrawnFace['status'], { stroke: string; text: string }> = {
  matched: { stroke: '#1a7f37', text: '#ffffff' },
  unknown: { stroke: '#cf222e', text: '#ffffff' },
  ambiguous: { stroke: '#f0b400', text: '#1f2328' },
  dismissed: { stroke: '#57606a', text: '#ffffff' },
};

/** Big phone photos are drawn smaller: the boxes stay readable and the canvas stays cheap. */
const MAX_CANVAS_WIDTH = 1600;

export const recognisedFace = (f: Face): DrawnFace => ({
  box: f.box,
  status: f.status,
  label:
    f.status === 'matched' && f.student
      ? f.student.name
      : f.status === 'ambiguous'
        ? 'Needs review'
        : f.reason === 'too_small'
          ? 'Too small'
          : 'Unknown',
});

/** A reviewed detection replaces what recognition drew; an unreviewed one keeps it (e.g. "Too small"). */
export function reviewedFace(d: Detection, before: DrawnFace | undefined): DrawnFace {
  if (d.student_id) return { box: d.box, status: 'matched', label: d.name ?? d.student_id };
  if (d.review?.action === 'dismissed') return { box: d.box, status: 'dismissed', label: 'Not a student' };
  return before ?? { box: d.box, status: d.status, label: d.status === 'ambiguous' ? 'Needs review' : 'Unknown' };
}

/** Boxes and names over a picture drawn at `scale` times the server's pixel size. */
export function drawFaces(ctx: CanvasRenderingContext2D, faces: DrawnFace[], scale: number): void {
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
    const pad = Math.round(fontPx / 4);
    const boxW = ctx.measureText(f.label).width + 2 * pad;
    const boxH = fontPx + 2 * pad;
    const top = y >= boxH ? y - boxH : y + h;
    ctx.fillStyle = stroke;
    ctx.fillRect(x, top, boxW, boxH);
    ctx.fillStyle = text;
    ctx.fillText(f.label, x + pad, top + pad);
  }
}

/** A clip's answer: its length (its faces are people, each a track). */
export interface Clip {
  duration_s: number;
}

function caption(faces: DrawnFace[], n: number, clip: Clip | null): string {
  const count = (s: DrawnFace['status']) => faces.filter((f) => f.status === s).length;
  const dismissed = count('dismissed');
  const what = clip ? `Clip ${n} (${clip.duration_s} s): ${faces.length} people` : `Photo ${n}: ${faces.length} faces`;
  return (
    `${what} — ${count('matched')} named, ${count('unknown')} unknown, ${count('ambiguous')} need review` +
    (dismissed ? `, ${dismissed} not students` : '')
  );
}

/**
 * A classroom photo with its boxes drawn on a canvas, from the photo the teacher just sent (or the
 * stored one): no second upload for an annotated JPEG. Boxes are in the EXIF-upright pixel space,
 * which is also how browsers decode the file, so the image is drawn at the server's reported size.
 * The decoded photo is kept to redraw the boxes after a review and to cut face crops.
 */
export class PhotoFigure {
  readonly element = el('figure', { class: 'photo' });
  private readonly canvas: HTMLCanvasElement | null = null;
  private readonly text = el('figcaption', {});
  private readonly scale: number;

  private constructor(
    private readonly bitmap: ImageBitmap | null,
    image: { width: number; height: number },
    private faces: DrawnFace[],
    private readonly n: number,
    warnings: { message: string }[],
    onPick: (x: number, y: number) => void,
    private readonly clip: Clip | null,
  ) {
    // Advice about the photo itself (e.g. "send the original photo") comes before it.
    for (const w of warnings) this.element.append(el('p', { class: 'warning', role: 'note' }, w.message));
    this.scale = Math.min(1, MAX_CANVAS_WIDTH / image.width);
    if (bitmap) {
      const canvas = el('canvas', { role: 'img' });
      canvas.width = Math.round(image.width * this.scale);
      canvas.height = Math.round(image.height * this.scale);
      // A click on a box opens that face's review; the review list itself is the keyboard path.
      canvas.addEventListener('click', (ev) => {
        const r = canvas.getBoundingClientRect();
        onPick(((ev.clientX - r.left) * (canvas.width / r.width)) / this.scale, ((ev.clientY - r.top) * (canvas.height / r.height)) / this.scale);
      });
      this.canvas = canvas;
      this.element.append(canvas);
    }
    this.element.append(this.text);
    this.draw(faces);
  }

  /** A clip is shown as its caption only: its boxes belong to different frames. */
  static async create(
    source: Blob,
    image: { width: number; height: number },
    faces: DrawnFace[],
    n: number,
    warnings: { message: string }[],
    onPick: (x: number, y: number) => void,
    clip: Clip | null = null,
  ): Promise<PhotoFigure> {
    let bitmap: ImageBitmap | null = null;
    if (!clip) {
      try {
        bitmap = await createImageBitmap(source);
      } catch {
        // Shown without the picture; the caption says why.
      }
    }
    return new PhotoFigure(bitmap, image, faces, n, warnings, onPick, clip);
  }

  get drawn(): readonly DrawnFace[] {
    return this.faces;
  }

  draw(faces: DrawnFace[]): void {
    this.faces = faces;
    const text = caption(faces, this.n, this.clip);
    this.text.textContent = this.bitmap || this.clip ? text : `${text} (this browser cannot display this image format)`;
    if (!this.canvas || !this.bitmap) return;
    this.canvas.setAttribute('aria-label', `${text}: ${faces.map((f) => f.label).join(', ') || 'no faces'}`);
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    ctx.drawImage(this.bitmap, 0, 0, this.canvas.width, this.canvas.height);
    drawFaces(ctx, faces, this.scale);
  }

  /** The face with a margin, `size` pixels square, or null without a decoded photo. */
  crop(box: Box, size: number, label: string): HTMLCanvasElement | null {
    if (!this.bitmap) return null;
    const side = Math.max(box.width, box.height) * 1.4;
    const c = el('canvas', { role: 'img', 'aria-label': label, class: 'crop' });
    c.width = size;
    c.height = size;
    c.getContext('2d')?.drawImage(this.bitmap, box.x + box.width / 2 - side / 2, box.y + box.height / 2 - side / 2, side, side, 0, 0, size, size);
    return c;
  }
}
