/**
 * A seeded pseudo-random generator (mulberry32): the same seed gives the same k-means start,
 * bootstrap resamples and UMAP layout in the page, the worker, the CLI and the tests. Math.random
 * cannot be seeded, so nothing in core/ uses it.
 */

/** A function returning uniform floats in [0, 1). */
export type Random = () => number;

export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A uniform integer in [0, n). */
export function randomInt(random: Random, n: number): number {
  return Math.min(n - 1, Math.floor(random() * n));
}
