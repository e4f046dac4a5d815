/** The compute worker's logic, free of worker globals so that Node tests can call it directly. */
import { UMAP } from 'umap-js';
import { bootstrapSpearman, representationPairCosines, spearman100, neighbourScoresBlock, crossValidatedAlpha, DEFAULT_CV_FOLDS, scoreSts, stsPairRows, textSetEmbeddings, type BootstrapInterval, type StsMethod } from '../../core/index.ts';
import { adjustedMutualInfo, exactMatchRate, exactNuclearNorm, kMeans, matrix, matrixEntropy, matrixNuclearNorm, normalizedMutualInfo, nuclearNormBounds, pairJaccard, pca, seededRandom, type Matrix } from '../../core/index.ts';
import type { ComputeAnswer, ComputeFailure, ComputeProtocol, ComputeRequest, EmbeddingSet, SpectralRow, StsTemplateAnswer, StsTemplateRequest, StsYardstickAnswer, StsYardstickRequest } from './compute-protocol.ts';
import { answerOnce, type RpcHandle } from '../../workers/rpc.ts';

const asMatrix = (s: EmbeddingSet): Matrix => matrix(s.data, s.rows, s.cols);

function timed<T>(f: () => T): { value: T; ms: number } {
  const start = performance.now();
  const value = f();
  return { value, ms: performance.now() - start };
}

function map2d(set: EmbeddingSet, method: 'pca' | 'umap', seed: number, neighbors: number): { xy: Float64Array; variance: number[] | null } {
  if (method === 'pca' || set.rows < 4) {
    const p = pca(asMatrix(set), 2);
    const xy = new Float64Array(set.rows * 2);
    for (let i = 0; i < set.rows; i++) {
      xy[2 * i] = p.projection[i * p.count];
      xy[2 * i + 1] = p.count > 1 ? p.projection[i * p.count + 1] : 0;
    }
    return { xy, variance: Array.from(p.explainedVarianceRatio) };
  }
  const rows = Array.from({ length: set.rows }, (_, i) => Array.from(set.data.subarray(i * set.cols, (i + 1) * set.cols)));
  const umap = new UMAP({ nComponents: 2, nNeighbors: Math.max(2, Math.min(neighbors, set.rows - 1)), minDist: 0.1, random: seededRandom(seed) });
  const embedding = umap.fit(rows);
  return { xy: Float64Array.from(embedding.flat()), variance: null };
}

const scale = (ci: BootstrapInterval): BootstrapInterval => ({ ...ci, estimate: ci.estimate * 100, low: ci.low * 100, high: ci.high * 100 });

/**
 * One template of the benchmark panel: core's scoreSts (the scoring `moee eval` prints) on the
 * embeddings the engine computed in the page, refused when they are not the pairs' sentences
 * under this template; then the bootstrap intervals of the chosen methods.
 */
async function scoreTemplate(request: StsTemplateRequest): Promise<StsTemplateAnswer> {
  const start = performance.now();
  const { sentences, rows, gold } = stsPairRows(request.pairs);
  const embedded = request.texts;
  if (request.embedding.hs.dims[0] !== embedded.length) throw new Error('the embedding has a different number of rows than texts');
  if (sentences.length !== embedded.length || sentences.some((t, i) => t !== embedded[i])) throw new Error('the embedded texts are not the distinct sentences of these pairs');
  if (request.embedding.options.template.id !== request.template) throw new Error(`the embedding was made with template ${request.embedding.options.template.id}, not ${request.template}`);
  const { similarities, ...scores } = scoreSts(textSetEmbeddings(request.embedding), rows, gold);
  const intervals: Partial<Record<StsMethod, BootstrapInterval>> = {};
  if (request.resamples > 0) {
    for (const method of request.methods) intervals[method] = scale(await bootstrapSpearman(similarities.sims[method], gold, { resamples: request.resamples, seed: request.seed }));
  }
  // The honest MoEE sum: α chosen on the other folds of the pairs (seeded by the run's seed).
  const cv = crossValidatedAlpha(similarities.sims.hs, similarities.sims.rw_softmax, gold, { folds: DEFAULT_CV_FOLDS, seed: request.seed });
  const cvInterval = request.resamples > 0 ? scale(await bootstrapSpearman(cv.predictions, gold, { resamples: request.resamples, seed: request.seed })) : null;
  const crossValidated = { score: cv.score * 100, folds: cv.folds, seed: request.seed, interval: cvInterval, hsSim: Array.from(similarities.sims.hs), rwSim: Array.from(similarities.sims.rw_softmax) };
  const row = { template: request.template, scores, intervals, alphaGrid: similarities.alphaGrid, crossValidated };
  return { kind: 'stsTemplate', id: request.id, row, ms: performance.now() - start };
}

/** The yardstick on the same pairs: cosine of its unit embeddings, the Spearman and interval every row has. */
async function scoreYardstick(request: StsYardstickRequest): Promise<StsYardstickAnswer> {
  const { sentences, rows, gold } = stsPairRows(request.pairs);
  const [count, dims] = request.dims;
  if (count !== request.texts.length || request.embeddings.length !== count * dims) throw new Error('the yardstick embeddings have a different number of rows than texts');
  if (sentences.length !== count || sentences.some((t, i) => t !== request.texts[i])) throw new Error('the yardstick embedded texts are not the distinct sentences of these pairs');
  const sims = representationPairCosines(matrix(request.embeddings, count, dims), rows.index);
  const interval = request.resamples > 0 ? scale(await bootstrapSpearman(sims, gold, { resamples: request.resamples, seed: request.seed })) : null;
  return { kind: 'stsYardstick', id: request.id, score: spearman100(sims, gold), interval };
}

/** The worker's answer to one request: its reply, or the failure it threw. */
export function handleCompute(request: ComputeRequest): Promise<ComputeAnswer | ComputeFailure> {
  return answerOnce<ComputeProtocol>(computeHandle, request);
}

/** The compute worker's handler (app/analysis/compute.worker.ts serves it). */
export const computeHandle: RpcHandle<ComputeProtocol> = (request) => compute(request);

async function compute(request: ComputeRequest): Promise<ComputeAnswer> {
  {
    switch (request.kind) {
      case 'stsTemplate':
        return await scoreTemplate(request);
      case 'stsYardstick':
        return await scoreYardstick(request);
      case 'neighbourBlock': {
        const { stats } = request;
        const scores = neighbourScoresBlock({ hs: request.queryHs, rw: request.queryRw }, asMatrix(request.hs), asMatrix(request.rw), { hs: { mean: stats.hsMean, std: stats.hsStd }, rw: { mean: stats.rwMean, std: stats.rwStd } }, request.alpha);
        return { kind: 'neighbourBlock', id: request.id, offset: request.offset, ...scores };
      }
      case 'cluster': {
        const start = performance.now();
        const hs = kMeans(asMatrix(request.hs), request.k, { seed: request.seed });
        const rw = kMeans(asMatrix(request.rw), request.k, { seed: request.seed });
        return {
          kind: 'cluster',
          id: request.id,
          hsLabels: hs.labels,
          rwLabels: rw.labels,
          ami: adjustedMutualInfo(hs.labels, rw.labels),
          nmi: normalizedMutualInfo(hs.labels, rw.labels),
          jaccard: pairJaccard(hs.labels, rw.labels),
          exactMatch: exactMatchRate(hs.labels, rw.labels),
          vsLabels: request.labels
            ? {
                hs: { ami: adjustedMutualInfo(hs.labels, request.labels), nmi: normalizedMutualInfo(hs.labels, request.labels) },
                rw: { ami: adjustedMutualInfo(rw.labels, request.labels), nmi: normalizedMutualInfo(rw.labels, request.labels) },
              }
            : null,
          ms: performance.now() - start,
        };
      }
      case 'maps': {
        const start = performance.now();
        const hs = map2d(request.hs, request.method, request.seed, request.neighbors);
        const rw = map2d(request.rw, request.method, request.seed, request.neighbors);
        return { kind: 'maps', id: request.id, hs: hs.xy, rw: rw.xy, hsVariance: hs.variance, rwVariance: rw.variance, ms: performance.now() - start };
      }
      case 'spectral': {
        const rows: SpectralRow[] = request.sets.map(({ name, set }) => {
          const m = asMatrix(set);
          const nuclear = timed(() => matrixNuclearNorm(m));
          const exact = timed(() => exactNuclearNorm(m));
          const entropy = timed(() => matrixEntropy(m));
          return {
            name,
            rows: set.rows,
            cols: set.cols,
            nuclearL12: nuclear.value.l12,
            nuclearPerRow: nuclear.value.perRow,
            nuclearMs: nuclear.ms,
            exactNuclear: exact.value,
            exactMs: exact.ms,
            bounds: nuclearNormBounds(m),
            entropy: entropy.value,
            entropyMs: entropy.ms,
          };
        });
        return { kind: 'spectral', id: request.id, rows };
      }
      default: {
        const unknown: never = request;
        throw Object.assign(new Error(`unknown compute request ${(unknown as { kind: string }).kind}`), { name: 'InternalError' });
      }
    }
  }
}
