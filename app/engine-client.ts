/**
 * The page's only door to the engine: typed calls over the engine protocol, carried by the same
 * request/reply layer as the page's other workers (workers/rpc.ts). Every call has a request id;
 * progress arrives through callbacks, replies and named errors through the promise. A hard cancel
 * or a crashed worker replaces the worker with a fresh one (the model must then be loaded again;
 * `onReset` tells the store).
 */
import {
  ENGINE_REPLY_KINDS,
  type EmbedOptions,
  type EmbedProgressEvent,
  type EmbedResult,
  type EngineProtocol,
  type LoadProgressEvent,
  type LoadRequest,
  type LoadedEvent,
  type Capabilities,
  type DownloadPlan,
  type InspectRequest,
  type CacheListedEvent,
  type CacheDeletedEvent,
  type SelfCheckedEvent,
  type YardstickEmbeddedEvent,
  type YardstickProgressEvent,
} from '../workers/protocol.ts';
import type { YardstickDtype } from '../workers/yardstick.ts';
import type { CachedFile } from '../workers/hub.ts';
import type { SerializedError } from '../workers/errors.ts';
import { newRpcId, RpcClient, type RpcError } from '../workers/rpc.ts';

/** A named engine error on the page side. */
export class EngineError extends Error {
  constructor(readonly serialized: SerializedError) {
    super(serialized.message);
    this.name = serialized.name;
  }
}

export interface EngineClientOptions {
  /** Called when the worker was replaced (crash or hard cancel): the model is gone. */
  onReset?: (reason: SerializedError) => void;
}

/** Errors the rpc layer makes itself (crash, stop, a wrong reply kind) carry names the engine also uses. */
const asSerialized = (error: RpcError): SerializedError => error as SerializedError;

export class EngineClient {
  private readonly rpc: RpcClient<EngineProtocol>;

  constructor(private readonly options: EngineClientOptions = {}) {
    this.rpc = new RpcClient<EngineProtocol>(
      // Inline `new URL(..., import.meta.url)` so that Vite bundles the worker.
      () => new Worker(new URL('../workers/worker.ts', import.meta.url), { type: 'module', name: 'moee-engine' }),
      {
        name: 'engine worker',
        replyKinds: ENGINE_REPLY_KINDS,
        toError: (error) => new EngineError(asSerialized(error)),
        onCrash: (error) => this.options.onReset?.(asSerialized(error)),
        // Started with the page: the worker's module graph (ORT, Transformers.js) loads meanwhile.
        eager: true,
      },
    );
  }

  /**
   * Replace the worker after a failed load (it holds no model then). Transformers.js chains every
   * browser session creation on one promise, so a single failed creation (a corrupt or non-MoE
   * graph rejected by the tap) fails every later one in that worker
   * (`webInitChain` in transformers.js src/backends/onnx.js); a fresh worker starts clean.
   */
  restartAfterFailedLoad(): void {
    this.rpc.stop({ name: 'CancelledError', message: 'The engine was restarted after a failed load.' });
  }

  static newRequestId(prefix: string): string {
    return newRpcId(prefix);
  }

  async capabilities(): Promise<Capabilities> {
    return (await this.rpc.call({ kind: 'capabilities' })).capabilities;
  }

  async load(request: Omit<LoadRequest, 'kind' | 'id'>, onProgress?: (e: LoadProgressEvent) => void, id = newRpcId('load')): Promise<LoadedEvent> {
    const call = () => this.rpc.call({ kind: 'load', ...request }, { id, onProgress: onProgress && ((e) => e.phase !== 'embed' && e.phase !== 'yardstick' && onProgress(e)) });
    try {
      return await call();
    } catch (error) {
      // The worker holds the onnxruntime-web build of the other EP (workers/worker.ts): a fresh
      // worker picks the right one on this load. Its old model was being replaced anyway.
      if (!(error instanceof EngineError && error.name === 'RuntimeSwitchError')) throw error;
      this.rpc.stop({ name: 'CancelledError', message: 'The engine was restarted for another execution provider.' });
      return call();
    }
  }

  async embed(texts: string[], options: EmbedOptions, onProgress?: (e: EmbedProgressEvent) => void, id = newRpcId('embed')): Promise<EmbedResult> {
    return (await this.rpc.call({ kind: 'embed', texts, options }, { id, onProgress: onProgress && ((e) => e.phase === 'embed' && onProgress(e)) })).result;
  }

  /** Embed raw texts with the yardstick (loaded by the first call). Send it between MoE runs, not during one. */
  async yardstick(
    texts: string[],
    dtype?: YardstickDtype,
    onProgress?: (e: YardstickProgressEvent) => void,
    id = newRpcId('yardstick'),
  ): Promise<Omit<YardstickEmbeddedEvent, 'kind' | 'id'>> {
    const { result, loadMs } = await this.rpc.call(
      { kind: 'yardstick', texts, ...(dtype && { dtype }) },
      { id, onProgress: onProgress && ((e) => e.phase === 'yardstick' && onProgress(e)) },
    );
    return { result, loadMs };
  }

  /** Read a Hub model's config.json and live file sizes; no weight is downloaded. */
  async inspect(request: Omit<InspectRequest, 'kind' | 'id'>, id = newRpcId('inspect')): Promise<DownloadPlan> {
    return (await this.rpc.call({ kind: 'inspect', ...request }, { id })).plan;
  }

  /** The models in the browser cache, with sizes. */
  async cacheList(): Promise<Omit<CacheListedEvent, 'kind' | 'id'>> {
    const { cacheName, models } = await this.rpc.call({ kind: 'cacheList' });
    return { cacheName, models };
  }

  async cacheDelete(files: CachedFile[]): Promise<Omit<CacheDeletedEvent, 'kind' | 'id'>> {
    const { deletedFiles, freedBytes } = await this.rpc.call({ kind: 'cacheDelete', files });
    return { deletedFiles, freedBytes };
  }

  /** Check the loaded model's numbers on this device against a WASM run (see SelfCheckRequest). */
  async selfCheck(id = newRpcId('self-check')): Promise<Omit<SelfCheckedEvent, 'kind' | 'id'>> {
    const { modelId, check } = await this.rpc.call({ kind: 'selfCheck' }, { id });
    return { modelId, check };
  }

  /** Ask the worker to stop request `targetId` at its next batch boundary. */
  cancel(targetId: string): void {
    this.rpc.cancel(targetId);
  }

  /** Stop everything now: terminate the worker and start a fresh one. */
  hardCancel(): void {
    const reason: SerializedError = { name: 'CancelledError', message: 'Cancelled: the engine was restarted.' };
    this.rpc.stop(reason);
    this.options.onReset?.(reason);
  }

  dispose(): void {
    this.rpc.dispose();
  }
}
