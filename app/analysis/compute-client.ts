/**
 * The page's door to the analysis compute worker. A cancel terminates the worker (the math has no
 * batch boundary to stop at) and the next call starts a fresh one.
 */
import type { ClusterAnswer, ComputeAnswer, ComputeRequest, MapsAnswer, SpectralAnswer, StsTemplateAnswer } from './compute-protocol.ts';

type Without<T> = T extends unknown ? Omit<T, 'id'> : never;

let worker: Worker | null = null;
let nextId = 0;
const pending = new Map<number, { resolve: (a: ComputeAnswer) => void; reject: (e: Error) => void }>();

function spawn(): Worker {
  const w = new Worker(new URL('./compute.worker.ts', import.meta.url), { type: 'module', name: 'moee-analysis' });
  w.onmessage = (message: MessageEvent<ComputeAnswer>) => {
    const answer = message.data;
    const p = pending.get(answer.id);
    if (!p) return;
    pending.delete(answer.id);
    if (answer.kind === 'failed') p.reject(Object.assign(new Error(answer.error.message), { name: answer.error.name }));
    else p.resolve(answer);
  };
  w.onerror = (event) => {
    event.preventDefault();
    stopCompute(`The analysis worker crashed (${event.message || 'unknown error'}).`, 'WorkerCrashedError');
  };
  return w;
}

function call(request: Without<ComputeRequest>): Promise<ComputeAnswer> {
  worker ??= spawn();
  const id = ++nextId;
  const full = { ...request, id } as ComputeRequest;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    worker!.postMessage(full);
  });
}

/** Terminate the running computation; its promise rejects with a CancelledError. */
export function stopCompute(message = 'Cancelled.', name = 'CancelledError'): void {
  worker?.terminate();
  worker = null;
  for (const p of pending.values()) p.reject(Object.assign(new Error(message), { name }));
  pending.clear();
}

export const compute = {
  cluster: (r: Without<Extract<ComputeRequest, { kind: 'cluster' }>>) => call(r) as Promise<ClusterAnswer>,
  maps: (r: Without<Extract<ComputeRequest, { kind: 'maps' }>>) => call(r) as Promise<MapsAnswer>,
  spectral: (r: Without<Extract<ComputeRequest, { kind: 'spectral' }>>) => call(r) as Promise<SpectralAnswer>,
  stsTemplate: (r: Without<Extract<ComputeRequest, { kind: 'stsTemplate' }>>) => call(r) as Promise<StsTemplateAnswer>,
};
