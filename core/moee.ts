/**
 * Combining HS and RW (shared/MOEE.md §2): MoEE concat = cosine of [z(HS); z(RW)], MoEE sum =
 * cos(HS) + α·cos(RW); α chosen by a label-free rule or by a grid search against gold scores.
 */
import { concatColumns, type Matrix } from './matrix.ts';
import { standardize, type DimensionStats } from './standardize.ts';
import { spearman } from './stats.ts';

/** [z(HS); z(RW)], each block standardised with its own statistics. */
export function moeeConcat(hs: Matrix, rw: Matrix, stats?: { hs?: DimensionStats; rw?: DimensionStats }): Matrix {
  return concatColumns(standardize(hs, stats?.hs), standardize(rw, stats?.rw));
}

/** Element-wise cos(HS) + α·cos(RW) over similarity lists or matrices of the same length. */
export function moeeSum(hsSim: ArrayLike<number>, rwSim: ArrayLike<number>, alpha: number): Float32Array {
  if (hsSim.length !== rwSim.length) throw new RangeError('moeeSum: lengths differ');
  const out = new Float32Array(hsSim.length);
  for (let i = 0; i < out.length; i++) out[i] = hsSim[i] + alpha * rwSim[i];
  return out;
}

/** The default α grid of the paper's author: 0.1, 0.2, …, 1.0. */
const ALPHA_GRID: readonly number[] = Array.from({ length: 10 }, (_, i) => Math.round((i + 1) * 10) / 100);

export interface AlphaScore {
  alpha: number;
  score: number;
}

/** Spearman of the summed similarity with gold scores for every α; the best first in `best`. */
export function alphaGridSearch(hsSim: ArrayLike<number>, rwSim: ArrayLike<number>, gold: ArrayLike<number>, grid: readonly number[] = ALPHA_GRID): { scores: AlphaScore[]; best: AlphaScore } {
  const scores = grid.map((alpha) => ({ alpha, score: spearman(moeeSum(hsSim, rwSim, alpha), gold) }));
  const best = scores.reduce((a, b) => (b.score > a.score ? b : a));
  return { scores, best };
}

/**
 * Label-free α: the grid value whose summed similarity agrees best in rank with both components,
 * i.e. maximises min(Spearman(sum, HS), Spearman(sum, RW)). Ties go to the smaller α. The paper's
 * camera-ready tunes α by gradient for the same goal; the grid keeps it deterministic and cheap.
 */
export function autoAlpha(hsSim: ArrayLike<number>, rwSim: ArrayLike<number>, grid: readonly number[] = ALPHA_GRID): AlphaScore {
  let best: AlphaScore = { alpha: grid[0], score: -Infinity };
  for (const alpha of grid) {
    const sum = moeeSum(hsSim, rwSim, alpha);
    const score = Math.min(spearman(sum, hsSim), spearman(sum, rwSim));
    if (score > best.score + 1e-12) best = { alpha, score };
  }
  return best;
}
