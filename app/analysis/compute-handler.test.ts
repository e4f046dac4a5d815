/**
 * The compute worker's handler in Node with the real engine: the benchmark row it scores from the
 * engine's embeddings equals `evaluateSts` run end to end (what `moee eval` prints), and the other
 * requests return what core/ computes.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluateSts, METHODS } from '../../cli/evaluate.ts';
import { adjustedMutualInfo, crossValidatedAlpha, kMeans, matrix, matrixEntropy, matrixNuclearNorm, parseSts, uniqueSentences, type StsPair } from '../../core/index.ts';
import { createNodeEngine, type NodeEngine } from '../../tests/node-engine.ts';
import { handleCompute } from './compute-handler.ts';
import { ANALYSIS_EMBED_OPTIONS } from './options.ts';

const STS13 = new URL('../../../shared/data/sts/sts13.tsv', import.meta.url);

let engine: NodeEngine;
let pairs: StsPair[];

beforeAll(async () => {
  engine = await createNodeEngine('moee-demo', 'q8');
  // 40 pairs across the file's subsets.
  pairs = parseSts(readFileSync(STS13, 'utf8')).filter((_, i) => i % 37 === 0).slice(0, 40);
});

describe('compute handler', () => {
  it('scores a template exactly as evaluateSts does end to end, with intervals around the estimates', async () => {
    const options = { ...ANALYSIS_EMBED_OPTIONS, template: { id: 'prompteol' as const }, tokenRouting: false };
    const texts = uniqueSentences(pairs).sentences;
    const embedding = await engine.embed(texts, options);
    const answer = await handleCompute({ kind: 'stsTemplate', id: 1, pairs, template: 'prompteol', options, texts, embedding, methods: [...METHODS], resamples: 200, seed: 3 });
    if (answer.kind !== 'stsTemplate') throw new Error(JSON.stringify(answer));
    const direct = await evaluateSts(pairs, 'prompteol', engine.embed, ANALYSIS_EMBED_OPTIONS);
    expect(answer.row.scores.all).toEqual(direct.all);
    expect(answer.row.scores.subsets).toEqual(direct.subsets);
    expect(answer.row.scores.bestAlpha).toBe(direct.bestAlpha);
    for (const m of METHODS) {
      const ci = answer.row.intervals[m]!;
      expect(Math.abs(ci.estimate - direct.all[m])).toBeLessThan(0.006);
      expect(ci.low).toBeLessThanOrEqual(ci.estimate);
      expect(ci.high).toBeGreaterThanOrEqual(ci.estimate);
    }
    expect(answer.row.alphaGrid).toHaveLength(10);
    // The cross-validated sum is core's on the row's own pair similarities (those of HS and RW softmax).
    const cv = answer.row.crossValidated;
    expect(cv.score).toBe(crossValidatedAlpha(cv.hsSim, cv.rwSim, pairs.map((p) => p.score), { seed: 3 }).score * 100);
    // Embeddings of other texts are refused rather than scored.
    const other = await handleCompute({ kind: 'stsTemplate', id: 2, pairs: pairs.slice(1), template: 'prompteol', options, texts, embedding, methods: ['hs'], resamples: 0, seed: 0 });
    expect(other.kind).toBe('failed');
    const otherOptions = await handleCompute({ kind: 'stsTemplate', id: 2, pairs, template: 'none', options, texts, embedding, methods: ['hs'], resamples: 0, seed: 0 });
    expect(otherOptions.kind).toBe('failed');
  });

  it('cluster and spectral answers are core’s numbers', async () => {
    const texts = uniqueSentences(pairs).sentences.slice(0, 30);
    const r = await engine.embed(texts, { ...ANALYSIS_EMBED_OPTIONS, template: { id: 'none' } });
    const hs = { data: r.hs.data, rows: r.hs.dims[0], cols: r.hs.dims[1] };
    const rw = { data: r.rwSoftmax.data, rows: r.hs.dims[0], cols: r.rwSoftmax.dims[1] * r.rwSoftmax.dims[2] };
    const cluster = await handleCompute({ kind: 'cluster', id: 3, hs, rw, k: 4, seed: 5 });
    if (cluster.kind !== 'cluster') throw new Error(JSON.stringify(cluster));
    const hsLabels = kMeans(matrix(hs.data, hs.rows, hs.cols), 4, { seed: 5 }).labels;
    expect(Array.from(cluster.hsLabels)).toEqual(Array.from(hsLabels));
    expect(cluster.ami).toBe(adjustedMutualInfo(cluster.hsLabels, cluster.rwLabels));
    const spectral = await handleCompute({ kind: 'spectral', id: 4, sets: [{ name: 'RW', set: rw }] });
    if (spectral.kind !== 'spectral') throw new Error(JSON.stringify(spectral));
    expect(spectral.rows[0].nuclearL12).toBe(matrixNuclearNorm(matrix(rw.data, rw.rows, rw.cols)).l12);
    expect(spectral.rows[0].entropy).toBe(matrixEntropy(matrix(rw.data, rw.rows, rw.cols)));
  });
});
