/**
 * Percentile-bootstrap confidence intervals of a Spearman correlation over STS pairs: resample the
 * pairs with replacement, recompute rho, take the (1−level)/2 and (1+level)/2 percentiles. Seeded,
 * so a rerun gives the same interval. The async form hands control back between resamples through
 * an injected `pause`, so a page can keep every main-thread task short without core/ knowing the DOM.
 */
import { randomInt, seededRandom, type Random } from './random.ts';
import { spearman } from './stats.ts';

/** numpy.percentile with its default linear interpolation; q in [0, 100]. */
export function percentile(values: ArrayLike<number>, q: number): number {
  const sorted = Float64Array.from(values).sort();
  if (sorted.length === 0) return Number.NaN;
  const position = (q / 100) * (sorted.length - 1);
  const lower = Math.floor(position);
  const upper = Math.min(sorted.length - 1, lower + 1);
  return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower);
}

/** n indices drawn uniformly with replacement from 0..n−1. */
export function resample(n: number, random: Random): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = randomInt(random, n);
  return out;
}

/** Spearman of (x[idx], y[idx]). */
function spearmanAt(x: ArrayLike<number>, y: ArrayLike<number>, idx: ArrayLike<number>): number {
  const xs = new Float64Array(idx.length);
  const ys = new Float64Array(idx.length);
  for (let i = 0; i < idx.length; i++) {
    xs[i] = x[idx[i]];
    ys[i] = y[idx[i]];
  }
  return spearman(xs, ys);
}

export interface BootstrapInterval {
  /** Spearman on all pairs. */
  estimate: number;
  low: number;
  high: number;
  level: number;
  resamples: number;
}

export interface BootstrapOptions {
  resamples?: number;
  seed?: number;
  /** Coverage of the interval, e.g. 0.95. */
  level?: number;
}

/** The interval from given bootstrap statistics (resamples whose rho is undefined are dropped). */
export function percentileInterval(estimate: number, samples: ArrayLike<number>, level: number): BootstrapInterval {
  const finite = Array.from(samples).filter(Number.isFinite);
  const tail = ((1 - level) / 2) * 100;
  return { estimate, low: percentile(finite, tail), high: percentile(finite, 100 - tail), level, resamples: finite.length };
}

/** Bootstrap statistics for explicit resamples (one index list per resample). */
export function bootstrapSpearmanFromIndices(x: ArrayLike<number>, y: ArrayLike<number>, indices: ArrayLike<number>[], level = 0.95): BootstrapInterval {
  return percentileInterval(spearman(x, y), indices.map((idx) => spearmanAt(x, y, idx)), level);
}

export interface Cooperation {
  /** Awaited after every resample; resolve at once or after yielding to the event loop. */
  pause?: () => Promise<void>;
  signal?: { aborted: boolean };
}

function abortError(): Error {
  const error = new Error('The computation was cancelled.');
  error.name = 'AbortError';
  return error;
}

/** Seeded percentile bootstrap of Spearman(x, y). */
export async function bootstrapSpearman(x: ArrayLike<number>, y: ArrayLike<number>, options: BootstrapOptions = {}, cooperation: Cooperation = {}): Promise<BootstrapInterval> {
  const { resamples = 1000, seed = 0, level = 0.95 } = options;
  const random = seededRandom(seed);
  const samples = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    if (cooperation.signal?.aborted) throw abortError();
    samples[b] = spearmanAt(x, y, resample(x.length, random));
    if (cooperation.pause) await cooperation.pause();
  }
  return percentileInterval(spearman(x, y), samples, level);
}
