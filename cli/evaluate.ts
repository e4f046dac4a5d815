/**
 * STS evaluation on the engine: Spearman ×100 of cosine vs gold for HS, RW (softmax, logits), MoEE
 * concat (batch z-scores, as the paper) and MoEE sum (α = 1 and the best grid α), per template and
 * per subset. Shared by `moee eval`, `npm run eval` and the benchmark.
 */
import { alphaGridSearch, matrix, moeeConcat, moeeSum, pairCosines, spearman, uniqueSentences, type Matrix, type StsPair } from '../core/index.ts';
import { MAX_TEXTS_PER_REQUEST, type EmbedOptions, type EmbedResult } from '../workers/protocol.ts';
import type { BuiltinTemplateId } from '../workers/templates.ts';

export type Embed = (texts: string[], options: EmbedOptions) => Promise<EmbedResult>;

export const METHODS = ['hs', 'rw_softmax', 'rw_logits', 'concat', 'sum_alpha1', 'sum_best'] as const;
export type Method = (typeof METHODS)[number];

export interface TemplateScores {
  template: BuiltinTemplateId;
  /** Spearman ×100 over all pairs. */
  all: Record<Method, number>;
  /** Per subset, Spearman ×100. */
  subsets: Record<string, Record<Method, number>>;
  bestAlpha: number;
  seconds: number;
}

/** Pair cosines of one representation. */
function pairs(m: Matrix, index: Int32Array): Float64Array {
  return pairCosines(m, m, index);
}

export async function evaluateSts(pairsIn: StsPair[], template: BuiltinTemplateId, embed: Embed, base: EmbedOptions): Promise<TemplateScores> {
  const started = performance.now();
  const { sentences, index } = uniqueSentences(pairsIn);
  const result = await embed(sentences, { ...base, template: { id: template }, tokenRouting: false });
  const hs = matrix(result.hs.data, result.hs.dims[0], result.hs.dims[1]);
  const width = result.rwSoftmax.dims[1] * result.rwSoftmax.dims[2];
  const rwSoftmax = matrix(result.rwSoftmax.data, hs.rows, width);
  const rwLogits = matrix(result.rwLogits.data, hs.rows, width);
  const sims: Record<Exclude<Method, 'sum_alpha1' | 'sum_best'>, Float64Array> = {
    hs: pairs(hs, index),
    rw_softmax: pairs(rwSoftmax, index),
    rw_logits: pairs(rwLogits, index),
    concat: pairs(moeeConcat(hs, rwSoftmax), index),
  };
  const rwSim = sims.rw_softmax;
  const gold = Float64Array.from(pairsIn, (p) => p.score);
  const grid = alphaGridSearch(sims.hs, rwSim, gold);
  const all = score(sims, rwSim, gold, grid.best.alpha, null, pairsIn);
  const subsets: Record<string, Record<Method, number>> = {};
  for (const subset of new Set(pairsIn.map((p) => p.subset))) subsets[subset] = score(sims, rwSim, gold, grid.best.alpha, subset, pairsIn);
  return { template, all, subsets, bestAlpha: grid.best.alpha, seconds: (performance.now() - started) / 1000 };
}

function score(
  sims: Record<'hs' | 'rw_softmax' | 'rw_logits' | 'concat', Float64Array>,
  rwSim: Float64Array,
  gold: Float64Array,
  bestAlpha: number,
  subset: string | null,
  pairsIn: StsPair[],
): Record<Method, number> {
  const keep = pairsIn.map((p, i) => (subset === null || p.subset === subset ? i : -1)).filter((i) => i >= 0);
  const pick = (a: ArrayLike<number>) => keep.map((i) => a[i]);
  const g = pick(gold);
  const s = (a: ArrayLike<number>) => Math.round(spearman(pick(a), g) * 10000) / 100;
  return {
    hs: s(sims.hs),
    rw_softmax: s(sims.rw_softmax),
    rw_logits: s(sims.rw_logits),
    concat: s(sims.concat),
    sum_alpha1: s(moeeSum(sims.hs, rwSim, 1)),
    sum_best: s(moeeSum(sims.hs, rwSim, bestAlpha)),
  };
}

// ---------------------------------------------------------------------------------------------
// The full STS suite (npm run eval): several files, templates and poolings from one set of
// embeddings per (template, pooling), each distinct sentence embedded once.
// ---------------------------------------------------------------------------------------------

/** The representations of a set of sentences, rows in sentence order. */
export interface SentenceEmbeddings {
  hs: Matrix;
  rwSoftmax: Matrix;
  rwLogits: Matrix;
}

/** Embed `sentences` once under one template and pooling. */
export async function embedSentences(sentences: string[], template: BuiltinTemplateId, embed: Embed, base: EmbedOptions): Promise<SentenceEmbeddings> {
  const parts: EmbedResult[] = [];
  // One request may carry at most MAX_TEXTS_PER_REQUEST texts, as from the page.
  for (let start = 0; start < sentences.length; start += MAX_TEXTS_PER_REQUEST) {
    parts.push(await embed(sentences.slice(start, start + MAX_TEXTS_PER_REQUEST), { ...base, template: { id: template }, tokenRouting: false }));
  }
  const joined = (pick: (r: EmbedResult) => Float32Array) => {
    const out = new Float32Array(parts.reduce((n, r) => n + pick(r).length, 0));
    let at = 0;
    for (const r of parts) {
      out.set(pick(r), at);
      at += pick(r).length;
    }
    return out;
  };
  const rows = sentences.length;
  const width = parts[0].rwSoftmax.dims[1] * parts[0].rwSoftmax.dims[2];
  return {
    hs: matrix(joined((r) => r.hs.data), rows, parts[0].hs.dims[1]),
    rwSoftmax: matrix(joined((r) => r.rwSoftmax.data), rows, width),
    rwLogits: matrix(joined((r) => r.rwLogits.data), rows, width),
  };
}

/** The rows `pick` of a matrix, in that order. */
export function selectRows(m: Matrix, pick: ArrayLike<number>): Matrix {
  const out = new Float32Array(pick.length * m.cols);
  for (let r = 0; r < pick.length; r++) out.set(m.data.subarray(pick[r] * m.cols, (pick[r] + 1) * m.cols), r * m.cols);
  return matrix(out, pick.length, m.cols);
}

/** Spearman ×100 rounded to 2 decimals, as the tables show it. */
export function spearman100(sims: ArrayLike<number>, gold: ArrayLike<number>): number {
  return Math.round(spearman(sims, gold) * 10000) / 100;
}

/** Pair similarities of every method on one file (its own sentence rows, batch z-scores for concat). */
export function methodSimilarities(emb: SentenceEmbeddings, index: Int32Array, gold: Float64Array): { sims: Record<Method, Float64Array | Float32Array>; bestAlpha: number } {
  const hs = pairs(emb.hs, index);
  const rwSoftmax = pairs(emb.rwSoftmax, index);
  const grid = alphaGridSearch(hs, rwSoftmax, gold);
  return {
    sims: {
      hs,
      rw_softmax: rwSoftmax,
      rw_logits: pairs(emb.rwLogits, index),
      concat: pairs(moeeConcat(emb.hs, emb.rwSoftmax), index),
      sum_alpha1: moeeSum(hs, rwSoftmax, 1),
      sum_best: moeeSum(hs, rwSoftmax, grid.best.alpha),
    },
    bestAlpha: grid.best.alpha,
  };
}

/** Spearman ×100 of each named similarity list over all pairs and per subset. */
export function scoreBySubset<K extends string>(sims: Record<K, ArrayLike<number>>, pairsIn: StsPair[]): { all: Record<K, number>; subsets: Record<string, Record<K, number>> } {
  const names = Object.keys(sims) as K[];
  const scoreOn = (keep: number[]) => {
    const g = keep.map((i) => pairsIn[i].score);
    return Object.fromEntries(names.map((n) => [n, spearman100(keep.map((i) => sims[n][i]), g)])) as Record<K, number>;
  };
  const subsets: Record<string, Record<K, number>> = {};
  for (const subset of new Set(pairsIn.map((p) => p.subset))) {
    subsets[subset] = scoreOn(pairsIn.flatMap((p, i) => (p.subset === subset ? [i] : [])));
  }
  return { all: scoreOn(pairsIn.map((_, i) => i)), subsets };
}

/** Mean of the off-diagonal (or, with `diagonal`, all) cells of a square or rectangular grid. */
function gridMean(grid: number[][], diagonal: boolean): number {
  let sum = 0;
  let n = 0;
  grid.forEach((row, i) =>
    row.forEach((v, j) => {
      if (diagonal || i !== j) {
        sum += v;
        n++;
      }
    }),
  );
  return sum / n;
}

/** Prompt robustness (the paper's Fig. 4): Spearman between templates' pair-similarity lists. */
export interface CrossTemplateCorrelation {
  templates: BuiltinTemplateId[];
  /** [i][j]: Spearman(HS sims under template i, HS sims under template j). */
  hsHs: number[][];
  rwRw: number[][];
  /** [i][j]: Spearman(HS sims under template i, RW sims under template j). */
  hsRw: number[][];
  /** Averages over template pairs i ≠ j (HS–RW: over all i, j, same template included). */
  mean: { hsHs: number; rwRw: number; hsRw: number; hsRwSameTemplate: number };
}

export function crossTemplateCorrelation(templates: BuiltinTemplateId[], hsSims: Float64Array[], rwSims: Float64Array[]): CrossTemplateCorrelation {
  const grid = (a: Float64Array[], b: Float64Array[]) => a.map((x) => b.map((y) => spearman(x, y)));
  const hsHs = grid(hsSims, hsSims);
  const rwRw = grid(rwSims, rwSims);
  const hsRw = grid(hsSims, rwSims);
  return {
    templates,
    hsHs,
    rwRw,
    hsRw,
    mean: { hsHs: gridMean(hsHs, false), rwRw: gridMean(rwRw, false), hsRw: gridMean(hsRw, true), hsRwSameTemplate: hsRw.reduce((s, r, i) => s + r[i], 0) / hsRw.length },
  };
}

export { pairs as representationPairCosines };
