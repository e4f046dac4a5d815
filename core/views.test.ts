/** Neighbour rankings, Jensen–Shannon divergence and expert statistics against numpy/scipy (models/build/views_fixtures.py). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareRankings, NEIGHBOUR_REPRESENTATIONS, neighbourScores, rankOf, topK, type NeighbourRepresentation } from './neighbours.ts';
import { cosineDistance, expertDetail, ExpertTally, jensenShannonDivergence, layerDivergences, topExperts, type TokenRoutingRows } from './routing.ts';
import { cosineSimilarityMatrix } from './similarity.ts';
import { moeeConcat } from './moee.ts';
import { matrix } from './matrix.ts';

type PerRep<T> = Record<NeighbourRepresentation, T>;
interface NeighboursCase {
  hs: number[];
  rw: number[];
  rows: number;
  hs_cols: number;
  rw_cols: number;
  query_hs: number[];
  query_rw: number[];
  alpha: number;
  k: number;
  stats: { hs_mean: number[]; hs_std: number[]; rw_mean: number[]; rw_std: number[] };
  scores: PerRep<number[]>;
  top: PerRep<number[]>;
  ranks: PerRep<number[]>;
  overlap: PerRep<PerRep<number>>;
}
interface JsdCase {
  a: number[];
  b: number[];
  layers: number;
  experts: number;
  jsd: number[];
  hs_a: number[];
  hs_b: number[];
  hs_cosine_distance: number;
}
interface ExpertsCase {
  routings: { tokens: string[]; probs: number[]; dims: [number, number, number] }[];
  k: number;
  layers: number;
  experts: number;
  counts: number[];
  share: number[];
  token_entropy: number[];
  load_entropy: number[];
  dormant: boolean[];
  token_count: number;
  detail: { layer: number; expert: number; routings: number; tokens: { token: string; count: number; share: number; of_token: number }[]; texts: { text: number; count: number; fraction: number }[] };
}
const fx = JSON.parse(readFileSync(new URL('../tests/fixtures/views.json', import.meta.url), 'utf8')) as { neighbours: NeighboursCase[]; jsd: JsdCase[]; experts: ExpertsCase[] };

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, digits: number) {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(actual[i]).toBeCloseTo(expected[i], digits);
}

describe('neighbours', () => {
  it.each(fx.neighbours.map((c, i) => [i, c] as const))('case %i: scores in blocks, top k, ranks and overlaps equal numpy', (_, c) => {
    const hs = matrix(Float64Array.from(c.hs), c.rows, c.hs_cols);
    const rw = matrix(Float64Array.from(c.rw), c.rows, c.rw_cols);
    const stats = { hs: { mean: Float64Array.from(c.stats.hs_mean), std: Float64Array.from(c.stats.hs_std) }, rw: { mean: Float64Array.from(c.stats.rw_mean), std: Float64Array.from(c.stats.rw_std) } };
    const progress: number[] = [];
    let blocks = 0;
    const scores = neighbourScores({ hs: c.query_hs, rw: c.query_rw }, hs, rw, stats, c.alpha, { blockRows: 64, beforeBlock: () => blocks++, onProgress: (done) => progress.push(done) });
    expect(blocks).toBe(Math.ceil(c.rows / 64));
    expect(progress.at(-1)).toBe(c.rows);
    for (const rep of NEIGHBOUR_REPRESENTATIONS) {
      expectClose(scores[rep], c.scores[rep], 10);
      expect(topK(scores[rep], c.k)).toEqual(c.top[rep]);
    }
    const { columns, overlap } = compareRankings(scores, c.k);
    expect(overlap).toEqual(c.overlap);
    for (const column of columns) {
      expect(column.indices).toEqual(c.top[column.representation]);
      for (const other of NEIGHBOUR_REPRESENTATIONS) expect(column.ranksElsewhere[other]).toEqual(column.indices.map((i) => c.ranks[other][i]));
      expect(column.onlyHere).toEqual(column.indices.filter((i) => NEIGHBOUR_REPRESENTATIONS.every((o) => o === column.representation || !c.top[o].includes(i))));
    }
  });

  it('ties go to the lower index and every rank is the position in the stable order', () => {
    const c = fx.neighbours[1];
    // Rows 2, 5 and 9 are the same text.
    expect(c.scores.hs[2]).toBe(c.scores.hs[5]);
    const order = topK(c.scores.hs, c.rows);
    expect(order.map((i) => rankOf(c.scores.hs, i))).toEqual(Array.from({ length: c.rows }, (_, r) => r + 1));
    expect(order.indexOf(2)).toBeLessThan(order.indexOf(5));
    expect(order.indexOf(5)).toBeLessThan(order.indexOf(9));
  });

  it('MoEE concat scores equal the concat matrix of core/moee.ts with the same statistics', () => {
    const c = fx.neighbours[0];
    const hs = matrix(Float64Array.from([...c.query_hs, ...c.hs]), c.rows + 1, c.hs_cols);
    const rw = matrix(Float64Array.from([...c.query_rw, ...c.rw]), c.rows + 1, c.rw_cols);
    const stats = { hs: { mean: Float64Array.from(c.stats.hs_mean), std: Float64Array.from(c.stats.hs_std) }, rw: { mean: Float64Array.from(c.stats.rw_mean), std: Float64Array.from(c.stats.rw_std) } };
    const m = cosineSimilarityMatrix(moeeConcat(hs, rw, stats));
    const scores = neighbourScores({ hs: c.query_hs, rw: c.query_rw }, matrix(Float64Array.from(c.hs), c.rows, c.hs_cols), matrix(Float64Array.from(c.rw), c.rows, c.rw_cols), stats, 1);
    expectClose(scores.concat, Array.from({ length: c.rows }, (_, j) => m[j + 1]), 5);
  });
});

describe('routing distributions', () => {
  it.each(fx.jsd.map((c, i) => [i, c] as const))('case %i: per-layer JSD equals scipy jensenshannon² (base 2), cosine distance numpy', (_, c) => {
    expectClose(layerDivergences(c.a, c.b, c.layers, c.experts), c.jsd, 12);
    expect(cosineDistance(c.hs_a, c.hs_b)).toBeCloseTo(c.hs_cosine_distance, 12);
  });

  it('JSD is 0 for the same distribution, 1 for disjoint ones, and refuses a negative value', () => {
    expect(jensenShannonDivergence([0.2, 0.8], [2, 8])).toBeCloseTo(0, 15);
    expect(jensenShannonDivergence([1, 0], [0, 1])).toBeCloseTo(1, 15);
    expect(() => jensenShannonDivergence([-0.1, 1.1], [0.5, 0.5])).toThrow(RangeError);
  });
});

describe('expert statistics', () => {
  const c = fx.experts[0];
  const routings: TokenRoutingRows[] = c.routings.map((r) => ({ tokens: r.tokens, probs: Float32Array.from(r.probs), dims: r.dims }));

  it('counts, shares, dormant experts, token and load entropy equal numpy/scipy', () => {
    const tally = new ExpertTally(c.layers, c.experts, c.k);
    for (const r of routings) tally.add(r);
    const map = tally.map();
    expect(map.tokenCount).toBe(c.token_count);
    expect(Array.from(map.counts)).toEqual(c.counts);
    expectClose(map.share, c.share, 12);
    expectClose(map.tokenEntropy, c.token_entropy, 12);
    expectClose(map.loadEntropy, c.load_entropy, 12);
    expect(map.dormant).toEqual(c.dormant);
    // The fixture forces expert 0 of layer 0 and expert 5 of layer 1 out of every top k.
    expect(map.dormant[0]).toBe(true);
    expect(map.dormant[c.experts + 5]).toBe(true);
  });

  it('one expert’s top tokens and texts equal the reference', () => {
    const d = expertDetail(routings, c.detail.layer, c.detail.expert, c.k, { tokens: 100, texts: 100 });
    expect(d.routings).toBe(c.detail.routings);
    expect(d.tokens.map((t) => t.token)).toEqual(c.detail.tokens.map((t) => t.token));
    expect(d.tokens.map((t) => t.count)).toEqual(c.detail.tokens.map((t) => t.count));
    expectClose(d.tokens.map((t) => t.share), c.detail.tokens.map((t) => t.share), 12);
    expectClose(d.tokens.map((t) => t.ofToken), c.detail.tokens.map((t) => t.of_token), 12);
    expect(d.texts.map((t) => [t.text, t.count])).toEqual(c.detail.texts.map((t) => [t.text, t.count]));
    for (const t of d.tokens) for (const ex of t.examples) expect(routings[ex.text].tokens[ex.position]).toBe(t.token);
    // Kept top-k choices give the same answer as recomputed ones.
    expect(expertDetail(routings, c.detail.layer, c.detail.expert, c.k, { tokens: 100, texts: 100 }, routings.map((r) => topExperts(r, c.k)))).toEqual(d);
  });
});
