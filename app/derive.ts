/**
 * From an engine result and the view settings to the numbers the page draws. All math is core/.
 */
import { cosineSimilarityMatrix, matrix, moeeConcat, type DimensionStats, type Matrix } from '../core/index.ts';
import type { EmbedResult, ReferenceStats, RwKind } from '../workers/protocol.ts';
import type { Representation } from './store.ts';

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

/** The statistics MoEE concat is standardised with: a fixed reference set, or the batch itself. */
export type ConcatStats = { hs: DimensionStats; rw: DimensionStats } | null;

/** The cosine matrices that cost O(n² d): computed off the main thread (app/derive-worker.ts). */
export interface CosineMatrices {
  n: number;
  hs: Float32Array;
  rw: Float32Array;
  concat: Float32Array;
  /** Which statistics standardised the concat. */
  concatStats: 'reference' | 'batch';
}

/** HS, RW and MoEE-concat cosine matrices; concat uses `stats`, or the batch's own when null. */
export function cosineMatrices(hs: Matrix, rw: Matrix, stats: ConcatStats): CosineMatrices {
  return {
    n: hs.rows,
    hs: cosineSimilarityMatrix(hs),
    rw: cosineSimilarityMatrix(rw),
    concat: cosineSimilarityMatrix(moeeConcat(hs, rw, stats ?? undefined)),
    concatStats: stats ? 'reference' : 'batch',
  };
}

/** The off-diagonal upper triangle (each distinct pair once), the list α is tuned on. */
export function upperTriangle(values: ArrayLike<number>, n: number): Float32Array {
  const out = new Float32Array((n * (n - 1)) / 2);
  let k = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) out[k++] = values[i * n + j];
  return out;
}

/** Smallest and largest value off the diagonal (the diagonal is always the maximum and would flatten the colours). */
export function offDiagonalRange(values: ArrayLike<number>, n: number): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i === j && n > 1) continue;
      const v = values[i * n + j];
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  return { min, max };
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

/** JSON of a square matrix with its labels and the settings that produced it. */
export function matrixJson(values: Float32Array, labels: string[], settings: Record<string, unknown>): string {
  const n = labels.length;
  return JSON.stringify({ settings, labels, values: Array.from({ length: n }, (_, i) => Array.from(values.subarray(i * n, (i + 1) * n))) }, null, 1);
}

/** CSV of a row-major table with row and column labels. */
export function tableCsv(values: ArrayLike<number>, rowLabels: string[], columnLabels: string[]): string {
  const quote = (s: string) => `"${s.replaceAll('"', '""')}"`;
  const cols = columnLabels.length;
  const lines = [['', ...columnLabels].map(quote).join(',')];
  rowLabels.forEach((label, r) => lines.push([quote(label), ...Array.from({ length: cols }, (_, c) => Number(values[r * cols + c]).toFixed(6))].join(',')));
  return lines.join('\n') + '\n';
}

/** The k largest entries of each row (ties to the lower index), as sets of column indices. */
export function topKIndices(values: ArrayLike<number>, rows: number, cols: number, k: number): number[][] {
  const out: number[][] = [];
  for (let r = 0; r < rows; r++) {
    const idx = Array.from({ length: cols }, (_, c) => c).sort((a, b) => values[r * cols + b] - values[r * cols + a] || a - b);
    out.push(idx.slice(0, k).sort((a, b) => a - b));
  }
  return out;
}

/** Whether each cell is among its row's k largest. */
export function topKMarks(values: ArrayLike<number>, rows: number, cols: number, k: number): boolean[] {
  const marks = new Array<boolean>(rows * cols).fill(false);
  topKIndices(values, rows, cols, k).forEach((set, r) => set.forEach((c) => (marks[r * cols + c] = true)));
  return marks;
}

/** One layer of per-token routing, [tokens, experts], from [tokens, layers, experts]. */
export function layerSlice(probs: Float32Array, tokens: number, layers: number, experts: number, layer: number): Float32Array {
  const out = new Float32Array(tokens * experts);
  for (let t = 0; t < tokens; t++) out.set(probs.subarray((t * layers + layer) * experts, (t * layers + layer + 1) * experts), t * experts);
  return out;
}

/**
 * Token alignment of two texts by longest common subsequence of token strings: the template's
 * shared tokens line up, the words that differ become gaps. Pairs in order, null for a gap.
 */
export function alignTokens(a: readonly string[], b: readonly string[]): [number | null, number | null][] {
  const m = a.length;
  const n = b.length;
  const lcs = new Uint16Array((m + 1) * (n + 1));
  for (let i = m - 1; i >= 0; i--) {
    for (let j = n - 1; j >= 0; j--) {
      lcs[i * (n + 1) + j] = a[i] === b[j] ? lcs[(i + 1) * (n + 1) + j + 1] + 1 : Math.max(lcs[(i + 1) * (n + 1) + j], lcs[i * (n + 1) + j + 1]);
    }
  }
  const pairs: [number | null, number | null][] = [];
  let i = 0;
  let j = 0;
  while (i < m || j < n) {
    if (i < m && j < n && a[i] === b[j]) pairs.push([i++, j++]);
    else if (j >= n || (i < m && lcs[(i + 1) * (n + 1) + j] >= lcs[i * (n + 1) + j + 1])) pairs.push([i++, null]);
    else pairs.push([null, j++]);
  }
  return pairs;
}

/** How many experts each of two top-k sets share. */
export function overlap(a: readonly number[], b: readonly number[]): number {
  return a.filter((x) => b.includes(x)).length;
}

/** Per expert, how often it is among the top-k of a routing row, summed over rows. */
export function expertLoad(values: ArrayLike<number>, rows: number, experts: number, k: number, counts = new Array<number>(experts).fill(0)): number[] {
  for (const set of topKIndices(values, rows, experts, k)) for (const e of set) counts[e]++;
  return counts;
}
