/**
 * The page's side of the derive worker (workers/rpc.ts). A newer request makes an older answer
 * stale, and the caller drops it; a crashed worker is replaced on the next call.
 */
import { RpcClient } from '../workers/rpc.ts';
import type { ConcatStats, CosineMatrices } from './derive.ts';
import type { DeriveProtocol, MatrixMessage } from './derive-protocol.ts';

const derive = new RpcClient<DeriveProtocol>(() => new Worker(new URL('./derive-worker.ts', import.meta.url), { type: 'module', name: 'moee-derive' }), {
  name: 'similarity worker',
  // The first matrix needs it: its module loads while the model does.
  eager: true,
});

/** HS, RW and concat cosine matrices, off the main thread. */
export async function deriveCosines(hs: MatrixMessage, rw: MatrixMessage, stats: ConcatStats): Promise<CosineMatrices> {
  return (await derive.call({ kind: 'cosines', hs, rw, stats })).matrices;
}

/** The cosine matrix of one set of embeddings (rows), off the main thread. */
export async function deriveCosine(embeddings: MatrixMessage): Promise<Float32Array> {
  return (await derive.call({ kind: 'cosine', embeddings })).values;
}

/** Label-free α (core/moee.ts autoAlpha) over distinct pairs, off the main thread. */
export async function deriveAutoAlpha(hsPairs: Float32Array, rwPairs: Float32Array): Promise<{ alpha: number; score: number }> {
  const { alpha, score } = await derive.call({ kind: 'autoAlpha', hsPairs, rwPairs });
  return { alpha, score };
}
