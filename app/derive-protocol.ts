/**
 * Messages between the page and its derive worker (app/derive-worker.ts), which runs the O(n² d)
 * similarity math of core/ off the main thread so the page never stalls on 500 texts. Carried by
 * workers/rpc.ts: the reply to a request has its kind.
 */
import type { RpcError } from '../workers/rpc.ts';
import type { ConcatStats, CosineMatrices } from './derive.ts';

/** A row-major float matrix as it crosses to the derive worker (copied: the page keeps its result). */
export interface MatrixMessage {
  data: Float32Array | Float64Array;
  rows: number;
  cols: number;
}

export type DeriveRequest =
  | { kind: 'cosines'; id: string; hs: MatrixMessage; rw: MatrixMessage; stats: ConcatStats }
  /** One cosine matrix (the yardstick's). */
  | { kind: 'cosine'; id: string; embeddings: MatrixMessage }
  /** Label-free α over each distinct pair's HS and RW similarity. */
  | { kind: 'autoAlpha'; id: string; hsPairs: Float32Array; rwPairs: Float32Array };

/** Replies, one per request kind (a failure is workers/rpc.ts' RpcFailure). */
export type DeriveResponse =
  | { kind: 'cosines'; id: string; matrices: CosineMatrices }
  | { kind: 'cosine'; id: string; values: Float32Array } | { kind: 'autoAlpha'; id: string; alpha: number; score: number };

/** The derive worker's protocol (workers/rpc.ts): each reply has its request's kind; no progress. */
export interface DeriveProtocol {
  request: DeriveRequest;
  reply: DeriveResponse;
  progress: never;
  replyKinds: Record<never, string>;
  error: RpcError;
}
