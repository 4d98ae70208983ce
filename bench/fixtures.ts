import fs from 'node:fs';
import path from 'node:path';
import { loadConfig, PROJECT_ROOT } from '../src/config';
import { DETECTOR_FILE, EMBEDDER_FILE } from '../src/vision/pipeline';
import type { Box } from '../src/vision/types';

/** The shared fixtures (../shared/fixtures, see its README) and where benches write their JSON. */
export const FIXTURES = path.resolve(PROJECT_ROOT, '..', 'shared', 'fixtures');
export const RESULTS = path.join(PROJECT_ROOT, 'bench', 'results');

export interface FixtureFile {
  path: string;
  kind: string;
  identities?: string[];
  face_count?: number;
}

export const index = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'index.json'), 'utf8')) as { files: FixtureFile[] };
export const fixture = (rel: string): Buffer => fs.readFileSync(path.join(FIXTURES, rel));

/** realgroups/: real web-resolution group photos with a reference box for every face. */
export interface RealGroupFile {
  path: string;
  faces: Box[];
}
export const realgroups = (): RealGroupFile[] =>
  (JSON.parse(fs.readFileSync(path.join(FIXTURES, 'realgroups', 'index.json'), 'utf8')) as { files: RealGroupFile[] }).files;

/** The provisioned models (npm run setup), else the shared copy they are provisioned from. */
export function modelsDir(): string {
  const config = loadConfig();
  const has = (dir: string) => [DETECTOR_FILE, EMBEDDER_FILE].every((f) => fs.existsSync(path.join(dir, f)));
  if (has(config.modelsDir)) return config.modelsDir;
  if (config.modelsSource && has(config.modelsSource)) return config.modelsSource;
  throw new Error(`models not found in ${config.modelsDir}; run npm run setup`);
}
