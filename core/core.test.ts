/** core/ against numpy/scipy fixtures (models/build/math_fixtures.py). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { alphaGridSearch, autoAlpha, cosineSimilarityMatrix, dimensionStats, matrix, moeeConcat, moeeSum, pearson, rank, spearman, standardize, type Matrix } from './index.ts';

const fx = JSON.parse(readFileSync(new URL('../tests/fixtures/math.json', import.meta.url), 'utf8'));
const toMatrix = (rows: number[][]): Matrix => matrix(Float64Array.from(rows.flat()), rows.length, rows[0].length);
const close = (actual: ArrayLike<number>, expected: number[], tol = 1e-6) => {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i] - expected[i])).toBeLessThan(tol);
};

describe('similarity', () => {
  it('matches numpy cosine, also when computed in blocks smaller than N', () => {
    close(cosineSimilarityMatrix(toMatrix(fx.hs)), fx.cosine_hs.flat());
    const progress: number[] = [];
    close(cosineSimilarityMatrix(toMatrix(fx.hs), { blockRows: 3, onProgress: (d) => progress.push(d) }), fx.cosine_hs.flat());
    expect(progress).toEqual([3, 6, 7]);
  });
  it('stops with an AbortError between blocks', () => {
    expect(() => cosineSimilarityMatrix(toMatrix(fx.hs), { blockRows: 2, signal: { aborted: true } })).toThrow(/cancelled/);
  });
});

describe('standardisation and MoEE', () => {
  it('z-scores with the population std, as the reference code', () => {
    const stats = dimensionStats(toMatrix(fx.hs));
    close(stats.mean, fx.mean_hs);
    close(stats.std, fx.std_hs);
    close(standardize(toMatrix(fx.hs)).data, fx.zscore_hs.flat());
  });
  it('standardises one row with fixed reference statistics', () => {
    const stats = dimensionStats(toMatrix(fx.hs));
    const one = standardize(matrix(Float64Array.from(fx.hs[2]), 1, 5), stats);
    close(one.data, fx.zscore_hs[2]);
  });
  it('MoEE concat cosine matches numpy', () => {
    close(cosineSimilarityMatrix(moeeConcat(toMatrix(fx.hs), toMatrix(fx.rw))), fx.concat_cosine.flat());
  });
  it('alpha grid search scores match scipy and the best is their maximum', () => {
    const { scores, best } = alphaGridSearch(fx.hs_sim, fx.rw_sim, fx.gold);
    for (const s of scores) expect(Math.abs(s.score - fx.grid_spearman[s.alpha.toFixed(1)])).toBeLessThan(1e-9);
    expect(best.score).toBe(Math.max(...(Object.values(fx.grid_spearman) as number[])));
  });
  it('auto alpha maximises the weaker agreement with the two components', () => {
    const chosen = autoAlpha(fx.hs_sim, fx.rw_sim);
    for (const alpha of [0.1, 0.5, 1]) {
      const sum = moeeSum(fx.hs_sim, fx.rw_sim, alpha);
      expect(chosen.score).toBeGreaterThanOrEqual(Math.min(spearman(sum, fx.hs_sim), spearman(sum, fx.rw_sim)) - 1e-12);
    }
  });
});

describe('rank statistics', () => {
  it('average ranks for ties, Spearman and Pearson as scipy', () => {
    close(rank(fx.x), fx.rank_x, 1e-12);
    expect(Math.abs(spearman(fx.x, fx.y) - fx.spearman_xy)).toBeLessThan(1e-12);
    expect(Math.abs(pearson(fx.x, fx.y) - fx.pearson_xy)).toBeLessThan(1e-12);
  });
});
