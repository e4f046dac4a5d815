/**
 * Principal components of an embedding set, for the 2-D maps. The eigen-decomposition runs on the
 * smaller of the d×d covariance and the N×N Gram matrix of the centred rows (the same non-zero
 * spectrum), so a few hundred texts of a 2,048-wide model stay cheap.
 */
import { symmetricEigen } from './eigen.ts';
import { crossProductColumns, crossProductRows, type Matrix } from './matrix.ts';

export interface PcaResult {
  /** components×d row-major unit vectors; sign fixed so each vector's largest-magnitude entry is positive. */
  components: Float64Array;
  /** N×components: the centred rows projected on the components. */
  projection: Float64Array;
  /** Variance along each component (ddof = 1, as sklearn's explained_variance_). */
  explainedVariance: Float64Array;
  /** Share of the total variance along each component. */
  explainedVarianceRatio: Float64Array;
  mean: Float64Array;
  count: number;
}

export function pca(m: Matrix, count = 2): PcaResult {
  const { rows: n, cols: d } = m;
  const k = Math.min(count, n, d);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += m.data[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  const x = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) x[i * d + j] = m.data[i * d + j] - mean[j];
  const components = new Float64Array(k * d);
  const eigenvalues = new Float64Array(k);
  let totalVariance = 0;
  for (let i = 0; i < n * d; i++) totalVariance += x[i] * x[i];
  if (d <= n) {
    const eig = symmetricEigen(crossProductColumns(x, n, d), d);
    for (let c = 0; c < k; c++) {
      eigenvalues[c] = Math.max(0, eig.values[c]);
      components.set(eig.vectors.subarray(c * d, (c + 1) * d), c * d);
    }
  } else {
    // Gram route: X Xᵀ u = λ u gives the component Xᵀ u / √λ.
    const eig = symmetricEigen(crossProductRows(x, n, d), n);
    for (let c = 0; c < k; c++) {
      const lambda = Math.max(0, eig.values[c]);
      eigenvalues[c] = lambda;
      const scale = lambda > 0 ? 1 / Math.sqrt(lambda) : 0;
      for (let j = 0; j < d; j++) {
        let sum = 0;
        for (let i = 0; i < n; i++) sum += x[i * d + j] * eig.vectors[c * n + i];
        components[c * d + j] = sum * scale;
      }
    }
  }
  for (let c = 0; c < k; c++) {
    let largest = 0;
    for (let j = 1; j < d; j++) if (Math.abs(components[c * d + j]) > Math.abs(components[c * d + largest])) largest = j;
    if (components[c * d + largest] < 0) for (let j = 0; j < d; j++) components[c * d + j] = -components[c * d + j];
  }
  const projection = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      let sum = 0;
      for (let j = 0; j < d; j++) sum += x[i * d + j] * components[c * d + j];
      projection[i * k + c] = sum;
    }
  }
  const ddof = Math.max(1, n - 1);
  const explainedVariance = eigenvalues.map((l) => l / ddof);
  const explainedVarianceRatio = eigenvalues.map((l) => (totalVariance > 0 ? l / totalVariance : 0));
  return { components, projection, explainedVariance, explainedVarianceRatio, mean, count: k };
}
