/**
 * From an engine result and the view settings to the numbers the page draws. All math is core/.
 */
import { cosineSimilarityMatrix, matrix, moeeConcat, moeeSum, type Matrix } from '../core/index.ts';
import type { EmbedResult, ReferenceStats, RwKind } from '../workers/protocol.ts';
import type { Representation } from './store.ts';

export interface SimilarityMatrices {
  n: number;
  hs: Float32Array;
  rw: Float32Array;
  concat: Float32Array;
  sum: Float32Array;
}

export function hsMatrix(result: EmbedResult): Matrix {
  return matrix(result.hs.data, result.hs.dims[0], result.hs.dims[1]);
}

export function rwMatrix(result: EmbedResult, kind: RwKind): Matrix {
  const t = kind === 'softmax' ? result.rwSoftmax : result.rwLogits;
  return matrix(t.data, t.dims[0], t.dims[1] * t.dims[2]);
}

/**
 * The reference statistics that fit a result, or null: they exist per built-in template for
 * last-token pooling without the instruction prefix.
 */
export function referenceStatsFor(result: EmbedResult, stats: ReferenceStats | null, rwKind: RwKind) {
  const o = result.options;
  if (!stats || o.template.id === 'custom' || o.pooling !== 'last' || o.instruction) return null;
  const entry = stats[o.template.id];
  if (!entry) return null;
  const f64 = (a: Float32Array) => Float64Array.from(a);
  const rw = rwKind === 'softmax' ? entry.rw_softmax : entry.rw_logits;
  return { hs: { mean: f64(entry.hs.mean), std: f64(entry.hs.std) }, rw: { mean: f64(rw.mean), std: f64(rw.std) } };
}

/** The four similarity matrices of the paper for one result; concat says which statistics it used. */
export function similarityMatrices(result: EmbedResult, rwKind: RwKind, alpha: number, stats: ReferenceStats | null): SimilarityMatrices & { concatStats: 'reference' | 'batch' } {
  const hs = hsMatrix(result);
  const rw = rwMatrix(result, rwKind);
  const hsSim = cosineSimilarityMatrix(hs);
  const rwSim = cosineSimilarityMatrix(rw);
  const reference = referenceStatsFor(result, stats, rwKind);
  return {
    n: hs.rows,
    hs: hsSim,
    rw: rwSim,
    concat: cosineSimilarityMatrix(moeeConcat(hs, rw, reference ?? undefined)),
    concatStats: reference ? 'reference' : 'batch',
    sum: moeeSum(hsSim, rwSim, alpha),
  };
}

export const REPRESENTATION_LABEL: Record<Representation, string> = {
  hs: 'HS (hidden state)',
  rw: 'RW (routing weights)',
  concat: 'MoEE concat',
  sum: 'MoEE sum',
};

/**
 * A display order that puts similar texts together: greedy nearest-neighbour chain on the matrix,
 * starting from text 0 (deterministic).
 */
export function clusterOrder(sim: Float32Array, n: number): number[] {
  const order = [0];
  const used = new Set(order);
  while (order.length < n) {
    const last = order[order.length - 1];
    let best = -1;
    for (let j = 0; j < n; j++) if (!used.has(j) && (best < 0 || sim[last * n + j] > sim[last * n + best])) best = j;
    order.push(best);
    used.add(best);
  }
  return order;
}

/** CSV of a square matrix with text labels. */
export function matrixCsv(values: Float32Array, labels: string[]): string {
  const quote = (s: string) => `"${s.replaceAll('"', '""')}"`;
  const n = labels.length;
  const lines = [['', ...labels].map(quote).join(',')];
  for (let i = 0; i < n; i++) lines.push([quote(labels[i]), ...Array.from(values.subarray(i * n, (i + 1) * n), (v) => v.toFixed(6))].join(','));
  return lines.join('\n') + '\n';
}
