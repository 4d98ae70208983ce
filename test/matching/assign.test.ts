import { hungarian } from '../../src/matching/assign';
import { prng } from '../helpers/prng';


const total = (cost: number[][], cols: number[]) => cols.reduce((sum, j, i) => (j < 0 ? sum : sum + cost[i][j]), 0);

/** Smallest total over every way of pairing min(n, m) rows and columns one-to-one. */
function bruteForce(cost: number[][]): number {
  const n = cost.length;
  const m = n === 0 ? 0 : cost[0].length;
  const used = new Array<boolean>(m).fill(false);
  const go = (i: number, pairsLeft: number): number => {
    if (pairsLeft === 0) return 0;
    if (n - i < pairsLeft) return Infinity;
    let best = go(i + 1, pairsLeft); // row i left over
    for (let j = 0; j < m; j++) {
      if (used[j]) continue;
      used[j] = true;
      best = Math.min(best, cost[i][j] + go(i + 1, pairsLeft - 1));
      used[j] = false;
    }
    return best;
  };
  return go(0, Math.min(n, m));
}

/** Each column used at most once, every assigned column in range, exactly min(n, m) pairs. */
function expectValid(cost: number[][], cols: number[]): void {
  const m = cost.length === 0 ? 0 : cost[0].length;
  expect(cols).toHaveLength(cost.length);
  const assigned = cols.filter((j) => j >= 0);
  expect(assigned).toHaveLength(Math.min(cost.length, m));
  expect(new Set(assigned).size).toBe(assigned.length);
  for (const j of assigned) expect(j).toBeLessThan(m);
}

describe('hungarian', () => {
  it('solves a square matrix with a unique optimum', () => {
    // Six permutations cost 5, 6, 6, 7, 9, 11; the 5 is rows → [1, 0, 2].
    expect(hungarian([[4, 1, 3], [2, 0, 5], [3, 2, 2]])).toEqual([1, 0, 2]);
  });

  it('solves a wide matrix (more columns than rows)', () => {
    // Best is 1 + 2 = 3; column 2 stays unused.
    expect(hungarian([[10, 1, 7], [2, 8, 3]])).toEqual([1, 0]);
  });

  it('solves a tall matrix (more rows than columns), leaving a row at -1', () => {
    // Pairs of rows: {1,2} → 3 + 0 = 3 is the cheapest; row 0 is left over.
    expect(hungarian([[1, 9], [2, 3], [0, 8]])).toEqual([-1, 1, 0]);
  });

  it('maximises when given negated values', () => {
    const similarity = [[0.9, 0.8], [0.85, 0.1]];
    // Greedy would take 0.9 and be left with 0.1; the best total is 0.8 + 0.85.
    expect(hungarian(similarity.map((row) => row.map((s) => -s)))).toEqual([1, 0]);
  });

  it('returns a valid optimal assignment on ties, the same one every time', () => {
    const flat = [[1, 1, 1], [1, 1, 1]];
    const cols = hungarian(flat);
    expectValid(flat, cols);
    expect(hungarian(flat)).toEqual(cols);
    const twoWays = [[0, 0], [0, 0], [5, 5]];
    expect(hungarian(twoWays)[2]).toBe(-1);
  });

  it('handles empty matrices and rows without columns', () => {
    expect(hungarian([])).toEqual([]);
    expect(hungarian([[], []])).toEqual([-1, -1]);
    expect(hungarian([[7]])).toEqual([0]);
  });

  it('rejects ragged rows and non-finite costs', () => {
    expect(() => hungarian([[1, 2], [3]])).toThrow(RangeError);
    expect(() => hungarian([[1, NaN]])).toThrow(RangeError);
    expect(() => hungarian([[Infinity]])).toThrow(RangeError);
  });

  it('matches brute force on random small matrices, ties and negative costs included', () => {
    const rand = prng(20240611);
    for (let run = 0; run < 600; run++) {
      const n = 1 + Math.floor(rand() * 6);
      const m = 1 + Math.floor(rand() * 6);
      // Small integers force many ties; the other half are real-valued and may be negative.
      const value = run % 2 === 0 ? () => Math.floor(rand() * 4) : () => rand() * 2 - 1;
      const cost = Array.from({ length: n }, () => Array.from({ length: m }, value));
      const cols = hungarian(cost);
      expectValid(cost, cols);
      expect(total(cost, cols)).toBeCloseTo(bruteForce(cost), 9);
    }
  });
});
