import { decodeYunet, YUNET_OUTPUT_NAMES, YUNET_STRIDES } from '../../src/vision/yunet-decode';

/** All-zero outputs for a `width`×`height` input: no anchor scores anything. */
function emptyOutputs(width: number, height: number): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  for (const s of YUNET_STRIDES) {
    const n = (width / s) * (height / s);
    out[`cls_${s}`] = new Float32Array(n);
    out[`obj_${s}`] = new Float32Array(n);
    out[`bbox_${s}`] = new Float32Array(4 * n);
    out[`kps_${s}`] = new Float32Array(10 * n);
  }
  return out;
}

describe('decodeYunet', () => {
  it('names the twelve outputs of the model', () => {
    expect([...YUNET_OUTPUT_NAMES].sort()).toEqual(
      ['cls', 'obj', 'bbox', 'kps'].flatMap((h) => [8, 16, 32].map((s) => `${h}_${s}`)).sort(),
    );
  });

  it('decodes one anchor by hand: priors, stride units, exp sizes, score = cls × obj', () => {
    // 64×32 input: the stride-8 map is 8 columns × 4 rows. Anchor 10 is row 1, column 2,
    // so its prior is (16, 8).
    const out = emptyOutputs(64, 32);
    out.cls_8[10] = 0.9;
    out.obj_8[10] = 0.8;
    out.bbox_8.set([0.5, -0.25, Math.log(2), 0], 40);
    out.kps_8.set([1, 1, 2, 1, 1.5, 1.5, 1, 2, 2, 2], 100);

    const [d, ...rest] = decodeYunet(out, 64, 32, 0.5);
    expect(rest).toEqual([]);
    expect(d.score).toBeCloseTo(0.72, 6);
    // centre (16 + 0.5·8, 8 − 0.25·8) = (20, 6); size (2·8, 1·8) = (16, 8).
    expect(d.box.x).toBeCloseTo(12, 5);
    expect(d.box.y).toBeCloseTo(2, 5);
    expect(d.box.width).toBeCloseTo(16, 5);
    expect(d.box.height).toBeCloseTo(8, 5);
    expect(d.landmarks).toEqual([
      [24, 16],
      [32, 16],
      [28, 20],
      [24, 24],
      [32, 24],
    ]);
  });

  it('uses each stride with its own map size', () => {
    // 64×32: stride 16 is 4×2, stride 32 is 2×1. Last anchor of each.
    const out = emptyOutputs(64, 32);
    out.cls_16[7] = out.obj_16[7] = 1;
    out.cls_32[1] = out.obj_32[1] = 1;
    const found = decodeYunet(out, 64, 32, 0.5);
    // Zero offsets and log sizes: a stride-sized box centred on the prior.
    expect(found.map((d) => d.box)).toEqual([
      { x: 48 - 8, y: 16 - 8, width: 16, height: 16 },
      { x: 32 - 16, y: -16, width: 32, height: 32 },
    ]);
    expect(found[1].landmarks.every(([x, y]) => x === 32 && y === 0)).toBe(true);
  });

  it('keeps scores at or above the threshold only', () => {
    const out = emptyOutputs(32, 32);
    out.cls_8[0] = 0.6;
    out.obj_8[0] = 1;
    out.cls_8[1] = 0.59;
    out.obj_8[1] = 1;
    expect(decodeYunet(out, 32, 32, 0.6).map((d) => d.score)).toEqual([expect.closeTo(0.6, 6)]);
    expect(decodeYunet(out, 32, 32, 0.7)).toEqual([]);
  });

  it('refuses outputs that do not match the input size', () => {
    expect(() => decodeYunet(emptyOutputs(64, 32), 32, 32, 0.5)).toThrow(/cls_8 has 32 values, expected 16/);
    const missing = emptyOutputs(32, 32);
    delete missing.kps_32;
    expect(() => decodeYunet(missing, 32, 32, 0.5)).toThrow(/kps_32 is missing/);
  });
});
