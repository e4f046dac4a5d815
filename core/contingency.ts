/**
 * The contingency table of two clusterings drawn as a picture: rows are the clusters of one, columns
 * those of the other, reordered so that the one-to-one matching that maximises agreement (the
 * matching behind exactMatchRate) lies on the diagonal. The diagonal mass is then the exact-match
 * share and everything off it is where the two clusterings disagree (paper Table 1).
 */
import { contingency, hungarian } from './cluster.ts';

export interface MatchedContingency {
  /** ka×kb counts, row-major, columns in matched order. */
  counts: Float64Array;
  ka: number;
  kb: number;
  /** The original label of each row and of each (reordered) column. */
  rowLabels: number[];
  colLabels: number[];
  /** Items on the diagonal (matched clusters) and in all. */
  matched: number;
  n: number;
}

/** Distinct labels in order of first appearance (contingency's own row and column order). */
function firstAppearance(labels: ArrayLike<number>): number[] {
  return [...new Set(Array.from(labels))];
}

export function matchedContingency(a: ArrayLike<number>, b: ArrayLike<number>): MatchedContingency {
  const c = contingency(a, b);
  const colIds = firstAppearance(b);
  const size = Math.max(c.ka, c.kb);
  const cost = new Float64Array(size * size);
  for (let i = 0; i < c.ka; i++) for (let j = 0; j < c.kb; j++) cost[i * size + j] = -c.table[i * c.kb + j];
  const assignment = hungarian(cost, size);
  // Rows by label, matched rows first, so that the k-th row's partner is the k-th column; the
  // clusters left without a partner (when the two k differ) go last.
  const rowIds = firstAppearance(a);
  const byLabel = (ids: number[], labels: number[]) => ids.sort((x, y) => labels[x] - labels[y]);
  const matchedRows = byLabel(rowIds.map((_, i) => i).filter((i) => assignment[i] < c.kb), rowIds);
  const rows = [...matchedRows, ...byLabel(rowIds.map((_, i) => i).filter((i) => assignment[i] >= c.kb), rowIds)];
  const columns = matchedRows.map((i) => assignment[i]);
  columns.push(...byLabel(colIds.map((_, j) => j).filter((j) => !columns.includes(j)), colIds));
  const counts = new Float64Array(c.ka * c.kb);
  let matched = 0;
  rows.forEach((i, r) => {
    columns.forEach((j, col) => {
      counts[r * c.kb + col] = c.table[i * c.kb + j];
      if (r === col && r < matchedRows.length) matched += c.table[i * c.kb + j];
    });
  });
  return { counts, ka: c.ka, kb: c.kb, rowLabels: rows.map((i) => rowIds[i]), colLabels: columns.map((j) => colIds[j]), matched, n: c.n };
}
