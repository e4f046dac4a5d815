/** Cosine similarities, computed in memory-bounded blocks of rows with progress and abort. */
import { normalizeRows, type Matrix } from './matrix.ts';

export interface BlockOptions {
  /** Rows per block (bounds the work between progress reports and abort checks). */
  blockRows?: number;
  onProgress?: (doneRows: number, totalRows: number) => void;
  signal?: { aborted: boolean };
}

function abortError(): Error {
  const error = new Error('The computation was cancelled.');
  error.name = 'AbortError';
  return error;
}

/** N×N cosine similarity matrix of the rows of `m` (Float32Array, row-major). */
export function cosineSimilarityMatrix(m: Matrix, options: BlockOptions = {}): Float32Array {
  return crossCosine(m, m, options);
}

/** A×B cosine similarities between the rows of `a` and the rows of `b`. */
function crossCosine(a: Matrix, b: Matrix, options: BlockOptions = {}): Float32Array {
  if (a.cols !== b.cols) throw new RangeError('crossCosine: column counts differ');
  const na = normalizeRows(a);
  const nb = a === b ? na : normalizeRows(b);
  const out = new Float32Array(a.rows * b.rows);
  const block = Math.max(1, options.blockRows ?? 256);
  const d = a.cols;
  for (let start = 0; start < a.rows; start += block) {
    if (options.signal?.aborted) throw abortError();
    const end = Math.min(a.rows, start + block);
    for (let i = start; i < end; i++) {
      const ai = i * d;
      for (let j = 0; j < b.rows; j++) {
        const bj = j * d;
        let dot = 0;
        for (let k = 0; k < d; k++) dot += na.data[ai + k] * nb.data[bj + k];
        out[i * b.rows + j] = dot;
      }
    }
    options.onProgress?.(end, a.rows);
  }
  return out;
}

/** Cosine similarity of each pair (i, j) of rows: for STS pairs, without the full matrix. */
export function pairCosines(a: Matrix, b: Matrix, pairs?: ArrayLike<number>): Float64Array {
  const n = pairs ? pairs.length / 2 : a.rows;
  const out = new Float64Array(n);
  const d = a.cols;
  for (let p = 0; p < n; p++) {
    const i = pairs ? pairs[2 * p] : p;
    const j = pairs ? pairs[2 * p + 1] : p;
    let dot = 0;
    let x2 = 0;
    let y2 = 0;
    for (let k = 0; k < d; k++) {
      const x = a.data[i * d + k];
      const y = b.data[j * d + k];
      dot += x * y;
      x2 += x * x;
      y2 += y * y;
    }
    out[p] = x2 > 0 && y2 > 0 ? dot / Math.sqrt(x2 * y2) : 0;
  }
  return out;
}
