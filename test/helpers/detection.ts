import type { Detection } from '../../src/vision/types';

/** A detection whose five landmarks sit at its corner: enough for box-level logic under test. */
export const detection = (x: number, y: number, width: number, height: number, score: number): Detection => ({
  box: { x, y, width, height },
  landmarks: [
    [x, y],
    [x, y],
    [x, y],
    [x, y],
    [x, y],
  ],
  score,
});
