/**
 * The page's door to the analysis compute worker (workers/rpc.ts). A cancel terminates the worker
 * (the math has no batch boundary to stop at) and the next call starts a fresh one.
 */
import { RpcClient } from '../../workers/rpc.ts';
import type { ComputeProtocol } from './compute-protocol.ts';

/** `compute.call({ kind, ... })` resolves with the reply of that kind. */
export const compute = new RpcClient<ComputeProtocol>(() => new Worker(new URL('./compute.worker.ts', import.meta.url), { type: 'module', name: 'moee-analysis' }), {
  name: 'analysis worker',
});

/** Terminate the running computation; its promise rejects with a CancelledError. */
export function stopCompute(): void {
  compute.stop();
}
