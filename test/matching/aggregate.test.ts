import { aggregateCandidates } from '../../src/matching/aggregate';

const c = (studentId: string, similarity: number) => ({ studentId, similarity });

describe('aggregateCandidates', () => {
  it('keeps one entry per student with its best similarity, best first', () => {
    const rows = [c('b', 0.5), c('a', 0.6), c('b', 0.8), c('a', 0.7), c('c', 0.2)];
    expect(aggregateCandidates(rows, 10)).toEqual([c('b', 0.8), c('a', 0.7), c('c', 0.2)]);
  });

  it('keeps the top k students, not the top k rows', () => {
    const rows = [c('a', 0.9), c('a', 0.85), c('a', 0.8), c('b', 0.7), c('c', 0.6)];
    expect(aggregateCandidates(rows, 2)).toEqual([c('a', 0.9), c('b', 0.7)]);
  });

  it('orders equal similarities by studentId', () => {
    expect(aggregateCandidates([c('z', 0.5), c('m', 0.5), c('a', 0.5)], 3).map((x) => x.studentId)).toEqual([
      'a',
      'm',
      'z',
    ]);
  });

  it('drops non-finite similarities', () => {
    expect(aggregateCandidates([c('a', NaN), c('b', 0.4), c('a', Infinity)], 5)).toEqual([c('b', 0.4)]);
  });

  it('handles empty input, k = 0, negative k and k beyond the count', () => {
    expect(aggregateCandidates([], 3)).toEqual([]);
    expect(aggregateCandidates([c('a', 0.5)], 0)).toEqual([]);
    expect(aggregateCandidates([c('a', 0.5)], -1)).toEqual([]);
    expect(aggregateCandidates([c('a', 0.5)], Infinity)).toEqual([c('a', 0.5)]);
  });

  it('does not modify or alias its input', () => {
    const rows = [c('b', 0.1), c('a', 0.9)];
    const out = aggregateCandidates(rows, 2);
    out[0].similarity = 0;
    expect(rows).toEqual([c('b', 0.1), c('a', 0.9)]);
  });
});
