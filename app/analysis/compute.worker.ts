/** Thin entry of the analysis compute worker: messages in, handleCompute, answers out by transfer. */
import { handleCompute } from './compute-handler.ts';
import type { ComputeAnswer, ComputeRequest } from './compute-protocol.ts';

function transferables(answer: ComputeAnswer): Transferable[] {
  switch (answer.kind) {
    case 'cluster':
      return [answer.hsLabels.buffer, answer.rwLabels.buffer] as Transferable[];
    case 'maps':
      return [answer.hs.buffer, answer.rw.buffer] as Transferable[];
    default:
      return [];
  }
}

self.onmessage = async (message: MessageEvent<ComputeRequest>) => {
  const answer = await handleCompute(message.data);
  (self as unknown as Worker).postMessage(answer, transferables(answer));
};
