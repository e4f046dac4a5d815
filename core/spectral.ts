/**
 * Spectral summaries of an embedding set (Li et al., "Large Language Model Evaluation via Matrix
 * Nuclear-Norm", arXiv 2410.10672, and the matrix entropy of Wei et al., arXiv 2401.17139, as that
 * paper's public code computes them). Both start from the same normalisation of the N×d matrix:
 * subtract the column means, then scale every row to unit L2 norm.
 *
 * - Matrix Nuclear-Norm (L1,2 approximation): the sum of the D = min(N, d) largest column L2 norms
 *   of the normalised matrix; no SVD, O(N·d). `perRow` divides by N as the paper does per response.
 * - Exact nuclear norm: the sum of the singular values of the same matrix (for comparison).
 * - Matrix entropy: Σ = ZᵀZ / N, its eigenvalues λ scaled to sum to 1, H = −Σ λ log λ, divided by
 *   log d (so 1 = variance spread evenly over all d directions). Needs an eigen-decomposition: the
 *   cost the nuclear norm avoids.
 */
import { symmetricEigen } from './eigen.ts';
import { crossProductColumns, crossProductRows, type Matrix } from './matrix.ts';

/** Centre the columns, then scale rows to unit length (a zero row stays zero). */
function centerAndNormalizeRows(m: Matrix): Matrix {
  const { rows: n, cols: d } = m;
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += m.data[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  const out = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let j = 0; j < d; j++) {
      const v = m.data[i * d + j] - mean[j];
      out[i * d + j] = v;
      sum += v * v;
    }
    const scale = sum > 0 ? 1 / Math.sqrt(sum) : 0;
    for (let j = 0; j < d; j++) out[i * d + j] *= scale;
  }
  return { data: out, rows: n, cols: d };
}

export interface NuclearNormApprox {
  /** Σ of the top-min(N, d) column L2 norms of the normalised matrix. */
  l12: number;
  /** l12 / N. */
  perRow: number;
}

export function matrixNuclearNorm(m: Matrix): NuclearNormApprox {
  const z = centerAndNormalizeRows(m);
  const { rows: n, cols: d } = z;
  const norms = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) norms[j] += z.data[i * d + j] ** 2;
  for (let j = 0; j < d; j++) norms[j] = Math.sqrt(norms[j]);
  norms.sort().reverse();
  let l12 = 0;
  for (let j = 0; j < Math.min(n, d); j++) l12 += norms[j];
  return { l12, perRow: n > 0 ? l12 / n : Number.NaN };
}

/**
 * Where the two nuclear norms must lie, from the Frobenius norm F of the same normalised matrix Z
 * (N × d, D = min(N, d)). Li et al. (arXiv 2410.10672) bound the nuclear norm by F ≤ ‖Z‖* ≤ √D·F
 * (F² is the sum of σ², ‖Z‖* the sum of σ, at most D of them non-zero). For the L1,2 sum of the D
 * longest columns c: Σ‖c‖ ≤ √D·(Σ‖c‖²)^½ ≤ √D·F (Cauchy–Schwarz), and the D longest of d columns
 * hold at least D/d of F², so Σ‖c‖ ≥ F·√(D/d) (equal to F when N ≥ d). Dividing one window by the
 * other bounds what the approximation can be off by; when N ≥ d the L1,2 sum is every column, each a
 * rank-1 matrix whose nuclear norm is its length, so the triangle inequality lifts the ratio's lower
 * end to 1. The paper proves nothing tighter.
 */
export interface NuclearNormBounds {
  /** ‖Z‖_F: √N when no row is constant. */
  frobenius: number;
  /** min(N, d): the most non-zero singular values Z can have. */
  rankBound: number;
  exact: { lower: number; upper: number };
  l12: { lower: number; upper: number };
  /** The range of L1,2 ÷ exact that the two windows allow. */
  ratio: { lower: number; upper: number };
}

export function nuclearNormBounds(m: Matrix): NuclearNormBounds {
  const z = centerAndNormalizeRows(m);
  let squares = 0;
  for (const v of z.data) squares += v * v;
  const frobenius = Math.sqrt(squares);
  const rankBound = Math.min(z.rows, z.cols);
  const exact = { lower: frobenius, upper: Math.sqrt(rankBound) * frobenius };
  const l12 = { lower: frobenius * Math.sqrt(rankBound / z.cols), upper: Math.sqrt(rankBound) * frobenius };
  const ratioLower = z.rows >= z.cols ? 1 : l12.lower / exact.upper;
  return { frobenius, rankBound, exact, l12, ratio: { lower: ratioLower, upper: l12.upper / exact.lower } };
}

/** Eigenvalues of ZᵀZ via the smaller of ZᵀZ (d×d) and ZZᵀ (N×N): the same non-zero spectrum. */
function gramSpectrum(z: Matrix): Float64Array {
  const { rows: n, cols: d, data } = z;
  return d <= n ? symmetricEigen(crossProductColumns(data, n, d), d).values : symmetricEigen(crossProductRows(data, n, d), n).values;
}

/** The sum of singular values of the normalised matrix (what the L1,2 norm approximates). */
export function exactNuclearNorm(m: Matrix): number {
  let sum = 0;
  for (const lambda of gramSpectrum(centerAndNormalizeRows(m))) sum += Math.sqrt(Math.max(0, lambda));
  return sum;
}

/** Normalised matrix entropy in [0, 1] (see the module comment). */
export function matrixEntropy(m: Matrix): number {
  const spectrum = gramSpectrum(centerAndNormalizeRows(m));
  let trace = 0;
  for (const lambda of spectrum) trace += Math.max(0, lambda);
  if (trace <= 0 || m.cols < 2) return Number.NaN;
  let h = 0;
  for (const lambda of spectrum) {
    const p = Math.max(0, lambda) / trace;
    if (p > 0) h -= p * Math.log(p);
  }
  return h / Math.log(m.cols);
}
