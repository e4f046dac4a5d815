/**
 * Clustering and the agreement between two clusterings (paper Table 1: k-means on HS vs on RW,
 * compared by AMI, NMI, pair-counting Jaccard and exact match). Conventions follow scikit-learn
 * (natural logs, arithmetic-mean normalisation, its special cases for trivial clusterings).
 */
import type { Matrix } from './matrix.ts';
import { randomInt, seededRandom } from './random.ts';

export interface KMeansOptions {
  /** Seed of the k-means++ starts; the same seed gives the same clustering. */
  seed?: number;
  /** Independent k-means++ starts; the one with the lowest inertia wins. */
  restarts?: number;
  maxIterations?: number;
}

export interface KMeansResult {
  /** Cluster of each row, 0..k−1. */
  labels: Int32Array;
  /** k×d row-major. */
  centroids: Float64Array;
  /** Sum of squared distances of rows to their centroid. */
  inertia: number;
  iterations: number;
}

const DEFAULT_KMEANS: Required<KMeansOptions> = { seed: 0, restarts: 4, maxIterations: 300 };

function squaredDistance(a: ArrayLike<number>, ai: number, b: ArrayLike<number>, bi: number, d: number): number {
  let sum = 0;
  for (let k = 0; k < d; k++) {
    const diff = a[ai + k] - b[bi + k];
    sum += diff * diff;
  }
  return sum;
}

/** k-means (Lloyd) from k-means++ starts drawn by a seeded generator: deterministic for a seed. */
export function kMeans(m: Matrix, k: number, options: KMeansOptions = {}): KMeansResult {
  const { seed, restarts, maxIterations } = { ...DEFAULT_KMEANS, ...options };
  if (k < 1 || k > m.rows) throw new RangeError(`kMeans: k = ${k} with ${m.rows} rows`);
  const random = seededRandom(seed);
  let best: KMeansResult | null = null;
  for (let r = 0; r < restarts; r++) {
    const run = lloyd(m, plusPlusStart(m, k, random), k, maxIterations);
    if (!best || run.inertia < best.inertia) best = run;
  }
  return best!;
}

/** k-means++: each next centre drawn with probability proportional to D(x)². */
function plusPlusStart(m: Matrix, k: number, random: () => number): Float64Array {
  const { rows: n, cols: d, data } = m;
  const centroids = new Float64Array(k * d);
  const first = randomInt(random, n);
  for (let j = 0; j < d; j++) centroids[j] = data[first * d + j];
  const nearest = new Float64Array(n).fill(Infinity);
  for (let c = 1; c < k; c++) {
    let total = 0;
    for (let i = 0; i < n; i++) {
      nearest[i] = Math.min(nearest[i], squaredDistance(data, i * d, centroids, (c - 1) * d, d));
      total += nearest[i];
    }
    let pick = n - 1;
    if (total > 0) {
      let target = random() * total;
      for (let i = 0; i < n; i++) {
        target -= nearest[i];
        if (target < 0) {
          pick = i;
          break;
        }
      }
    } else pick = randomInt(random, n);
    for (let j = 0; j < d; j++) centroids[c * d + j] = data[pick * d + j];
  }
  return centroids;
}

function lloyd(m: Matrix, centroids: Float64Array, k: number, maxIterations: number): KMeansResult {
  const { rows: n, cols: d, data } = m;
  const labels = new Int32Array(n).fill(-1);
  const distance = new Float64Array(n);
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    let changed = false;
    for (let i = 0; i < n; i++) {
      let bestC = 0;
      let bestD = Infinity;
      for (let c = 0; c < k; c++) {
        const dist = squaredDistance(data, i * d, centroids, c * d, d);
        if (dist < bestD) {
          bestD = dist;
          bestC = c;
        }
      }
      distance[i] = bestD;
      if (labels[i] !== bestC) {
        labels[i] = bestC;
        changed = true;
      }
    }
    if (!changed && iterations > 0) break;
    const counts = new Int32Array(k);
    centroids.fill(0);
    for (let i = 0; i < n; i++) {
      counts[labels[i]]++;
      for (let j = 0; j < d; j++) centroids[labels[i] * d + j] += data[i * d + j];
    }
    for (let c = 0; c < k; c++) {
      if (counts[c] === 0) {
        // An empty cluster takes the row farthest from its centre, so k clusters survive.
        let far = 0;
        for (let i = 1; i < n; i++) if (distance[i] > distance[far]) far = i;
        distance[far] = 0;
        for (let j = 0; j < d; j++) centroids[c * d + j] = data[far * d + j];
        continue;
      }
      for (let j = 0; j < d; j++) centroids[c * d + j] /= counts[c];
    }
  }
  let inertia = 0;
  for (let i = 0; i < n; i++) inertia += squaredDistance(data, i * d, centroids, labels[i] * d, d);
  return { labels, centroids, inertia, iterations };
}

/** Contingency table of two labelings (labels mapped to 0..ka−1 and 0..kb−1 in order of first appearance). */
export interface Contingency {
  table: Float64Array;
  ka: number;
  kb: number;
  rowSums: Float64Array;
  colSums: Float64Array;
  n: number;
}

function relabel(labels: ArrayLike<number>): { ids: Int32Array; count: number } {
  const seen = new Map<number, number>();
  const ids = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    let id = seen.get(labels[i]);
    if (id === undefined) {
      id = seen.size;
      seen.set(labels[i], id);
    }
    ids[i] = id;
  }
  return { ids, count: seen.size };
}

function contingency(a: ArrayLike<number>, b: ArrayLike<number>): Contingency {
  if (a.length !== b.length) throw new RangeError('contingency: labelings differ in length');
  const ra = relabel(a);
  const rb = relabel(b);
  const table = new Float64Array(ra.count * rb.count);
  const rowSums = new Float64Array(ra.count);
  const colSums = new Float64Array(rb.count);
  for (let i = 0; i < a.length; i++) {
    table[ra.ids[i] * rb.count + rb.ids[i]]++;
    rowSums[ra.ids[i]]++;
    colSums[rb.ids[i]]++;
  }
  return { table, ka: ra.count, kb: rb.count, rowSums, colSums, n: a.length };
}

function entropyOf(counts: Float64Array, n: number): number {
  let h = 0;
  for (const c of counts) if (c > 0) h -= (c / n) * Math.log(c / n);
  return h;
}

/** Mutual information in nats (sklearn.metrics.mutual_info_score). */
export function mutualInformation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return mutualInfoOf(contingency(a, b));
}

function mutualInfoOf(c: Contingency): number {
  let mi = 0;
  for (let i = 0; i < c.ka; i++) {
    for (let j = 0; j < c.kb; j++) {
      const nij = c.table[i * c.kb + j];
      if (nij > 0) mi += (nij / c.n) * Math.log((c.n * nij) / (c.rowSums[i] * c.colSums[j]));
    }
  }
  return Math.max(0, mi);
}

/** NMI with the arithmetic mean of the entropies (sklearn's default). */
export function normalizedMutualInfo(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const c = contingency(a, b);
  if ((c.ka === 1 && c.kb === 1) || c.n === 0) return 1;
  const mi = mutualInfoOf(c);
  if (mi === 0) return 0;
  return mi / Math.max((entropyOf(c.rowSums, c.n) + entropyOf(c.colSums, c.n)) / 2, Number.EPSILON);
}

/** ln(k!) for k = 0..n, summed exactly enough for the hypergeometric terms of the expected MI. */
function logFactorials(n: number): Float64Array {
  const out = new Float64Array(n + 1);
  for (let k = 2; k <= n; k++) out[k] = out[k - 1] + Math.log(k);
  return out;
}

/** Expected mutual information of two random labelings with these cluster sizes (Vinh et al. 2010). */
function expectedMutualInfo(c: Contingency): number {
  const { n } = c;
  const lf = logFactorials(n);
  let emi = 0;
  for (let i = 0; i < c.ka; i++) {
    const a = c.rowSums[i];
    for (let j = 0; j < c.kb; j++) {
      const b = c.colSums[j];
      const start = Math.max(1, a + b - n);
      const end = Math.min(a, b);
      for (let nij = start; nij <= end; nij++) {
        const logProbability = lf[a] + lf[b] + lf[n - a] + lf[n - b] - lf[n] - lf[nij] - lf[a - nij] - lf[b - nij] - lf[n - a - b + nij];
        emi += (nij / n) * Math.log((n * nij) / (a * b)) * Math.exp(logProbability);
      }
    }
  }
  return emi;
}

/** Adjusted mutual information, arithmetic normalisation (sklearn.metrics.adjusted_mutual_info_score). */
export function adjustedMutualInfo(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const c = contingency(a, b);
  if ((c.ka === 1 && c.kb === 1) || c.n === 0) return 1;
  const mi = mutualInfoOf(c);
  const emi = expectedMutualInfo(c);
  const normalizer = (entropyOf(c.rowSums, c.n) + entropyOf(c.colSums, c.n)) / 2;
  let denominator = normalizer - emi;
  // sklearn's guard against a vanishing denominator, kept so the numbers match.
  denominator = denominator < 0 ? Math.min(denominator, -Number.EPSILON) : Math.max(denominator, Number.EPSILON);
  return (mi - emi) / denominator;
}

/**
 * Pair-counting Jaccard: of the pairs of items put together by either clustering, the share put
 * together by both. 1 when neither clustering puts any pair together is not defined; returns NaN.
 */
export function pairJaccard(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const c = contingency(a, b);
  const pairs = (x: number) => (x * (x - 1)) / 2;
  let both = 0;
  for (const nij of c.table) both += pairs(nij);
  let inA = 0;
  for (const x of c.rowSums) inA += pairs(x);
  let inB = 0;
  for (const x of c.colSums) inB += pairs(x);
  const either = inA + inB - both;
  return either > 0 ? both / either : Number.NaN;
}

/**
 * Minimum-cost assignment of an n×n cost matrix (Hungarian method with potentials, O(n³)).
 * Returns, for each row, its column.
 */
export function hungarian(cost: ArrayLike<number>, n: number): Int32Array {
  const u = new Float64Array(n + 1);
  const v = new Float64Array(n + 1);
  const matchOfColumn = new Int32Array(n + 1); // 1-based row matched to column j; 0 = free
  const way = new Int32Array(n + 1);
  for (let i = 1; i <= n; i++) {
    matchOfColumn[0] = i;
    let j0 = 0;
    const minv = new Float64Array(n + 1).fill(Infinity);
    const used = new Uint8Array(n + 1);
    do {
      used[j0] = 1;
      const i0 = matchOfColumn[j0];
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= n; j++) {
        if (used[j]) continue;
        const cur = cost[(i0 - 1) * n + (j - 1)] - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (let j = 0; j <= n; j++) {
        if (used[j]) {
          u[matchOfColumn[j]] += delta;
          v[j] -= delta;
        } else minv[j] -= delta;
      }
      j0 = j1;
    } while (matchOfColumn[j0] !== 0);
    do {
      const j1 = way[j0];
      matchOfColumn[j0] = matchOfColumn[j1];
      j0 = j1;
    } while (j0 !== 0);
  }
  const rowToColumn = new Int32Array(n);
  for (let j = 1; j <= n; j++) if (matchOfColumn[j] > 0) rowToColumn[matchOfColumn[j] - 1] = j - 1;
  return rowToColumn;
}

/**
 * Share of items whose cluster in `a` maps to their cluster in `b` under the one-to-one matching
 * of cluster ids that maximises that share (cluster ids are arbitrary, so they must be matched).
 */
export function exactMatchRate(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const c = contingency(a, b);
  const size = Math.max(c.ka, c.kb);
  const cost = new Float64Array(size * size);
  for (let i = 0; i < c.ka; i++) for (let j = 0; j < c.kb; j++) cost[i * size + j] = -c.table[i * c.kb + j];
  const assignment = hungarian(cost, size);
  let matched = 0;
  for (let i = 0; i < c.ka; i++) if (assignment[i] < c.kb) matched += c.table[i * c.kb + assignment[i]];
  return c.n > 0 ? matched / c.n : Number.NaN;
}
