/// <reference lib="webworker" />
/** The page's math worker: core/ similarity and α search, so the main thread only draws. */
import { autoAlpha, matrix } from '../core/index.ts';
import { serveRpc } from '../workers/rpc.ts';
import { cosineMatrices } from './derive.ts';
import type { DeriveRequest, DeriveResponse } from './derive-protocol.ts';

declare const self: DedicatedWorkerGlobalScope;

function handle(request: DeriveRequest): DeriveResponse {
  switch (request.kind) {
    case 'cosines': {
      const { hs, rw } = request;
      return { kind: 'cosines', id: request.id, matrices: cosineMatrices(matrix(hs.data, hs.rows, hs.cols), matrix(rw.data, rw.rows, rw.cols), request.stats) };
    }
    case 'autoAlpha': {
      const best = autoAlpha(request.hsPairs, request.rwPairs);
      return { kind: 'autoAlpha', id: request.id, alpha: best.alpha, score: best.score };
    }
    default: {
      const unknown: never = request;
      throw new Error(`unknown derive request ${(unknown as { kind: string }).kind}`);
    }
  }
}

serveRpc<DeriveRequest, DeriveResponse>(self, handle, (response) =>
  response.kind === 'cosines' ? [response.matrices.hs.buffer, response.matrices.rw.buffer, response.matrices.concat.buffer] : [],
);
