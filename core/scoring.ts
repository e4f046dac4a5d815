/**
 * STS scoring (shared/MOEE.md §4): Spearman ×100 between gold scores and the cosine similarity of
 * each pair, for HS, RW (softmax and logits), MoEE concat (batch z-scores, as the paper) and MoEE
 * sum (α = 1 and the best grid α). The one implementation behind `moee eval`, `npm run eval`, the
 * Analysis tab's benchmark and layer views, so they all print the same number for the same input.
 */
import { matrix, type Matrix } from './matrix.ts';
import { alphaGridSearch, moeeConcat, moeeSum, type AlphaScore } from './moee.ts';
import { meanOffDiagonal, templateCorrelation } from './robustness.ts';
import { pairCosines } from './similarity.ts';
import { spearman } from './stats.ts';
import { uniqueSentences, type StsPair } from './sts.ts';

/** The scored methods, in the order the tables show them. */
export const STS_METHODS = ['hs', 'rw_softmax', 'rw_logits', 'concat', 'sum_alpha1', 'sum_best'] as const;
export type StsMethod = (typeof STS_METHODS)[number];

/**
 * The representations of a set of texts, one row per text in the set's order: HS and RW (the
 * router softmax and its raw logits, all MoE layers concatenated). MoEE concat and MoEE sum at α
 * are derived from these by `stsSimilarities`; nothing else builds them for scoring.
 */
export interface TextSetEmbeddings {
  hs: Matrix;
  rwSoftmax: Matrix;
  rwLogits: Matrix;
  /** MoE layers and routed experts per layer: RW's columns are layer-major, layers × experts. */
  layers: number;
  experts: number;
}

/** A float tensor with its shape, as the engine returns it (structural, so core imports nothing). */
interface TensorLike {
  data: Float32Array;
  dims: readonly number[];
}

/** The set of an engine result: HS [texts, hidden], RW [texts, layers, experts]. */
export function textSetEmbeddings(result: { hs: TensorLike; rwSoftmax: TensorLike; rwLogits: TensorLike }): TextSetEmbeddings {
  const [rows, layers, experts] = result.rwSoftmax.dims;
  return {
    hs: matrix(result.hs.data, result.hs.dims[0], result.hs.dims[1]),
    rwSoftmax: matrix(result.rwSoftmax.data, rows, layers * experts),
    rwLogits: matrix(result.rwLogits.data, rows, layers * experts),
    layers,
    experts,
  };
}

/** The rows `pick` of a matrix, in that order. */
function selectRows(m: Matrix, pick: ArrayLike<number>): Matrix {
  const out = m.data instanceof Float32Array ? new Float32Array(pick.length * m.cols) : new Float64Array(pick.length * m.cols);
  for (let r = 0; r < pick.length; r++) out.set(m.data.subarray(pick[r] * m.cols, (pick[r] + 1) * m.cols), r * m.cols);
  return matrix(out, pick.length, m.cols);
}

/** The rows `pick` of every representation (e.g. one file's sentences out of a union). */
export function selectTextSet(set: TextSetEmbeddings, pick: ArrayLike<number>): TextSetEmbeddings {
  return { ...set, hs: selectRows(set.hs, pick), rwSoftmax: selectRows(set.rwSoftmax, pick), rwLogits: selectRows(set.rwLogits, pick) };
}

/** Which rows each pair compares ([a0, b0, a1, b1, …]) and, optionally, the subset of each pair. */
export interface PairRows {
  index: Int32Array;
  subsets?: readonly string[];
}

/** An STS file as scoring needs it: its distinct sentences (the set's rows), pair rows and gold. */
export function stsPairRows(pairs: StsPair[]): { sentences: string[]; rows: PairRows; gold: Float64Array } {
  const { sentences, index } = uniqueSentences(pairs);
  return { sentences, rows: { index, subsets: pairs.map((p) => p.subset) }, gold: Float64Array.from(pairs, (p) => p.score) };
}

/** Spearman ×100 rounded to 2 decimals, as every table shows it. */
export function spearman100(sims: ArrayLike<number>, gold: ArrayLike<number>): number {
  return Math.round(spearman(sims, gold) * 10000) / 100;
}

/** Pair cosines of one representation. */
export function representationPairCosines(m: Matrix, index: Int32Array): Float64Array {
  return pairCosines(m, m, index);
}

/** Every method's pair similarities, the α grid (MoEE sum of HS and RW softmax) and its best α. */
export interface StsSimilarities {
  sims: Record<StsMethod, Float64Array | Float32Array>;
  bestAlpha: number;
  alphaGrid: AlphaScore[];
}

export function stsSimilarities(set: TextSetEmbeddings, index: Int32Array, gold: ArrayLike<number>): StsSimilarities {
  const hs = representationPairCosines(set.hs, index);
  const rwSoftmax = representationPairCosines(set.rwSoftmax, index);
  const grid = alphaGridSearch(hs, rwSoftmax, gold);
  return {
    sims: {
      hs,
      rw_softmax: rwSoftmax,
      rw_logits: representationPairCosines(set.rwLogits, index),
      concat: representationPairCosines(moeeConcat(set.hs, set.rwSoftmax), index),
      sum_alpha1: moeeSum(hs, rwSoftmax, 1),
      sum_best: moeeSum(hs, rwSoftmax, grid.best.alpha),
    },
    bestAlpha: grid.best.alpha,
    alphaGrid: grid.scores,
  };
}

/** Spearman ×100 of each named similarity list over all pairs and, when pairs have subsets, per subset. */
export function scoreBySubset<K extends string>(
  sims: Record<K, ArrayLike<number>>,
  gold: ArrayLike<number>,
  subsets?: readonly string[],
): { all: Record<K, number>; subsets: Record<string, Record<K, number>> } {
  const names = Object.keys(sims) as K[];
  const scoreOn = (keep: number[]) => {
    const g = keep.map((i) => gold[i]);
    return Object.fromEntries(names.map((n) => [n, spearman100(keep.map((i) => sims[n][i]), g)])) as Record<K, number>;
  };
  const bySubset: Record<string, Record<K, number>> = {};
  if (subsets) {
    for (const subset of new Set(subsets)) bySubset[subset] = scoreOn(subsets.flatMap((s, i) => (s === subset ? [i] : [])));
  }
  return { all: scoreOn(Array.from({ length: gold.length }, (_, i) => i)), subsets: bySubset };
}

/** The STS scores of one set of texts: Spearman ×100 per method, overall and per subset. */
export interface StsScores {
  all: Record<StsMethod, number>;
  subsets: Record<string, Record<StsMethod, number>>;
  /** The grid α (0.1…1.0) with the best MoEE sum score (chosen with gold: an upper bound). */
  bestAlpha: number;
}

/** Score a set against gold: `pairs.index` points into the set's rows, `gold[i]` is pair i's score. */
export function scoreSts(set: TextSetEmbeddings, pairs: PairRows, gold: ArrayLike<number>): StsScores & { similarities: StsSimilarities } {
  if (pairs.index.length !== 2 * gold.length) throw new RangeError(`scoreSts: ${pairs.index.length / 2} pairs but ${gold.length} gold scores`);
  const similarities = stsSimilarities(set, pairs.index, gold);
  const { all, subsets } = scoreBySubset(similarities.sims, gold, pairs.subsets);
  return { all, subsets, bestAlpha: similarities.bestAlpha, similarities };
}

/** Prompt robustness (the paper's Fig. 4): Spearman between templates' pair-similarity lists. */
export interface CrossTemplateCorrelation<T extends string = string> {
  templates: T[];
  /** [i][j]: Spearman(HS sims under template i, HS sims under template j). */
  hsHs: number[][];
  rwRw: number[][];
  /** [i][j]: Spearman(HS sims under template i, RW sims under template j). */
  hsRw: number[][];
  /** Averages over template pairs i ≠ j (HS–RW: over all i, j, same template included). */
  mean: { hsHs: number; rwRw: number; hsRw: number; hsRwSameTemplate: number };
}

export function crossTemplateCorrelation<T extends string>(templates: T[], hsSims: ArrayLike<number>[], rwSims: ArrayLike<number>[]): CrossTemplateCorrelation<T> {
  const t = templates.length;
  const rows = (flat: Float64Array) => Array.from({ length: t }, (_, i) => Array.from(flat.subarray(i * t, (i + 1) * t)));
  const hsHs = templateCorrelation(hsSims, hsSims);
  const rwRw = templateCorrelation(rwSims, rwSims);
  const hsRw = templateCorrelation(hsSims, rwSims);
  let same = 0;
  for (let i = 0; i < t; i++) same += hsRw[i * t + i];
  return {
    templates,
    hsHs: rows(hsHs),
    rwRw: rows(rwRw),
    hsRw: rows(hsRw),
    mean: { hsHs: meanOffDiagonal(hsHs, t), rwRw: meanOffDiagonal(rwRw, t), hsRw: meanOffDiagonal(hsRw, t, true), hsRwSameTemplate: same / t },
  };
}
