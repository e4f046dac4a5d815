/**
 * Prompt robustness (paper Fig. 4/5) and the HS/RW error analysis (paper Fig. 2).
 */
import { rank, spearman } from './stats.ts';

/** The strict upper triangle (i < j) of an n×n matrix, row by row: all pair similarities of n texts. */
export function upperTriangle(values: ArrayLike<number>, n: number): Float64Array {
  const out = new Float64Array((n * (n - 1)) / 2);
  let k = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) out[k++] = values[i * n + j];
  return out;
}

/**
 * T×T Spearman correlations between templates' similarity lists: entry (a, b) is
 * Spearman(simsA[a], simsB[b]). With simsA = simsB this is the paper's HS–HS or RW–RW matrix;
 * with HS and RW lists, the HS–RW matrix.
 */
export function templateCorrelation(simsA: ArrayLike<number>[], simsB: ArrayLike<number>[]): Float64Array {
  const out = new Float64Array(simsA.length * simsB.length);
  for (let a = 0; a < simsA.length; a++) for (let b = 0; b < simsB.length; b++) out[a * simsB.length + b] = spearman(simsA[a], simsB[b]);
  return out;
}

/** Mean of a T×T matrix over a ≠ b (or over all entries with `includeDiagonal`). */
export function meanOffDiagonal(values: ArrayLike<number>, t: number, includeDiagonal = false): number {
  let sum = 0;
  let count = 0;
  for (let a = 0; a < t; a++) {
    for (let b = 0; b < t; b++) {
      if (a === b && !includeDiagonal) continue;
      sum += values[a * t + b];
      count++;
    }
  }
  return count > 0 ? sum / count : Number.NaN;
}

/** Default failure threshold: a pair ranked more than a quarter of the list away from gold. */
export const DEFAULT_FAIL_THRESHOLD = 0.25;

export interface ErrorAnalysis {
  /** |percentile rank of the similarity − percentile rank of gold| per pair, for HS and RW. */
  hsError: Float64Array;
  rwError: Float64Array;
  threshold: number;
  /** Pair indices, worst (largest error under the failing method) first. */
  hsOnly: number[];
  rwOnly: number[];
  both: number[];
  neither: number;
}

/** (rank − 1) / (n − 1): 0 for the lowest value, 1 for the highest, ties averaged. */
function percentileRanks(values: ArrayLike<number>): Float64Array {
  const r = rank(values);
  const n = values.length;
  return r.map((v) => (n > 1 ? (v - 1) / (n - 1) : 0.5));
}

/**
 * Which pairs HS and RW get wrong. STS is scored by rank (Spearman), so a pair "fails" under a
 * method when its similarity's percentile rank among all pairs is more than `threshold` away from
 * its gold score's percentile rank: |r_method(p) − r_gold(p)| > threshold, ranks as in
 * `percentileRanks` (ties averaged). Each pair then falls in exactly one of: fails under HS only,
 * RW only, both, or neither. The paper (Fig. 2) reports that among pairs failing under at least
 * one, more than half fail under exactly one: the two embeddings err on different pairs.
 */
export function errorAnalysis(hsSim: ArrayLike<number>, rwSim: ArrayLike<number>, gold: ArrayLike<number>, threshold = DEFAULT_FAIL_THRESHOLD): ErrorAnalysis {
  if (hsSim.length !== gold.length || rwSim.length !== gold.length) throw new RangeError('errorAnalysis: lengths differ');
  const g = percentileRanks(gold);
  const h = percentileRanks(hsSim);
  const r = percentileRanks(rwSim);
  const hsError = h.map((v, i) => Math.abs(v - g[i]));
  const rwError = r.map((v, i) => Math.abs(v - g[i]));
  const hsOnly: number[] = [];
  const rwOnly: number[] = [];
  const both: number[] = [];
  let neither = 0;
  for (let i = 0; i < gold.length; i++) {
    const hsFails = hsError[i] > threshold;
    const rwFails = rwError[i] > threshold;
    if (hsFails && rwFails) both.push(i);
    else if (hsFails) hsOnly.push(i);
    else if (rwFails) rwOnly.push(i);
    else neither++;
  }
  hsOnly.sort((a, b) => hsError[b] - hsError[a] || a - b);
  rwOnly.sort((a, b) => rwError[b] - rwError[a] || a - b);
  both.sort((a, b) => Math.max(hsError[b], rwError[b]) - Math.max(hsError[a], rwError[a]) || a - b);
  return { hsError, rwError, threshold, hsOnly, rwOnly, both, neither };
}
