import { aggregateCandidates, type Candidate } from '../../src/matching/aggregate';
import { decideFaces, type Decision, type DecideOptions } from '../../src/matching/decide';
import { prng } from '../helpers/prng';


const c = (studentId: string, similarity: number): Candidate => ({ studentId, similarity });
const opts: DecideOptions = { threshold: 0.5, margin: 0.05 };
const summary = (ds: Decision[]) => ds.map((d) => (d.status === 'matched' ? d.studentId : d.status));

describe('decideFaces', () => {
  it('names a clear match and reports its similarity and candidates', () => {
    const [d] = decideFaces([[c('a', 0.8), c('b', 0.3)]], opts);
    expect(d).toEqual({ status: 'matched', studentId: 'a', similarity: 0.8, candidates: [c('a', 0.8), c('b', 0.3)] });
  });

  it('handles empty inputs', () => {
    expect(decideFaces([], opts)).toEqual([]);
    expect(decideFaces([[]], opts)).toEqual([{ status: 'unknown', studentId: null, similarity: null, candidates: [] }]);
  });

  it('is unknown when nothing reaches the threshold, still reporting the best similarity', () => {
    const [d] = decideFaces([[c('a', 0.3), c('b', 0.45)]], opts);
    expect(d).toMatchObject({ status: 'unknown', studentId: null, similarity: 0.45 });
  });

  it('names a student at exactly the threshold', () => {
    expect(summary(decideFaces([[c('a', 0.5)]], opts))).toEqual(['a']);
  });

  it('is ambiguous when the runner-up is within the margin, even below the threshold', () => {
    expect(summary(decideFaces([[c('a', 0.8), c('b', 0.78)]], opts))).toEqual(['ambiguous']);
    expect(summary(decideFaces([[c('a', 0.52), c('b', 0.49)]], opts))).toEqual(['ambiguous']);
    expect(decideFaces([[c('a', 0.8), c('b', 0.78)]], opts)[0]).toMatchObject({ studentId: null, similarity: 0.8 });
  });

  it('collapses duplicate rows of one student instead of treating them as rivals', () => {
    const [d] = decideFaces([[c('a', 0.8), c('a', 0.78), c('b', 0.4), c('a', 0.6)]], opts);
    expect(d).toMatchObject({ status: 'matched', studentId: 'a', similarity: 0.8 });
    expect(d.candidates).toEqual([c('a', 0.8), c('b', 0.4)]);
  });

  it('gives a student wanted by two faces only to the clearly better face; the other is unknown', () => {
    // The weaker face comes first, so a greedy pass in input order would have named it.
    expect(summary(decideFaces([[c('a', 0.6)], [c('a', 0.9)]], opts))).toEqual(['unknown', 'a']);
  });

  it('names the losing face its second choice when that is clear of every remaining rival', () => {
    const faces = [[c('a', 0.95)], [c('a', 0.7), c('b', 0.62), c('c', 0.3)]];
    expect(summary(decideFaces(faces, opts))).toEqual(['a', 'b']);
  });

  it('does not name a second choice that has a close rival', () => {
    const faces = [[c('a', 0.95)], [c('a', 0.7), c('b', 0.62), c('c', 0.6)]];
    expect(summary(decideFaces(faces, opts))).toEqual(['a', 'ambiguous']);
  });

  it('names neither face of a near tie for one student', () => {
    expect(summary(decideFaces([[c('a', 0.8)], [c('a', 0.78)]], opts))).toEqual(['ambiguous', 'ambiguous']);
    expect(summary(decideFaces([[c('a', 0.8)], [c('a', 0.8)]], opts))).toEqual(['ambiguous', 'ambiguous']);
  });

  it('does not name a face the assignment forced off a first choice that is not accounted for', () => {
    // Max total similarity gives face 0 its second choice (c) and face 1 'a' (0.93 + 0.7 > 0.95 + 0.62),
    // but face 0 looks more like 'a' than face 1 does: neither may be named.
    const faces = [[c('a', 0.95), c('c', 0.93)], [c('a', 0.7), c('b', 0.62)]];
    expect(summary(decideFaces(faces, opts))).toEqual(['ambiguous', 'ambiguous']);
  });

  it('excuses a rival only while it is named elsewhere', () => {
    // Face 0's rival 'b' is assigned to face 1, but face 1 is ambiguous (b or d), so 'b' is still
    // possible for face 0 and face 0 must not be named 'a'. Face 0 comes first: its verdict changes
    // only after face 1's, so a single pass over the faces would get it wrong.
    const faces = [[c('a', 0.8), c('b', 0.78)], [c('b', 0.95), c('d', 0.94)]];
    expect(summary(decideFaces(faces, opts))).toEqual(['ambiguous', 'ambiguous']);
    // With face 1 confidently 'b', face 0 is 'a'.
    const clear = [[c('a', 0.8), c('b', 0.78)], [c('b', 0.95), c('d', 0.6)]];
    expect(summary(decideFaces(clear, opts))).toEqual(['a', 'b']);
  });

  it('is unknown when every eligible student is confidently named to other faces', () => {
    const faces = [[c('a', 0.9)], [c('b', 0.9)], [c('a', 0.6), c('b', 0.58)]];
    expect(summary(decideFaces(faces, opts))).toEqual(['a', 'b', 'unknown']);
  });

  it('rejects invalid options', () => {
    expect(() => decideFaces([], { threshold: -0.1, margin: 0 })).toThrow(RangeError);
    expect(() => decideFaces([], { threshold: NaN, margin: 0 })).toThrow(RangeError);
    expect(() => decideFaces([], { threshold: 0.5, margin: -0.01 })).toThrow(RangeError);
  });

  it('keeps its guarantees on random photos', () => {
    const rand = prng(7);
    const seen = { matched: 0, unknown: 0, ambiguous: 0 };
    for (let run = 0; run < 3000; run++) {
      const students = Array.from({ length: 1 + Math.floor(rand() * 8) }, (_, s) => `s${s}`);
      const options = { threshold: 0.3 + rand() * 0.3, margin: rand() < 0.1 ? 0 : rand() * 0.1 };
      // Similarities on a 0.01 grid so ties and near ties are common; some rows repeat a student.
      const faces = Array.from({ length: Math.floor(rand() * 8) }, () =>
        Array.from({ length: Math.floor(rand() * 6) }, () =>
          c(students[Math.floor(rand() * students.length)], Math.round(rand() * 100) / 100),
        ),
      );
      const decisions = decideFaces(faces, options);
      expect(decisions).toHaveLength(faces.length);

      const lists = faces.map((f) => aggregateCandidates(f, Infinity));
      const faceOf = new Map<string, number>();
      decisions.forEach((d, i) => {
        seen[d.status]++;
        expect(d.candidates).toEqual(lists[i]);
        if (d.status !== 'matched') {
          expect(d.studentId).toBeNull();
          expect(d.similarity).toBe(lists[i][0]?.similarity ?? null);
          return;
        }
        expect(d.studentId).not.toBeNull();
        // No student is ever named for two faces.
        expect(faceOf.has(d.studentId!)).toBe(false);
        faceOf.set(d.studentId!, i);
      });

      decisions.forEach((d, i) => {
        const elsewhere = (s: string) => faceOf.has(s) && faceOf.get(s) !== i;
        if (d.status === 'matched') {
          const a = d.similarity!;
          expect(lists[i]).toContainEqual(c(d.studentId!, a));
          expect(a).toBeGreaterThanOrEqual(options.threshold);
          // Own margin: every other candidate trails by the margin unless it is named to another face.
          for (const r of lists[i]) {
            if (r.studentId !== d.studentId && !elsewhere(r.studentId)) expect(a - r.similarity >= options.margin).toBe(true);
          }
          // Uncontested: every other face trails by the margin on this student.
          lists.forEach((other, j) => {
            const r = other.find((x) => x.studentId === d.studentId);
            if (j !== i && r) expect(a - r.similarity >= options.margin).toBe(true);
          });
        } else {
          // Unknown exactly when every eligible candidate is named to another face.
          const open = lists[i].some((r) => r.similarity >= options.threshold && !elsewhere(r.studentId));
          expect(d.status).toBe(open ? 'ambiguous' : 'unknown');
        }
      });
    }
    // The random photos exercise every outcome.
    for (const count of Object.values(seen)) expect(count).toBeGreaterThan(100);
  });
});
