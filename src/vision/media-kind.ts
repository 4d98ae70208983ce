/**
 * Whether an upload is a video, by its first bytes (never its name or declared type).
 *
 * MP4, MOV and HEIC/AVIF photos all start with an ISO-BMFF `ftyp` box, so its major brand (and,
 * for brands shared by both, the compatible brands) tells a still image from a clip. Old QuickTime
 * files may start straight with a `moov`, `mdat`, `wide` or `free` atom. WebM (Matroska) starts
 * with the EBML magic 1A 45 DF A3.
 */
export type MediaKind = 'image' | 'video';

/** Brands of still-image HEIF family files (HEIC, AVIF and their sequences are read as stills). */
const IMAGE_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'mif1', 'mif2', 'msf1', 'avif', 'avis', 'avio']);
const QUICKTIME_FIRST_ATOMS = new Set(['moov', 'mdat', 'wide', 'free', 'skip', 'pnot']);
const EBML_MAGIC = Buffer.from([0x1a, 0x45, 0xdf, 0xa3]);

export function mediaKind(buf: Buffer): MediaKind {
  if (buf.length >= 4 && buf.subarray(0, 4).equals(EBML_MAGIC)) return 'video';
  if (buf.length < 12) return 'image';
  const atom = buf.subarray(4, 8).toString('latin1');
  if (QUICKTIME_FIRST_ATOMS.has(atom)) return 'video';
  if (atom !== 'ftyp') return 'image';
  return IMAGE_BRANDS.has(buf.subarray(8, 12).toString('latin1')) ? 'image' : 'video';
}
