import sharp from 'sharp';
import { COLOURS, escapeXml, type Label } from './annotate';
import type { Box, RgbImage } from './types';

const TILE = 200;
const CAPTION = 28;
const COLUMNS_MAX = 6;

/** The box grown by `pad` of its size on every side and clipped to the image, as its own pixels. */
export function cropBox(img: RgbImage, box: Box, pad = 0.3): RgbImage {
  const x0 = Math.max(0, Math.floor(box.x - box.width * pad));
  const y0 = Math.max(0, Math.floor(box.y - box.height * pad));
  const x1 = Math.min(img.width, Math.ceil(box.x + box.width * (1 + pad)));
  const y1 = Math.min(img.height, Math.ceil(box.y + box.height * (1 + pad)));
  const width = Math.max(1, x1 - x0);
  const height = Math.max(1, y1 - y0);
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    const from = ((y0 + y) * img.width + x0) * 3;
    img.data.copy(data, y * width * 3, from, from + width * 3);
  }
  return { data, width, height };
}

/**
 * One JPEG a teacher checks at a glance: a tile per face (e.g. the best frame of each video
 * track), framed in its colour and captioned with its name.
 */
export async function contactSheet(tiles: { img: RgbImage; text: string; colour: Label['colour'] }[], quality = 85): Promise<Buffer> {
  const columns = Math.max(1, Math.min(COLUMNS_MAX, tiles.length));
  const rows = Math.max(1, Math.ceil(tiles.length / columns));
  const cellH = TILE + CAPTION;
  const parts = await Promise.all(
    tiles.map(async (t, i) => ({
      input: await sharp(t.img.data, { raw: { width: t.img.width, height: t.img.height, channels: 3 } })
        .resize(TILE - 8, TILE - 8, { fit: 'contain', background: '#202020' })
        .png()
        .toBuffer(),
      left: (i % columns) * TILE + 4,
      top: Math.floor(i / columns) * cellH + 4,
    })),
  );
  const frames = tiles
    .map((t, i) => {
      const x = (i % columns) * TILE;
      const y = Math.floor(i / columns) * cellH;
      const c = COLOURS[t.colour];
      return (
        `<rect x="${x + 2}" y="${y + 2}" width="${TILE - 4}" height="${TILE - 4}" fill="none" stroke="${c}" stroke-width="4"/>` +
        `<text x="${x + TILE / 2}" y="${y + TILE + 20}" text-anchor="middle" font-family="sans-serif" font-size="16" fill="${c}">${escapeXml(t.text)}</text>`
      );
    })
    .join('');
  const width = columns * TILE;
  const height = rows * cellH;
  const svg = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${frames}</svg>`);
  return sharp({ create: { width, height, channels: 3, background: '#101010' } })
    .composite([...parts, { input: svg, top: 0, left: 0 }])
    .jpeg({ quality })
    .toBuffer();
}
