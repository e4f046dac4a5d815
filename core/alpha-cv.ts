/**
 * Cross-validated α for MoEE sum. Picking α by a grid search on the very pairs it is scored on
 * (alphaGridSearch) is optimistic by construction: the best of ten tries on the test set. Here the
 * pairs are split into k seeded folds; each fold's pairs are scored with the α that the other folds
 * chose, and the out-of-fold similarities of all pairs are ranked together against gold
 * (scikit-learn's cross_val_predict). The figure is then directly comparable with the other
 * representations' Spearman over the same pairs, and no pair's score used its own gold value.
 */
import { ALPHA_GRID, alphaGridSearch } from './moee.ts';
import { randomInt, seededRandom } from './random.ts';
import { spearman } from './stats.ts';

/** 5 folds: the usual choice; each α is then chosen on 80% of the pairs. */
export const DEFAULT_CV_FOLDS = 5;

export class CrossValidationError extends Error {
  override readonly name = 'CrossValidationError';
}

/**
 * The fold (0..folds−1) of each of n items: a seeded Fisher–Yates permutation cut into `folds`
 * contiguous parts whose sizes differ by at most one. The same seed gives the same folds.
 */
export function foldAssignment(n: number, folds: number, seed: number): Int32Array {
  if (!Number.isInteger(folds) || folds < 2) throw new CrossValidationError(`cross-validation needs at least 2 folds, got ${folds}`);
  if (n < folds) throw new CrossValidationError(`${folds}-fold cross-validation needs at least ${folds} pairs, got ${n}`);
  const random = seededRandom(seed);
  const permutation = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = randomInt(random, i + 1);
    [permutation[i], permutation[j]] = [permutation[j], permutation[i]];
  }
  const fold = new Int32Array(n);
  for (let f = 0; f < folds; f++) {
    for (let p = Math.floor((f * n) / folds); p < Math.floor(((f + 1) * n) / folds); p++) fold[permutation[p]] = f;
  }
  return fold;
}

export interface AlphaFold {
  /** The α the other folds chose (grid argmax of their Spearman; ties to the smaller α). */
  alpha: number;
  /** Spearman of the other folds at that α (what the choice saw). */
  trainScore: number;
  /** Pairs held out in this fold. */
  size: number;
}

export interface CrossValidatedAlpha {
  /** Spearman of the out-of-fold summed similarities of all pairs with gold. */
  score: number;
  folds: AlphaFold[];
  /** The out-of-fold cos HS + α_fold · cos RW of every pair. */
  predictions: Float64Array;
}

function pick(values: ArrayLike<number>, indices: number[]): Float64Array {
  return Float64Array.from(indices, (i) => values[i]);
}

/** Cross-validated MoEE sum for an explicit fold of every pair (see foldAssignment). */
export function crossValidatedAlphaWithFolds(hsSim: ArrayLike<number>, rwSim: ArrayLike<number>, gold: ArrayLike<number>, fold: ArrayLike<number>, grid: readonly number[] = ALPHA_GRID): CrossValidatedAlpha {
  const n = gold.length;
  if (hsSim.length !== n || rwSim.length !== n || fold.length !== n) throw new CrossValidationError('crossValidatedAlpha: the similarity, gold and fold lists differ in length');
  const count = Math.max(...Array.from(fold)) + 1;
  const predictions = new Float64Array(n);
  const folds: AlphaFold[] = [];
  for (let f = 0; f < count; f++) {
    const train: number[] = [];
    const test: number[] = [];
    for (let i = 0; i < n; i++) (fold[i] === f ? test : train).push(i);
    if (test.length === 0 || train.length < 2) throw new CrossValidationError(`fold ${f} leaves ${train.length} pairs to choose α on and ${test.length} to test`);
    const { best } = alphaGridSearch(pick(hsSim, train), pick(rwSim, train), pick(gold, train), grid);
    for (const i of test) predictions[i] = hsSim[i] + best.alpha * rwSim[i];
    folds.push({ alpha: best.alpha, trainScore: best.score, size: test.length });
  }
  return { score: spearman(predictions, gold), folds, predictions };
}

/** Cross-validated MoEE sum over `folds` seeded folds of the pairs. */
export function crossValidatedAlpha(hsSim: ArrayLike<number>, rwSim: ArrayLike<number>, gold: ArrayLike<number>, options: { folds?: number; seed?: number; grid?: readonly number[] } = {}): CrossValidatedAlpha {
  const { folds = DEFAULT_CV_FOLDS, seed = 0, grid = ALPHA_GRID } = options;
  return crossValidatedAlphaWithFolds(hsSim, rwSim, gold, foldAssignment(gold.length, folds, seed), grid);
}
