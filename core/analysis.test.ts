/** The analysis math of core/ against numpy/scipy/scikit-learn (models/build/analysis_fixtures.py). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  adjustedMutualInfo,
  bootstrapSpearman,
  bootstrapSpearmanFromIndices,
  errorAnalysis,
  exactMatchRate,
  exactNuclearNorm,
  hungarian,
  kMeans,
  matrix,
  matrixEntropy,
  matrixNuclearNorm,
  nuclearNormBounds,
  meanOffDiagonal,
  mutualInformation,
  normalizedMutualInfo,
  pairJaccard,
  pca,
  percentile,
  seededRandom,
  symmetricEigen,
  templateCorrelation,
  upperTriangle,
  type Matrix,
} from './index.ts';

const fx = JSON.parse(readFileSync(new URL('../tests/fixtures/analysis.json', import.meta.url), 'utf8'));
const toMatrix = (rows: number[][]): Matrix => matrix(Float64Array.from(rows.flat()), rows.length, rows[0].length);
const close = (actual: ArrayLike<number>, expected: number[], tol = 1e-9) => {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i] - expected[i]), `index ${i}: ${actual[i]} vs ${expected[i]}`).toBeLessThan(tol);
};
/** Vectors compared up to sign (eigenvectors and principal axes have none of their own). */
const closeUpToSign = (actual: ArrayLike<number>, expected: number[], tol = 1e-8) => {
  const sign = Math.sign(actual[expected.findIndex((v) => Math.abs(v) > 1e-6)]) * Math.sign(expected.find((v) => Math.abs(v) > 1e-6)!);
  close(Array.from(actual, (v) => v * sign), expected, tol);
};

describe('symmetric eigen-decomposition', () => {
  it('matches numpy.linalg.eigh (values, vectors up to sign)', () => {
    const { a, values, vectors } = fx.eigen;
    const n = values.length;
    const eig = symmetricEigen(Float64Array.from(a.flat()), n);
    close(eig.values, values, 1e-10);
    for (let i = 0; i < n; i++) closeUpToSign(eig.vectors.subarray(i * n, (i + 1) * n), vectors[i], 1e-8);
  });
});

describe('clustering agreement', () => {
  it.each([0, 1, 2])('MI, NMI, AMI, pair Jaccard and exact match equal scikit-learn/scipy (case %i)', (i) => {
    const c = fx.agreement[i];
    expect(Math.abs(mutualInformation(c.a, c.b) - c.mi)).toBeLessThan(1e-12);
    expect(Math.abs(normalizedMutualInfo(c.a, c.b) - c.nmi)).toBeLessThan(1e-12);
    expect(Math.abs(adjustedMutualInfo(c.a, c.b) - c.ami)).toBeLessThan(1e-10);
    expect(Math.abs(pairJaccard(c.a, c.b) - c.jaccard)).toBeLessThan(1e-12);
    expect(Math.abs(exactMatchRate(c.a, c.b) - c.exact_match)).toBeLessThan(1e-12);
  });
  it('identical clusterings up to renaming agree fully', () => {
    const a = [0, 0, 1, 1, 2, 2, 2];
    const b = [5, 5, 3, 3, 9, 9, 9];
    expect(adjustedMutualInfo(a, b)).toBeCloseTo(1, 12);
    expect(normalizedMutualInfo(a, b)).toBeCloseTo(1, 12);
    expect(pairJaccard(a, b)).toBe(1);
    expect(exactMatchRate(a, b)).toBe(1);
  });
  it('the Hungarian assignment finds the brute-force optimum', () => {
    const random = seededRandom(3);
    const n = 5;
    const cost = Float64Array.from({ length: n * n }, () => Math.round(random() * 20));
    const assignment = hungarian(cost, n);
    const total = (perm: ArrayLike<number>) => Array.from(perm).reduce((s, j, i) => s + cost[i * n + j], 0);
    let best = Infinity;
    const permute = (prefix: number[]) => {
      if (prefix.length === n) best = Math.min(best, total(prefix));
      for (let j = 0; j < n; j++) if (!prefix.includes(j)) permute([...prefix, j]);
    };
    permute([]);
    expect(new Set(assignment).size).toBe(n);
    expect(total(assignment)).toBe(best);
  });
});

describe('k-means', () => {
  const { x, k, labels, inertia, centers } = fx.kmeans;
  it('finds scikit-learn’s clustering of well-separated blobs (same partition, inertia and centres)', () => {
    const result = kMeans(toMatrix(x), k, { seed: 1 });
    expect(exactMatchRate(result.labels, labels)).toBe(1);
    expect(Math.abs(result.inertia - inertia) / inertia).toBeLessThan(1e-9);
    const d = x[0].length;
    for (let c = 0; c < k; c++) {
      const member = Array.from(result.labels).indexOf(c);
      close(result.centroids.subarray(c * d, (c + 1) * d), centers[labels[member]], 1e-9);
    }
  });
  it('is deterministic for a seed, for any seed on this data the same partition', () => {
    const a = kMeans(toMatrix(x), k, { seed: 42 });
    const b = kMeans(toMatrix(x), k, { seed: 42 });
    expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
    expect(a.inertia).toBe(b.inertia);
    for (const seed of [0, 7, 99]) expect(exactMatchRate(kMeans(toMatrix(x), k, { seed }).labels, labels)).toBe(1);
  });
  it('different seeds can start differently on structureless data but each is reproducible', () => {
    const random = seededRandom(5);
    const noise = matrix(Float64Array.from({ length: 200 }, () => random()), 50, 4);
    const runs = [1, 2, 1].map((seed) => kMeans(noise, 6, { seed, restarts: 1 }));
    expect(Array.from(runs[0].labels)).toEqual(Array.from(runs[2].labels));
    expect(new Set(runs[0].labels).size).toBe(6);
  });
});

describe('PCA', () => {
  it.each([0, 1])('matches scikit-learn up to the sign of each axis (case %i: tall and wide)', (i) => {
    const c = fx.pca[i];
    const result = pca(toMatrix(c.x), c.k);
    const d = c.x[0].length;
    const n = c.x.length;
    close(result.explainedVariance, c.explained_variance, 1e-9);
    close(result.explainedVarianceRatio, c.explained_variance_ratio, 1e-10);
    for (let a = 0; a < c.k; a++) {
      const component = result.components.subarray(a * d, (a + 1) * d);
      closeUpToSign(component, c.components[a], 1e-8);
      const sign = Math.sign(component[0]) * Math.sign(c.components[a][0]);
      close(Array.from({ length: n }, (_, r) => result.projection[r * c.k + a] * sign), c.projection.map((row: number[]) => row[a]), 1e-8);
    }
  });
  it('fixes each axis’ sign: its largest-magnitude loading is positive', () => {
    const result = pca(toMatrix(fx.pca[0].x), 3);
    const d = fx.pca[0].x[0].length;
    for (let a = 0; a < 3; a++) {
      const v = Array.from(result.components.subarray(a * d, (a + 1) * d));
      const largest = v.reduce((m, x) => (Math.abs(x) > Math.abs(m) ? x : m), 0);
      expect(largest).toBeGreaterThan(0);
    }
  });
});

describe('matrix nuclear norm and entropy', () => {
  it.each([0, 1])('L1,2 approximation, exact nuclear norm and entropy equal the numpy reference (case %i)', (i) => {
    const c = fx.spectral[i];
    const m = toMatrix(c.x);
    const approx = matrixNuclearNorm(m);
    expect(Math.abs(approx.l12 - c.l12)).toBeLessThan(1e-10);
    expect(Math.abs(approx.perRow - c.per_row)).toBeLessThan(1e-12);
    expect(Math.abs(exactNuclearNorm(m) - c.exact)).toBeLessThan(1e-8);
    expect(Math.abs(matrixEntropy(m) - c.entropy)).toBeLessThan(1e-9);
  });
  it.each([0, 1])('the Frobenius windows hold numpy’s nuclear norm and L1,2, and the ratio window holds their ratio (case %i)', (i) => {
    const c = fx.spectral[i];
    const bounds = nuclearNormBounds(toMatrix(c.x));
    expect(Math.abs(bounds.frobenius - c.frobenius)).toBeLessThan(1e-12);
    expect(bounds.rankBound).toBe(c.singular_values.length);
    const inside = (v: number, w: { lower: number; upper: number }) => v >= w.lower - 1e-12 && v <= w.upper + 1e-12;
    expect(inside(c.exact, bounds.exact)).toBe(true);
    expect(inside(c.l12, bounds.l12)).toBe(true);
    expect(inside(c.l12 / c.exact, bounds.ratio)).toBe(true);
  });
  it('the windows are attained: one repeated direction gives ‖Z‖* = F, orthogonal directions give L1,2 = ‖Z‖* = √D·F', () => {
    // Two texts on one line (after centring, rows ±u): rank 1, so ‖Z‖* = F exactly.
    const onLine = matrix(Float64Array.of(1, 2, 3, -1, -2, -3), 2, 3);
    expect(Math.abs(exactNuclearNorm(onLine) - nuclearNormBounds(onLine).exact.lower)).toBeLessThan(1e-12);
    // Rows ±e1, ±e2: centred already, orthogonal columns of equal length.
    const cross = matrix(Float64Array.of(1, 0, -1, 0, 0, 1, 0, -1), 4, 2);
    const b = nuclearNormBounds(cross);
    expect(Math.abs(exactNuclearNorm(cross) - b.exact.upper)).toBeLessThan(1e-12);
    expect(Math.abs(matrixNuclearNorm(cross).l12 - b.l12.upper)).toBeLessThan(1e-12);
  });
});

describe('bootstrap and percentiles', () => {
  const b = fx.bootstrap;
  it('percentile interpolates linearly as numpy.percentile', () => {
    for (const [q, expected] of Object.entries(b.percentiles) as [string, number][]) expect(Math.abs(percentile(b.values, Number(q)) - expected)).toBeLessThan(1e-12);
  });
  it('the interval over numpy’s resamples equals numpy’s percentiles of scipy’s Spearman', () => {
    const ci = bootstrapSpearmanFromIndices(b.x, b.y, b.indices);
    expect(Math.abs(ci.estimate - b.estimate)).toBeLessThan(1e-12);
    expect(Math.abs(ci.low - b.low)).toBeLessThan(1e-12);
    expect(Math.abs(ci.high - b.high)).toBeLessThan(1e-12);
  });
  it('the seeded bootstrap is reproducible, pauses between resamples and covers the estimate', async () => {
    let pauses = 0;
    const a = await bootstrapSpearman(b.x, b.y, { resamples: 300, seed: 11 }, { pause: async () => void pauses++ });
    const again = await bootstrapSpearman(b.x, b.y, { resamples: 300, seed: 11 });
    const other = await bootstrapSpearman(b.x, b.y, { resamples: 300, seed: 12 });
    expect(pauses).toBe(300);
    expect(again).toEqual(a);
    expect(other.low).not.toBe(a.low);
    expect(a.low).toBeLessThan(a.estimate);
    expect(a.high).toBeGreaterThan(a.estimate);
    await expect(bootstrapSpearman(b.x, b.y, {}, { signal: { aborted: true } })).rejects.toThrow(/cancelled/);
  });
});

describe('prompt robustness and error analysis', () => {
  it('template × template Spearman matrices equal scipy', () => {
    const t = fx.templates;
    close(templateCorrelation(t.hs, t.hs), t.hs_hs.flat(), 1e-12);
    close(templateCorrelation(t.rw, t.rw), t.rw_rw.flat(), 1e-12);
    close(templateCorrelation(t.hs, t.rw), t.hs_rw.flat(), 1e-12);
    const hsHs = t.hs_hs.flat() as number[];
    const expectedMean = hsHs.filter((_, i) => Math.floor(i / 4) !== i % 4).reduce((s, v) => s + v, 0) / 12;
    expect(meanOffDiagonal(templateCorrelation(t.hs, t.hs), 4)).toBeCloseTo(expectedMean, 12);
  });
  it('upperTriangle lists the pairs i < j row by row', () => {
    expect(Array.from(upperTriangle([0, 1, 2, 1, 0, 3, 2, 3, 0], 3))).toEqual([1, 2, 3]);
  });
  it('HS-only, RW-only and both failures equal the numpy reference', () => {
    const e = fx.errors;
    const result = errorAnalysis(e.hs, e.rw, e.gold, e.threshold);
    close(result.hsError, e.hs_error, 1e-12);
    close(result.rwError, e.rw_error, 1e-12);
    expect([...result.hsOnly].sort((a, b) => a - b)).toEqual(e.hs_only);
    expect([...result.rwOnly].sort((a, b) => a - b)).toEqual(e.rw_only);
    expect([...result.both].sort((a, b) => a - b)).toEqual(e.both);
    expect(result.neither).toBe(e.neither);
    expect(e.hs_only.length + e.rw_only.length + e.both.length).toBeGreaterThan(0);
  });
});
