/**
 * The page's side of the derive worker: one request at a time per kind is enough (a newer
 * request makes an older answer stale, and the caller drops it). A crashed worker is replaced.
 */
import type { ConcatStats, CosineMatrices } from './derive.ts';
import type { DeriveRequest, DeriveResponse, MatrixMessage } from './derive-protocol.ts';

type Waiter = { resolve: (response: DeriveResponse) => void; reject: (error: Error) => void };

let worker: Worker | null = null;
let nextId = 0;
const waiting = new Map<number, Waiter>();

function spawn(): Worker {
  const w = new Worker(new URL('./derive-worker.ts', import.meta.url), { type: 'module', name: 'moee-derive' });
  w.onmessage = (message: MessageEvent<DeriveResponse>) => {
    const waiter = waiting.get(message.data.id);
    waiting.delete(message.data.id);
    if (!waiter) return;
    if (message.data.kind === 'error') waiter.reject(new Error(message.data.message));
    else waiter.resolve(message.data);
  };
  w.onerror = (event) => {
    event.preventDefault();
    w.terminate();
    worker = null;
    for (const waiter of waiting.values()) waiter.reject(new Error(`The similarity worker crashed (${event.message || 'unknown error'}).`));
    waiting.clear();
  };
  return w;
}

function ask(request: DeriveRequest): Promise<DeriveResponse> {
  worker ??= spawn();
  const w = worker;
  return new Promise((resolve, reject) => {
    waiting.set(request.id, { resolve, reject });
    w.postMessage(request);
  });
}

/** HS, RW and concat cosine matrices, off the main thread. */
export async function deriveCosines(hs: MatrixMessage, rw: MatrixMessage, stats: ConcatStats): Promise<CosineMatrices> {
  const response = await ask({ kind: 'cosines', id: ++nextId, hs, rw, stats });
  if (response.kind !== 'cosines') throw new Error('derive worker: unexpected answer');
  return response.matrices;
}

/** Label-free α (core/moee.ts autoAlpha) over distinct pairs, off the main thread. */
export async function deriveAutoAlpha(hsPairs: Float32Array, rwPairs: Float32Array): Promise<{ alpha: number; score: number }> {
  const response = await ask({ kind: 'autoAlpha', id: ++nextId, hsPairs, rwPairs });
  if (response.kind !== 'autoAlpha') throw new Error('derive worker: unexpected answer');
  return response;
}
