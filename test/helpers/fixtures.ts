import fs from 'node:fs';
import path from 'node:path';

/** Shared, read-only test data lives beside the repository (see ../shared/README.md). */
const repoRoot = path.resolve(__dirname, '..', '..');

export const fixturesDir = path.resolve(repoRoot, '..', 'shared', 'fixtures');
export const sharedModelsDir = path.resolve(repoRoot, '..', 'shared', 'models');

export type FixtureKind = 'enroll' | 'query' | 'group' | 'noface' | 'bad';

export interface FixtureFile {
  /** Relative to fixturesDir. */
  path: string;
  kind: FixtureKind;
  identities?: string[];
  face_count?: number;
  notes?: string;
  /** For kind 'bad': the error code(s) the file should produce, in words. */
  expect?: string;
  source?: string;
}

export interface FixtureIndex {
  identities: { id: string; name: string }[];
  files: FixtureFile[];
}

export const fixturePath = (rel: string): string => path.join(fixturesDir, rel);

/**
 * The HEIC files this repository ships (test/fixtures/heic), made from the fixtures above by
 * scripts/make-heic-fixtures.ts: CI needs no HEVC encoder.
 */
export const heicPath = (name: string): string => path.join(repoRoot, 'test', 'fixtures', 'heic', name);

let cached: FixtureIndex | undefined;
export function readIndex(): FixtureIndex {
  cached ??= JSON.parse(fs.readFileSync(path.join(fixturesDir, 'index.json'), 'utf8')) as FixtureIndex;
  return cached;
}
