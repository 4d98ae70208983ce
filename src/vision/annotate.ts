import sharp from 'sharp';
import type { Box, RgbImage } from './types';

export interface Label {
  box: Box;
  text: string;
  colour: 'green' | 'red' | 'amber';
}

export const COLOURS = { green: '#1fa34a', red: '#d92d20', amber: '#f5a000' } as const;

export const escapeXml = (s: string) =>
  s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

/**
 * Draws boxes and names over the decoded photo and encodes a JPEG. Stroke and text scale with the
 * image so labels stay readable on a 12-MP photo and on a thumbnail alike.
 */
export async function annotate(img: RgbImage, labels: Label[], quality = 85): Promise<Buffer> {
  const unit = Math.max(2, Math.round(Math.max(img.width, img.height) / 500));
  const font = unit * 7;
  const shapes = labels.map(({ box, text, colour }) => {
    const c = COLOURS[colour];
    const ty = box.y > font + unit * 2 ? box.y - unit * 2 : box.y + box.height + font + unit;
    return (
      `<rect x="${box.x}" y="${box.y}" width="${box.width}" height="${box.height}" fill="none" stroke="${c}" stroke-width="${unit}"/>` +
      `<text x="${box.x}" y="${ty}" font-family="sans-serif" font-size="${font}" fill="${c}" stroke="#000" stroke-width="${unit / 3}" paint-order="stroke">${escapeXml(text)}</text>`
    );
  });
  const svg = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${img.width}" height="${img.height}">${shapes.join('')}</svg>`);
  return sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 }, limitInputPixels: false })
    .composite([{ input: svg, top: 0, left: 0 }])
    .jpeg({ quality })
    .toBuffer();
}
