/**
 * The analysis views' light math on engine results: DOM-free, built from core/ only (so a Node
 * test can check it against the same core functions the CLI uses).
 */
import { pairCosines, sliceColumns, spearman100, type Matrix, type TextSetEmbeddings } from '../../core/index.ts';
import type { RwKind } from '../../workers/protocol.ts';

/** The RW matrix the settings ask for (router softmax or raw logits). */
export function rwOf(r: TextSetEmbeddings, kind: RwKind): Matrix {
  return kind === 'softmax' ? r.rwSoftmax : r.rwLogits;
}

/** RW restricted to the chosen MoE layers (indices into the tapped layers), columns in layer order. */
function rwFromLayers(rw: Matrix, experts: number, layers: number[]): Matrix {
  const parts = [...layers].sort((a, b) => a - b).map((l) => sliceColumns(rw, l * experts, (l + 1) * experts));
  const cols = parts.length * experts;
  const out = new Float64Array(rw.rows * cols);
  for (let i = 0; i < rw.rows; i++) parts.forEach((p, k) => out.set(p.data.subarray(i * experts, (i + 1) * experts), i * cols + k * experts));
  return { data: out, rows: rw.rows, cols };
}

/** Per-layer RW Spearman ×100 and the score of RW built from `chosen` layers. */
export function layerScores(rw: Matrix, experts: number, layerCount: number, index: Int32Array, gold: ArrayLike<number>, chosen: number[]): { perLayer: number[]; subset: number | null } {
  const perLayer = Array.from({ length: layerCount }, (_, l) => {
    const m = sliceColumns(rw, l * experts, (l + 1) * experts);
    return spearman100(pairCosines(m, m, index), gold);
  });
  const subsetMatrix = chosen.length > 0 ? rwFromLayers(rw, experts, chosen) : null;
  return { perLayer, subset: subsetMatrix ? spearman100(pairCosines(subsetMatrix, subsetMatrix, index), gold) : null };
}

/** All i < j pairs of n texts as an index list (the shape pairCosines takes). */
export function allPairs(n: number): Int32Array {
  const out = new Int32Array(n * (n - 1));
  let k = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      out[k++] = i;
      out[k++] = j;
    }
  }
  return out;
}
