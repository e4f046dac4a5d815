/// <reference lib="webworker" />
/** The page's math worker: core/ similarity and α search, so the main thread only draws. */
import { autoAlpha, cosineSimilarityMatrix, matrix } from '../core/index.ts';
import { byKind, serveRpc } from '../workers/rpc.ts';
import { cosineMatrices } from './derive.ts';
import type { DeriveProtocol } from './derive-protocol.ts';

declare const self: DedicatedWorkerGlobalScope;

const handle = byKind<DeriveProtocol>({
  cosines: ({ hs, rw, stats }) => ({ kind: 'cosines', matrices: cosineMatrices(matrix(hs.data, hs.rows, hs.cols), matrix(rw.data, rw.rows, rw.cols), stats) }),
  cosine: ({ embeddings: e }) => ({ kind: 'cosine', values: cosineSimilarityMatrix(matrix(e.data, e.rows, e.cols)) }),
  autoAlpha: ({ hsPairs, rwPairs }) => {
    const best = autoAlpha(hsPairs, rwPairs);
    return { kind: 'autoAlpha', alpha: best.alpha, score: best.score };
  },
});

serveRpc<DeriveProtocol>(self, handle, {
  transfer: (response) =>
    response.kind === 'cosines' ? [response.matrices.hs.buffer, response.matrices.rw.buffer, response.matrices.concat.buffer] : response.kind === 'cosine' ? [response.values.buffer] : [],
});
