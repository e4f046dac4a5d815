/**
 * STS evaluation on the engine: Spearman ×100 of cosine vs gold for HS, RW (softmax, logits), MoEE
 * concat (batch z-scores, as the paper) and MoEE sum (α = 1 and the best grid α), per template and
 * per subset. Shared by `moee eval`, `npm run eval` and the benchmark.
 */
import { alphaGridSearch, matrix, moeeConcat, moeeSum, pairCosines, spearman, uniqueSentences, type Matrix, type StsPair } from '../core/index.ts';
import type { EmbedOptions, EmbedResult } from '../workers/protocol.ts';
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
