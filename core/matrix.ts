/** Row-major matrices on typed arrays: the shape every embedding set takes in core/. */

export interface Matrix {
  data: Float32Array | Float64Array;
  rows: number;
  cols: number;
}

export function matrix(data: Float32Array | Float64Array, rows: number, cols: number): Matrix {
  if (data.length !== rows * cols) throw new RangeError(`matrix: ${data.length} values for ${rows}×${cols}`);
  return { data, rows, cols };
}

export function row(m: Matrix, i: number): Float32Array | Float64Array {
  return m.data.subarray(i * m.cols, (i + 1) * m.cols);
}

/** [A | B]: the columns of B after those of A (same rows). */
export function concatColumns(a: Matrix, b: Matrix): Matrix {
  if (a.rows !== b.rows) throw new RangeError('concatColumns: row counts differ');
  const cols = a.cols + b.cols;
  const out = new Float64Array(a.rows * cols);
  for (let i = 0; i < a.rows; i++) {
    out.set(row(a, i), i * cols);
    out.set(row(b, i), i * cols + a.cols);
  }
  return { data: out, rows: a.rows, cols };
}

/** A copy with every row scaled to unit L2 norm (zero rows stay zero). */
export function normalizeRows(m: Matrix): Matrix {
  const out = new Float64Array(m.data.length);
  for (let i = 0; i < m.rows; i++) {
    let sum = 0;
    for (let j = 0; j < m.cols; j++) sum += m.data[i * m.cols + j] ** 2;
    const scale = sum > 0 ? 1 / Math.sqrt(sum) : 0;
    for (let j = 0; j < m.cols; j++) out[i * m.cols + j] = m.data[i * m.cols + j] * scale;
  }
  return { data: out, rows: m.rows, cols: m.cols };
}

/** The columns [start, end) of every row. */
export function sliceColumns(m: Matrix, start: number, end: number): Matrix {
  const cols = end - start;
  const out = new Float64Array(m.rows * cols);
  for (let i = 0; i < m.rows; i++) out.set(m.data.subarray(i * m.cols + start, i * m.cols + end), i * cols);
  return { data: out, rows: m.rows, cols };
}

/** XᵀX (d×d, symmetric) of a row-major n×d array: the covariance route of PCA and spectra. */
export function crossProductColumns(x: ArrayLike<number>, n: number, d: number): Float64Array {
  const out = new Float64Array(d * d);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < d; a++) {
      const xa = x[i * d + a];
      if (xa === 0) continue;
      for (let b = a; b < d; b++) out[a * d + b] += xa * x[i * d + b];
    }
  }
  for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) out[a * d + b] = out[b * d + a];
  return out;
}

/** XXᵀ (n×n, symmetric) of a row-major n×d array: the Gram route when rows are fewer than columns. */
export function crossProductRows(x: ArrayLike<number>, n: number, d: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let p = 0; p < n; p++) {
    for (let q = p; q < n; q++) {
      let dot = 0;
      for (let j = 0; j < d; j++) dot += x[p * d + j] * x[q * d + j];
      out[p * n + q] = dot;
      out[q * n + p] = dot;
    }
  }
  return out;
}
