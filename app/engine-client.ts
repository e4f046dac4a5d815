/**
 * The page's only door to the engine: a typed client over the worker protocol. Every call gets a
 * request id; progress arrives through callbacks, results and named errors through the promise.
 * A hard cancel or a crashed worker replaces the worker with a fresh one (the model must then be
 * loaded again; `onReset` tells the store).
 */
import type {
  EmbedOptions,
  EmbedProgressEvent,
  EmbedResult,
  EngineEvent,
  EngineRequest,
  LoadProgressEvent,
  LoadRequest,
  LoadedEvent,
  Capabilities,
  DownloadPlan,
  InspectRequest,
  CacheListedEvent,
  CacheDeletedEvent,
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
    else pending.resolve(event);
  }

  private send<T extends EngineEvent>(
    request: EngineRequest,
    done: T['kind'],
    onProgress?: Pending['onProgress'],
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.set(request.requestId, { resolve: resolve as (e: EngineEvent) => void, reject, onProgress, done });
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
    return this.send<Extract<EngineEvent, { kind: 'capabilities' }>>(
      { kind: 'capabilities', requestId: EngineClient.newRequestId('caps') },
      'capabilities',
    ).then((e) => e.capabilities);
  }

  load(request: Omit<LoadRequest, 'kind' | 'requestId'>, onProgress?: (e: LoadProgressEvent) => void, requestId = EngineClient.newRequestId('load')): Promise<LoadedEvent> {
    return this.send<LoadedEvent>({ kind: 'load', requestId, ...request }, 'loaded', onProgress as Pending['onProgress']);
  }

  embed(texts: string[], options: EmbedOptions, onProgress?: (e: EmbedProgressEvent) => void, requestId = EngineClient.newRequestId('embed')): Promise<EmbedResult> {
    return this.send<Extract<EngineEvent, { kind: 'embedded' }>>(
      { kind: 'embed', requestId, texts, options },
      'embedded',
      onProgress as Pending['onProgress'],
    ).then((e) => e.result);
  }

  /** Read a Hub model's config.json and live file sizes; no weight is downloaded. */
  inspect(request: Omit<InspectRequest, 'kind' | 'requestId'>, requestId = EngineClient.newRequestId('inspect')): Promise<DownloadPlan> {
    return this.send<Extract<EngineEvent, { kind: 'inspected' }>>({ kind: 'inspect', requestId, ...request }, 'inspected').then((e) => e.plan);
  }

  /** The models in the browser cache, with sizes. */
  cacheList(): Promise<Omit<CacheListedEvent, 'kind' | 'requestId'>> {
    return this.send<CacheListedEvent>({ kind: 'cacheList', requestId: EngineClient.newRequestId('cache') }, 'cacheListed').then(({ cacheName, models }) => ({ cacheName, models }));
  }

  cacheDelete(files: CachedFile[]): Promise<Omit<CacheDeletedEvent, 'kind' | 'requestId'>> {
    return this.send<CacheDeletedEvent>({ kind: 'cacheDelete', requestId: EngineClient.newRequestId('uncache'), files }, 'cacheDeleted').then(({ deletedFiles, freedBytes }) => ({
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
