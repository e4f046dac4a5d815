/**
 * The compute worker's handler in Node with the real engine: its answers are core/'s numbers. (Its
 * STS row is checked against the CLI and `npm run eval` in cli/sts-callers.test.ts.)
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { stsFile } from '../../cli/sts-data.ts';
import { adjustedMutualInfo, kMeans, matrix, matrixEntropy, matrixNuclearNorm, nuclearNormBounds, parseSts, representationPairCosines, spearman100, stsPairRows, uniqueSentences, type StsPair } from '../../core/index.ts';
import { createNodeEngine, type NodeEngine } from '../../workers/node-engine.ts';
import { handleCompute } from './compute-handler.ts';
import { ANALYSIS_EMBED_OPTIONS } from './options.ts';

const STS13 = stsFile('sts13.tsv');

let engine: NodeEngine;
let pairs: StsPair[];

beforeAll(async () => {
  engine = await createNodeEngine('moee-demo', 'q8');
  // 40 pairs across the file's subsets.
  pairs = parseSts(readFileSync(STS13, 'utf8')).filter((_, i) => i % 37 === 0).slice(0, 40);
});

describe('compute handler', () => {
  it('scores the yardstick with core on the pairs, and refuses embeddings of other texts', async () => {
    const { sentences, rows, gold } = stsPairRows(pairs);
    const { embeddings } = await engine.yardstick(sentences);
    const request = { kind: 'stsYardstick', id: 'yardstick-1', pairs, texts: sentences, embeddings: embeddings.data, dims: [embeddings.dims[0], embeddings.dims[1]] as [number, number], resamples: 200, seed: 3 } as const;
    const answer = await handleCompute(request);
    if (answer.kind !== 'stsYardstick') throw new Error(JSON.stringify(answer));
    expect(answer.score).toBe(spearman100(representationPairCosines(matrix(embeddings.data, sentences.length, embeddings.dims[1]), rows.index), gold));
    expect(answer.interval!.low).toBeLessThanOrEqual(answer.score);
    expect(answer.interval!.high).toBeGreaterThanOrEqual(answer.score);
    const shuffled = await handleCompute({ ...request, texts: [...sentences].reverse() });
    expect(shuffled.kind).toBe('failed');
  });

  it('cluster and spectral answers are core’s numbers', async () => {
    const texts = uniqueSentences(pairs).sentences.slice(0, 30);
    const r = await engine.embed(texts, { ...ANALYSIS_EMBED_OPTIONS, template: { id: 'none' } });
    const hs = { data: r.hs.data, rows: r.hs.dims[0], cols: r.hs.dims[1] };
    const rw = { data: r.rwSoftmax.data, rows: r.hs.dims[0], cols: r.rwSoftmax.dims[1] * r.rwSoftmax.dims[2] };
    const cluster = await handleCompute({ kind: 'cluster', id: 'cluster-3', hs, rw, k: 4, seed: 5 });
    if (cluster.kind !== 'cluster') throw new Error(JSON.stringify(cluster));
    const hsLabels = kMeans(matrix(hs.data, hs.rows, hs.cols), 4, { seed: 5 }).labels;
    expect(Array.from(cluster.hsLabels)).toEqual(Array.from(hsLabels));
    expect(cluster.ami).toBe(adjustedMutualInfo(cluster.hsLabels, cluster.rwLabels));
    const spectral = await handleCompute({ kind: 'spectral', id: 'spectral-4', sets: [{ name: 'RW', set: rw }] });
    if (spectral.kind !== 'spectral') throw new Error(JSON.stringify(spectral));
    expect(spectral.rows[0].nuclearL12).toBe(matrixNuclearNorm(matrix(rw.data, rw.rows, rw.cols)).l12);
    expect(spectral.rows[0].entropy).toBe(matrixEntropy(matrix(rw.data, rw.rows, rw.cols)));
    expect(spectral.rows[0].bounds).toEqual(nuclearNormBounds(matrix(rw.data, rw.rows, rw.cols)));
  });
});
