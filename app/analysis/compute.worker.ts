/// <reference lib="webworker" />
/** Thin entry of the analysis compute worker: requests in, compute-handler's math, replies out by transfer. */
import { serveRpc } from '../../workers/rpc.ts';
import { computeHandle } from './compute-handler.ts';
import type { ComputeAnswer, ComputeProtocol } from './compute-protocol.ts';

declare const self: DedicatedWorkerGlobalScope;

function transferables(answer: ComputeAnswer): Transferable[] {
  switch (answer.kind) {
    case 'cluster':
      return [answer.hsLabels.buffer, answer.rwLabels.buffer] as Transferable[];
    case 'maps':
      return [answer.hs.buffer, answer.rw.buffer] as Transferable[];
    case 'neighbourBlock':
      return [answer.hs.buffer, answer.rw.buffer, answer.concat.buffer, answer.sum.buffer] as Transferable[];
    default:
      return [];
  }
}

serveRpc<ComputeProtocol>(self, computeHandle, { transfer: transferables });
