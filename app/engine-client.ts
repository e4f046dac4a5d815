/**
 * The page's only door to the engine: a typed client over the worker protocol. Every call gets a
 * request id; progress arrives through callbacks, results and named errors through the promise.
 * A hard cancel or a crashed worker replaces the worker with a fresh one (the model must then be
 * loaded again; `onReset` tells the store).
 */
import {
  ENGINE_REPLY_KINDS,
  type EmbedOptions,
  type EmbedProgressEvent,
  type EmbedResult,
  type EngineEvent,
  type EngineReplyKinds,
  type EngineReplyOf,
  type EngineRequest,
  type LoadProgressEvent,
  type LoadRequest,
  type LoadedEvent,
  type Capabilities,
  type DownloadPlan,
  type InspectRequest,
  type CacheListedEvent,
  type CacheDeletedEvent,
} from '../workers/protocol.ts';
import type { CachedFile } from '../workers/hub.ts';
import type { SerializedError } from '../workers/errors.ts';

/** A named engine error on the page side. */
export class EngineError extends Error {
  constructor(readonly serialized: SerializedError) {
    super(serialized.message);
    this.name = serialized.name;
  }
}

interface Pending {
  resolve: (event: EngineEvent) => void;
  reject: (error: EngineError) => void;
  onProgress?: (event: LoadProgressEvent | EmbedProgressEvent) => void;
  /** The reply kind that ends this request (EngineReplyKinds); any other reply is an error. */
  done: EngineEvent['kind'];
}

export interface EngineClientOptions {
  /** Called when the worker was replaced (crash or hard cancel): the model is gone. */
  onReset?: (reason: SerializedError) => void;
}

let nextId = 0;

export class EngineClient {
  private worker: Worker;
  private pending = new Map<string, Pending>();

  constructor(private readonly options: EngineClientOptions = {}) {
    this.worker = this.spawn();
  }

  private spawn(): Worker {
    // Inline `new URL(..., import.meta.url)` so that Vite bundles the worker.
    const worker = new Worker(new URL('../workers/worker.ts', import.meta.url), { type: 'module', name: 'moee-engine' });
    worker.onmessage = (message: MessageEvent<EngineEvent>) => this.receive(message.data);
    worker.onerror = (event) => {
      event.preventDefault();
      this.reset({ name: 'WorkerCrashedError', message: `The engine worker crashed (${event.message || 'unknown error'}); a fresh one was started.` });
    };
    return worker;
  }

  private receive(event: EngineEvent): void {
    const pending = this.pending.get(event.requestId);
    if (!pending) return;
    if (event.kind === 'progress') {
      pending.onProgress?.(event);
      return;
    }
    this.pending.delete(event.requestId);
    if (event.kind === 'error') pending.reject(new EngineError(event.error));
    else if (event.kind !== pending.done) pending.reject(new EngineError({ name: 'InternalError', message: `the engine answered ${event.kind} where ${pending.done} was due` }));
    else pending.resolve(event);
  }

  private send<K extends keyof EngineReplyKinds>(request: EngineRequest & { kind: K }, onProgress?: Pending['onProgress']): Promise<EngineReplyOf<K>> {
    return new Promise<EngineReplyOf<K>>((resolve, reject) => {
      this.pending.set(request.requestId, { resolve: resolve as (e: EngineEvent) => void, reject, onProgress, done: ENGINE_REPLY_KINDS[request.kind] });
      this.worker.postMessage(request);
    });
  }

  /** Fail every pending request, replace the worker; `notify`: tell the store the model is gone. */
  private reset(reason: SerializedError, notify = true): void {
    this.worker.terminate();
    for (const pending of this.pending.values()) pending.reject(new EngineError(reason));
    this.pending.clear();
    this.worker = this.spawn();
    if (notify) this.options.onReset?.(reason);
  }

  /**
   * Replace the worker after a failed load (it holds no model then). Transformers.js chains every
   * browser session creation on one promise, so a single failed creation (a corrupt or non-MoE
   * graph rejected by the tap) fails every later one in that worker
   * (`webInitChain` in transformers.js src/backends/onnx.js); a fresh worker starts clean.
   */
  restartAfterFailedLoad(): void {
    this.reset({ name: 'CancelledError', message: 'The engine was restarted after a failed load.' }, false);
  }

  static newRequestId(prefix: string): string {
    return `${prefix}-${++nextId}-${Date.now().toString(36)}`;
  }

  capabilities(): Promise<Capabilities> {
    return this.send({ kind: 'capabilities', requestId: EngineClient.newRequestId('caps') }).then((e) => e.capabilities);
  }

  load(request: Omit<LoadRequest, 'kind' | 'requestId'>, onProgress?: (e: LoadProgressEvent) => void, requestId = EngineClient.newRequestId('load')): Promise<LoadedEvent> {
    return this.send({ kind: 'load', requestId, ...request }, onProgress as Pending['onProgress']);
  }

  embed(texts: string[], options: EmbedOptions, onProgress?: (e: EmbedProgressEvent) => void, requestId = EngineClient.newRequestId('embed')): Promise<EmbedResult> {
    return this.send({ kind: 'embed', requestId, texts, options }, onProgress as Pending['onProgress']).then((e) => e.result);
  }

  /** Read a Hub model's config.json and live file sizes; no weight is downloaded. */
  inspect(request: Omit<InspectRequest, 'kind' | 'requestId'>, requestId = EngineClient.newRequestId('inspect')): Promise<DownloadPlan> {
    return this.send({ kind: 'inspect', requestId, ...request }).then((e) => e.plan);
  }

  /** The models in the browser cache, with sizes. */
  cacheList(): Promise<Omit<CacheListedEvent, 'kind' | 'requestId'>> {
    return this.send({ kind: 'cacheList', requestId: EngineClient.newRequestId('cache') }).then(({ cacheName, models }) => ({ cacheName, models }));
  }

  cacheDelete(files: CachedFile[]): Promise<Omit<CacheDeletedEvent, 'kind' | 'requestId'>> {
    return this.send({ kind: 'cacheDelete', requestId: EngineClient.newRequestId('uncache'), files }).then(({ deletedFiles, freedBytes }) => ({
      deletedFiles,
      freedBytes,
    }));
  }

  /** Ask the worker to stop `targetId` at its next batch boundary. */
  cancel(targetId: string): void {
    this.worker.postMessage({ kind: 'cancel', requestId: EngineClient.newRequestId('cancel'), targetId } satisfies EngineRequest);
  }

  /** Stop everything now: terminate the worker and start a fresh one. */
  hardCancel(): void {
    this.reset({ name: 'CancelledError', message: 'Cancelled: the engine was restarted.' });
  }

  dispose(): void {
    this.worker.terminate();
  }
}
