import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { withDynamicBatch } from '../../bench/onnx-batch';
import { EMBEDDER_FILE } from '../../src/vision/pipeline';
import { sharedModelsDir } from '../helpers/fixtures';

// bench:embed's in-memory edit of fr_feature (bench/onnx-batch.ts): a batch of N must give what N single runs give.
describe('withDynamicBatch', () => {
  const model = fs.readFileSync(path.join(sharedModelsDir, EMBEDDER_FILE));

  it("declares fr_feature's batch dimension dynamic and embeds a batch as single runs do", async () => {
    const before = Buffer.from(model);
    const edited = withDynamicBatch(model);
    expect(model.equals(before)).toBe(true);
    const single = await ort.InferenceSession.create(model);
    const batched = await ort.InferenceSession.create(edited);
    expect(single.inputMetadata[0]).toMatchObject({ shape: [1, 3, 112, 112] });
    expect(batched.inputMetadata[0]).toMatchObject({ shape: ['batch', 3, 112, 112] });

    const n = 3, size = 3 * 112 * 112;
    const input = Float32Array.from({ length: n * size }, (_, i) => Math.sin(i * 0.37) * 0.9);
    const out = (await batched.run({ input: new ort.Tensor('float32', input, [n, 3, 112, 112]) })).output;
    expect(out.dims).toEqual([n, 512]);
    for (let k = 0; k < n; k++) {
      const one = await single.run({ input: new ort.Tensor('float32', input.slice(k * size, (k + 1) * size), [1, 3, 112, 112]) });
      const expected = one.output.data as Float32Array;
      const got = (out.data as Float32Array).subarray(k * 512, (k + 1) * 512);
      expect(Math.max(...got.map((v, i) => Math.abs(v - expected[i])))).toBeLessThanOrEqual(1e-4);
    }
    await Promise.all([single.release(), batched.release()]);
  });

  it('refuses bytes that are not a protobuf message', () => {
    expect(() => withDynamicBatch(Uint8Array.from([0x3a, 0xff, 0xff, 0xff]))).toThrow(/protobuf/);
  });
});
