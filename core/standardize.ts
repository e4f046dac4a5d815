/**
 * Per-dimension standardisation, as the MoEE reference code does before concatenating HS and RW:
 * (x − mean) / (std + 1e-8), with the population std (numpy's default, ddof = 0). Batch statistics
 * are the paper's; fixed reference statistics make one text's embedding independent of its batch.
 */
import type { Matrix } from './matrix.ts';

const STD_EPSILON = 1e-8;

export interface DimensionStats {
  mean: Float64Array;
  std: Float64Array;
}

export function dimensionStats(m: Matrix): DimensionStats {
  const mean = new Float64Array(m.cols);
  const std = new Float64Array(m.cols);
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.cols; j++) mean[j] += m.data[i * m.cols + j];
  for (let j = 0; j < m.cols; j++) mean[j] /= m.rows;
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.cols; j++) std[j] += (m.data[i * m.cols + j] - mean[j]) ** 2;
  for (let j = 0; j < m.cols; j++) std[j] = Math.sqrt(std[j] / m.rows);
  return { mean, std };
}

export function standardize(m: Matrix, stats: DimensionStats = dimensionStats(m)): Matrix {
  if (stats.mean.length !== m.cols) throw new RangeError('standardize: statistics do not match the columns');
  const out = new Float64Array(m.data.length);
  for (let i = 0; i < m.rows; i++) {
    for (let j = 0; j < m.cols; j++) out[i * m.cols + j] = (m.data[i * m.cols + j] - stats.mean[j]) / (stats.std[j] + STD_EPSILON);
  }
  return { data: out, rows: m.rows, cols: m.cols };
}
