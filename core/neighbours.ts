/**
 * Nearest neighbours of one query text among a corpus, under HS, RW, MoEE concat and MoEE sum
 * (shared/MOEE.md §2), scored block by block so that thousands of rows can be scored with progress
 * and a cancel check between blocks; then the top k of each ranking and where the rankings differ.
 */
import type { Matrix } from './matrix.ts';
import { standardize, type DimensionStats } from './standardize.ts';

/** The four representations a query is ranked under. */
export type NeighbourRepresentation = 'hs' | 'rw' | 'concat' | 'sum';
export const NEIGHBOUR_REPRESENTATIONS: readonly NeighbourRepresentation[] = ['hs', 'rw', 'concat', 'sum'];

/** Per representation, one score per corpus row. */
export type NeighbourScores = Record<NeighbourRepresentation, Float64Array>;

/** The query's HS and RW (one row each). */
export interface NeighbourQuery {
  hs: ArrayLike<number>;
  rw: ArrayLike<number>;
}

/** What MoEE concat standardises both the query and the corpus with (reference set or the corpus's own). */
export interface ConcatStandardization {
  hs: DimensionStats;
  rw: DimensionStats;
}

function rowMatrix(values: ArrayLike<number>): Matrix {
  return { data: Float64Array.from(values), rows: 1, cols: values.length };
}

function dot(a: ArrayLike<number>, aAt: number, b: ArrayLike<number>, bAt: number, d: number): number {
  let s = 0;
  for (let k = 0; k < d; k++) s += a[aAt + k] * b[bAt + k];
  return s;
}

/**
 * Scores of the corpus rows `hs` / `rw` (one block of the corpus) against the query: cos HS,
 * cos RW, cos of [z(HS); z(RW)] (both standardised with `stats`, as core/moee.ts's moeeConcat
 * does) and cos HS + α·cos RW. A row or query of zeros scores 0.
 */
export function neighbourScoresBlock(query: NeighbourQuery, hs: Matrix, rw: Matrix, stats: ConcatStandardization, alpha: number): NeighbourScores {
  if (hs.rows !== rw.rows) throw new RangeError('neighbourScoresBlock: HS and RW row counts differ');
  if (query.hs.length !== hs.cols || query.rw.length !== rw.cols) throw new RangeError('neighbourScoresBlock: the query and the corpus have different dimensions');
  const n = hs.rows;
  const out: NeighbourScores = { hs: new Float64Array(n), rw: new Float64Array(n), concat: new Float64Array(n), sum: new Float64Array(n) };
  const zqh = standardize(rowMatrix(query.hs), stats.hs).data;
  const zqr = standardize(rowMatrix(query.rw), stats.rw).data;
  const zh = standardize(hs, stats.hs).data;
  const zr = standardize(rw, stats.rw).data;
  const qh2 = dot(query.hs, 0, query.hs, 0, hs.cols);
  const qr2 = dot(query.rw, 0, query.rw, 0, rw.cols);
  const zq2 = dot(zqh, 0, zqh, 0, hs.cols) + dot(zqr, 0, zqr, 0, rw.cols);
  const cos = (num: number, a2: number, b2: number) => (a2 > 0 && b2 > 0 ? num / Math.sqrt(a2 * b2) : 0);
  for (let i = 0; i < n; i++) {
    const h = i * hs.cols;
    const r = i * rw.cols;
    const cosHs = cos(dot(query.hs, 0, hs.data, h, hs.cols), qh2, dot(hs.data, h, hs.data, h, hs.cols));
    const cosRw = cos(dot(query.rw, 0, rw.data, r, rw.cols), qr2, dot(rw.data, r, rw.data, r, rw.cols));
    const zDot = dot(zqh, 0, zh, h, hs.cols) + dot(zqr, 0, zr, r, rw.cols);
    const z2 = dot(zh, h, zh, h, hs.cols) + dot(zr, r, zr, r, rw.cols);
    out.hs[i] = cosHs;
    out.rw[i] = cosRw;
    out.concat[i] = cos(zDot, zq2, z2);
    out.sum[i] = cosHs + alpha * cosRw;
  }
  return out;
}

/** Rows of a matrix [start, end) as a matrix (a view, no copy). */
function rowBlock(m: Matrix, start: number, end: number): Matrix {
  return { data: m.data.subarray(start * m.cols, end * m.cols), rows: end - start, cols: m.cols };
}

/** Every row's scores, computed in blocks of `blockRows` with `beforeBlock` (a cancel check) and progress between them. */
export function neighbourScores(
  query: NeighbourQuery,
  hs: Matrix,
  rw: Matrix,
  stats: ConcatStandardization,
  alpha: number,
  options: { blockRows?: number; beforeBlock?: () => void; onProgress?: (done: number, total: number) => void } = {},
): NeighbourScores {
  const n = hs.rows;
  const block = Math.max(1, options.blockRows ?? 512);
  const out: NeighbourScores = { hs: new Float64Array(n), rw: new Float64Array(n), concat: new Float64Array(n), sum: new Float64Array(n) };
  for (let start = 0; start < n; start += block) {
    options.beforeBlock?.();
    const end = Math.min(n, start + block);
    const part = neighbourScoresBlock(query, rowBlock(hs, start, end), rowBlock(rw, start, end), stats, alpha);
    for (const rep of NEIGHBOUR_REPRESENTATIONS) out[rep].set(part[rep], start);
    options.onProgress?.(end, n);
  }
  return out;
}

/** `a` before `b` in a ranking: higher score first, ties to the lower index (numpy's stable argsort of −score). */
function ranksBefore(scores: ArrayLike<number>, a: number, b: number): boolean {
  return scores[a] > scores[b] || (scores[a] === scores[b] && a < b);
}

/** The indices of the k highest scores, best first (ties to the lower index); one pass, O(n·k). */
export function topK(scores: ArrayLike<number>, k: number): number[] {
  const best: number[] = [];
  const keep = Math.min(k, scores.length);
  for (let i = 0; i < scores.length; i++) {
    if (best.length === keep && !ranksBefore(scores, i, best[keep - 1])) continue;
    let at = best.length === keep ? keep - 1 : best.length;
    best[at] = i;
    while (at > 0 && ranksBefore(scores, best[at], best[at - 1])) {
      [best[at - 1], best[at]] = [best[at], best[at - 1]];
      at--;
    }
  }
  return best;
}

/** 1-based rank of row `index` in the ranking of `scores` (same order as topK). */
export function rankOf(scores: ArrayLike<number>, index: number): number {
  let rank = 1;
  for (let j = 0; j < scores.length; j++) if (j !== index && ranksBefore(scores, j, index)) rank++;
  return rank;
}

/** One representation's top k with, for every other representation, each row's rank there. */
export interface NeighbourColumn {
  representation: NeighbourRepresentation;
  indices: number[];
  scores: number[];
  /** ranksElsewhere[other][i]: the rank of indices[i] under `other`. */
  ranksElsewhere: Record<NeighbourRepresentation, number[]>;
  /** Rows of this top k that are in no other representation's top k. */
  onlyHere: number[];
}

/** How many rows two top-k lists share, for every pair of representations. */
export type TopKOverlap = Record<NeighbourRepresentation, Record<NeighbourRepresentation, number>>;

/** The top k of every representation, each row's rank under the others, and the overlaps: where the rankings differ. */
export function compareRankings(scores: NeighbourScores, k: number): { columns: NeighbourColumn[]; overlap: TopKOverlap } {
  const tops = Object.fromEntries(NEIGHBOUR_REPRESENTATIONS.map((rep) => [rep, topK(scores[rep], k)])) as Record<NeighbourRepresentation, number[]>;
  const columns = NEIGHBOUR_REPRESENTATIONS.map((rep) => {
    const indices = tops[rep];
    const ranksElsewhere = Object.fromEntries(NEIGHBOUR_REPRESENTATIONS.map((other) => [other, indices.map((i) => rankOf(scores[other], i))])) as Record<NeighbourRepresentation, number[]>;
    const onlyHere = indices.filter((i) => NEIGHBOUR_REPRESENTATIONS.every((other) => other === rep || !tops[other].includes(i)));
    return { representation: rep, indices, scores: indices.map((i) => scores[rep][i]), ranksElsewhere, onlyHere };
  });
  const overlap = Object.fromEntries(
    NEIGHBOUR_REPRESENTATIONS.map((a) => [a, Object.fromEntries(NEIGHBOUR_REPRESENTATIONS.map((b) => [b, tops[a].filter((i) => tops[b].includes(i)).length]))]),
  ) as TopKOverlap;
  return { columns, overlap };
}
