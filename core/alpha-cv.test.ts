/** Cross-validated α and the matched contingency table against numpy/scipy/scikit-learn (models/build/cv_fixtures.py). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { alphaGridSearch } from './moee.ts';
import { crossValidatedAlpha, crossValidatedAlphaWithFolds, CrossValidationError, foldAssignment } from './alpha-cv.ts';
import { matchedContingency } from './contingency.ts';

interface CvCase {
  hs: number[];
  rw: number[];
  gold: number[];
  fold: number[];
  score: number;
  folds: { alpha: number; train_score: number; size: number }[];
  in_sample_best: number;
}
interface ContingencyCase {
  a: number[];
  b: number[];
  table: number[][];
  row_labels: number[];
  col_labels: number[];
  matched: number;
}
const fx = JSON.parse(readFileSync(new URL('../tests/fixtures/alpha-cv.json', import.meta.url), 'utf8')) as { cv: CvCase[]; contingency: ContingencyCase[] };

describe('crossValidatedAlpha', () => {
  it.each(fx.cv.map((c, i) => [i, c] as const))('case %i: per-fold α and the out-of-fold Spearman equal scipy', (_, c) => {
    const cv = crossValidatedAlphaWithFolds(c.hs, c.rw, c.gold, c.fold);
    expect(cv.folds.map((f) => f.alpha)).toEqual(c.folds.map((f) => f.alpha));
    expect(cv.folds.map((f) => f.size)).toEqual(c.folds.map((f) => f.size));
    cv.folds.forEach((f, i) => expect(f.trainScore).toBeCloseTo(c.folds[i].train_score, 6));
    expect(cv.score).toBeCloseTo(c.score, 9);
    // The in-sample best is an upper bound of what the same grid reaches on held-out pairs.
    expect(alphaGridSearch(c.hs, c.rw, c.gold).best.score).toBeCloseTo(c.in_sample_best, 6);
  });

  it('seeded folds: balanced, deterministic, different for another seed', () => {
    const a = foldAssignment(203, 5, 0);
    const sizes = [0, 1, 2, 3, 4].map((f) => a.filter((x) => x === f).length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    expect(sizes.reduce((s, v) => s + v, 0)).toBe(203);
    expect(Array.from(foldAssignment(203, 5, 0))).toEqual(Array.from(a));
    expect(Array.from(foldAssignment(203, 5, 1))).not.toEqual(Array.from(a));
    const c = fx.cv[1];
    expect(crossValidatedAlpha(c.hs, c.rw, c.gold, { seed: 3 }).score).toBe(crossValidatedAlphaWithFolds(c.hs, c.rw, c.gold, foldAssignment(c.gold.length, 5, 3)).score);
  });

  it('refuses too few pairs by name', () => {
    expect(() => crossValidatedAlpha([0.1, 0.2, 0.3], [0.1, 0.2, 0.3], [1, 2, 3])).toThrow(CrossValidationError);
    expect(() => foldAssignment(10, 1, 0)).toThrow(/at least 2 folds/);
  });
});

describe('matchedContingency', () => {
  it.each(fx.contingency.map((c, i) => [i, c] as const))('case %i: the table is scikit-learn’s with the matching on the diagonal', (_, c) => {
    const m = matchedContingency(c.a, c.b);
    expect(m.n).toBe(c.a.length);
    expect(m.matched).toBe(c.matched);
    expect([...m.rowLabels].sort((x, y) => x - y)).toEqual(c.row_labels);
    expect([...m.colLabels].sort((x, y) => x - y)).toEqual(c.col_labels);
    // Every cell is scikit-learn's cell for the same (row label, column label).
    m.rowLabels.forEach((ra, r) => m.colLabels.forEach((cb, col) => expect(m.counts[r * m.kb + col]).toBe(c.table[c.row_labels.indexOf(ra)][c.col_labels.indexOf(cb)])));
    let diagonal = 0;
    for (let k = 0; k < Math.min(m.ka, m.kb); k++) diagonal += m.counts[k * m.kb + k];
    expect(diagonal).toBe(c.matched);
  });
});
