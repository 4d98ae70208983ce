import { DEFAULT_CONTAINMENT, iou, nms, suppressContained } from '../../src/vision/nms';
import { detection } from '../helpers/detection';

const det = detection;

describe('iou', () => {
  it('is 1 for the same box, 0 for disjoint or touching boxes, and intersection over union otherwise', () => {
    const a = det(0, 0, 10, 10, 1).box;
    expect(iou(a, a)).toBe(1);
    expect(iou(a, det(10, 0, 10, 10, 1).box)).toBe(0);
    expect(iou(a, det(50, 50, 10, 10, 1).box)).toBe(0);
    // 50 in common, 150 covered.
    expect(iou(a, det(5, 0, 10, 10, 1).box)).toBeCloseTo(1 / 3, 10);
    // 25 in common, 175 covered.
    expect(iou(a, det(5, 5, 10, 10, 1).box)).toBeCloseTo(25 / 175, 10);
  });
});

describe('nms', () => {
  it('keeps the best of boxes overlapping by more than the threshold, best first', () => {
    const weak = det(0, 0, 10, 10, 0.7);
    const strong = det(1, 0, 10, 10, 0.9); // IoU 90/110 with weak
    const apart = det(100, 100, 10, 10, 0.8);
    expect(nms([weak, apart, strong])).toEqual([strong, apart]);
  });

  it('uses 0.45 by default and takes another threshold', () => {
    const a = det(0, 0, 10, 10, 0.9);
    const b = det(5, 0, 10, 10, 0.8); // IoU 1/3
    expect(nms([a, b])).toEqual([a, b]);
    expect(nms([a, b], 0.3)).toEqual([a]);
  });

  it('leaves its input alone', () => {
    const input = [det(0, 0, 10, 10, 0.5), det(0, 0, 10, 10, 0.9)];
    const copy = structuredClone(input);
    nms(input);
    expect(input).toEqual(copy);
  });
});

describe('suppressContained', () => {
  const face = det(0, 0, 100, 120, 0.85);

  it('drops a part of a face lying inside the whole face, even when the part scores higher', () => {
    const eyeRegion = det(10, 10, 50, 50, 0.9);
    const lowerHalf = det(0, 60, 100, 70, 0.7); // 60 of its 70 rows inside the face
    expect(suppressContained([eyeRegion, face, lowerHalf])).toEqual([face]);
  });

  it('keeps the part when the larger box scores much lower', () => {
    const weakBig = det(0, 0, 100, 120, 0.9 - DEFAULT_CONTAINMENT.scoreMargin - 0.05);
    const part = det(10, 10, 50, 50, 0.9);
    expect(suppressContained([weakBig, part])).toEqual([weakBig, part]);
  });

  it('keeps boxes that are mostly outside, or about as large (duplicates are for nms)', () => {
    const overlapping = det(70, 0, 60, 60, 0.8); // half inside
    const nearlySame = det(5, 5, 95, 110, 0.9);
    expect(suppressContained([face, overlapping, nearlySame])).toEqual([face, overlapping, nearlySame]);
  });

  it('keeps separate faces of any size', () => {
    const small = det(300, 10, 20, 24, 0.7);
    expect(suppressContained([face, small])).toEqual([face, small]);
  });
});
