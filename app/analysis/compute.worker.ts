/** Thin entry of the analysis compute worker: requests in, handleCompute's math, replies out by transfer. */
import { serveRpc } from '../../workers/rpc.ts';
import { handleCompute } from './compute-handler.ts';
import type { ComputeAnswer, ComputeRequest } from './compute-protocol.ts';

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

serveRpc<ComputeRequest, ComputeAnswer>(self as unknown as Parameters<typeof serveRpc>[0], async (request) => {
  const reply = await handleCompute(request);
  if (reply.kind === 'failed') throw Object.assign(new Error(reply.error.message), { name: reply.error.name });
  return reply;
}, transferables);
