/**
 * The engine behind the worker protocol, independent of its transport: the worker entry wires
 * `onmessage` to `handle` and `post` to `postMessage`; Node tests and the CLI call it directly with
 * the real model. Only the transport differs, never the inference.
 */
import { detectCapabilities } from './capabilities.ts';
import { ConfigMismatchError, CorruptModelError, DeviceLostError, NoModelError, serializeError } from './errors.ts';
import { DEFAULT_STALL_TIMEOUT_MS, deleteCachedFiles, HUGGING_FACE_HUB, installDownloadGuard, listCachedModels, type DownloadContext } from './hub.ts';
import { embed } from './inference.ts';
import { inspectHubModel, loadModel, type LoadedModel, type Transformers } from './model-loader.ts';
import type { OrtBridge } from './ort-bridge.ts';
import { readReferenceStats, REFERENCE_STATS_FILES } from '../models/reference-stats.ts';
import {
  DEFAULT_EMBED_OPTIONS,
  resultTransferables,
  type Capabilities,
  type EmbedRequest,
  type EngineRequest,
  type HubSource,
  type LoadRequest,
  type PostEvent,
  type ReferenceStats,
} from './protocol.ts';

export interface EngineDeps {
  bridge: OrtBridge;
  /** Imports Transformers.js and sets its env (paths, cache); called once, after the bridge is installed. */
  loadTransformers: () => Promise<Transformers>;
  post: PostEvent;
  /** Reads a file of a model folder that Transformers.js does not load (reference statistics); null if absent. */
  readModelFile?: (modelId: string, file: string) => Promise<Uint8Array | null>;
}

/** The slice of GPUDevice the loss watch needs (no @webgpu/types dependency). */
interface GpuDeviceLike {
  lost: Promise<{ reason: string; message: string }>;
}

/** How long a failed GPU run waits for `device.lost` to settle before judging the failure. */
const DEVICE_LOST_SETTLE_MS = 100;

export interface EngineHandler {
  handle(request: EngineRequest): Promise<void>;
  /** The loaded model, for in-process callers (CLI, benchmarks). */
  current(): LoadedModel | null;
}

export function createEngineHandler(deps: EngineDeps): EngineHandler {
  const { bridge, post } = deps;
  let transformers: Promise<Transformers> | null = null;
  let capabilities: Promise<Capabilities> | null = null;
  let model: LoadedModel | null = null;
  const running = new Map<string, AbortController>();

  /** Set when the WebGPU device of the loaded session was lost: the session is dead from then on. */
  let deviceLost: { reason: string; message: string } | null = null;
  let deviceLostSignal: Promise<unknown> = new Promise(() => {});

  /**
   * Watch the WebGPU device ORT created for the session: a lost device (out of GPU memory, a driver
   * reset, the tab backgrounded on some platforms) makes every later run fail with errors that do
   * not say so; the engine names it instead and drops the model.
   */
  async function watchDevice(loaded: LoadedModel): Promise<void> {
    deviceLost = null;
    if (loaded.info.ep !== 'webgpu') return;
    const env = bridge.ort.env as { webgpu?: { device?: Promise<GpuDeviceLike> | GpuDeviceLike } };
    const device = await env.webgpu?.device;
    if (!device?.lost) return;
    deviceLostSignal = device.lost.then((info) => {
      if (model === loaded) deviceLost = { reason: info.reason, message: info.message };
    });
  }

  function deviceLostError(): DeviceLostError {
    const detail = [deviceLost?.reason, deviceLost?.message].filter(Boolean).join(': ');
    return new DeviceLostError(`The GPU device was lost${detail ? ` (${detail})` : ''}, often because it ran out of memory. Load the model again, or switch to WASM.`);
  }

  let guarded: (<T>(context: DownloadContext, work: () => Promise<T>) => Promise<T>) | null = null;
  /** The env as loadTransformers left it: local (embedded) models load with exactly that. */
  let localEnv: { allowLocalModels: boolean; allowRemoteModels: boolean } | null = null;

  const getTransformers = () =>
    (transformers ??= deps.loadTransformers().then((tf) => {
      guarded = installDownloadGuard(tf.env as unknown as Parameters<typeof installDownloadGuard>[0]);
      localEnv = { allowLocalModels: tf.env.allowLocalModels, allowRemoteModels: tf.env.allowRemoteModels };
      return tf;
    }));
  const getCapabilities = () => (capabilities ??= detectCapabilities());

  /**
   * Point Transformers.js at the request's source. A Hub model never looks in the app's local
   * model folder (a missing local file would cost a request, and a page served for any path could
   * pass for it); an embedded model uses the env loadTransformers set.
   */
  function useSource(tf: Transformers, hub: HubSource | undefined): void {
    if (hub) {
      tf.env.allowLocalModels = false;
      tf.env.allowRemoteModels = true;
      tf.env.remoteHost = hub.remoteHost;
      tf.env.remotePathTemplate = hub.remotePathTemplate ?? HUGGING_FACE_HUB.remotePathTemplate;
    } else if (localEnv) {
      Object.assign(tf.env, localEnv);
    }
  }

  /** Run `work` with every download tied to `signal` and watched for stalls. */
  function downloading<T>(hub: HubSource | undefined, signal: AbortSignal, work: () => Promise<T>): Promise<T> {
    if (!guarded) return work();
    return guarded({ signal, stallTimeoutMs: hub?.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS }, work);
  }

  const ownOrigin = () => (typeof location !== 'undefined' ? location.origin : null);

  async function load(request: LoadRequest, signal: AbortSignal): Promise<void> {
    const [tf, caps] = await Promise.all([getTransformers(), getCapabilities()]);
    useSource(tf, request.hub);
    const previous = model;
    model = null;
    await previous?.dispose();
    try {
      model = await downloading(request.hub, signal, () => loadHandled(request, tf, caps, signal));
    } catch (error) {
      // A cached file that cannot be parsed would fail every later load from the cache too: drop
      // the model's cached weights so that "load again" downloads them afresh.
      if (request.hub && (error instanceof CorruptModelError || error instanceof ConfigMismatchError)) {
        const cached = await listCachedModels(tf.env.cacheKey, ownOrigin());
        const files = cached.filter((m) => m.modelId === request.modelId).flatMap((m) => m.files.filter((f) => /\.onnx/.test(f.path)));
        const { deletedFiles } = await deleteCachedFiles(tf.env.cacheKey, files);
        if (deletedFiles) error.message += ` The cached copy (${deletedFiles} file${deletedFiles > 1 ? 's' : ''}) was removed; loading again downloads it afresh.`;
      }
      throw error;
    }
    await watchDevice(model);
    const referenceStats = await loadReferenceStats(request.modelId);
    model.info.hasReferenceStats = referenceStats !== null;
    post({ kind: 'loaded', requestId: request.requestId, model: model.info, capabilities: caps, referenceStats });
  }

  function loadHandled(request: LoadRequest, tf: Transformers, caps: Capabilities, signal: AbortSignal): Promise<LoadedModel> {
    return loadModel(request, {
      transformers: tf,
      bridge,
      capabilities: caps,
      signal,
      onProgress: (p) => post({ kind: 'progress', requestId: request.requestId, ...p }),
      warmup: async (m) => {
        await embed(m, ['Warm-up.'], DEFAULT_EMBED_OPTIONS, { ort: bridge.ort, signal, onProgress: () => {} });
      },
    });
  }

  async function loadReferenceStats(modelId: string): Promise<ReferenceStats | null> {
    if (!deps.readModelFile) return null;
    const [manifest, blob] = await Promise.all([
      deps.readModelFile(modelId, REFERENCE_STATS_FILES.manifest),
      deps.readModelFile(modelId, REFERENCE_STATS_FILES.blob),
    ]);
    return manifest && blob ? readReferenceStats(new TextDecoder().decode(manifest), blob) : null;
  }

  async function runEmbed(request: EmbedRequest, signal: AbortSignal): Promise<void> {
    if (!model) throw new NoModelError('No model is loaded yet: load one first.');
    if (deviceLost) {
      model = null;
      throw deviceLostError();
    }
    const total = request.texts.length;
    const result = await embed(model, request.texts, request.options, {
      ort: bridge.ort,
      signal,
      onProgress: (done) =>
        post({
          kind: 'progress',
          requestId: request.requestId,
          phase: 'embed',
          fraction: done / total,
          done,
          total,
          message: `Embedded ${done} of ${total}`,
        }),
    }).catch(async (error: unknown) => {
      // The failure may be the loss itself, reported before `device.lost` settles.
      if (model?.info.ep === 'webgpu') await Promise.race([deviceLostSignal, new Promise((r) => setTimeout(r, DEVICE_LOST_SETTLE_MS))]);
      if (!deviceLost) throw error;
      model = null;
      throw deviceLostError();
    });
    post({ kind: 'embedded', requestId: request.requestId, result }, resultTransferables(result));
  }

  async function handle(request: EngineRequest): Promise<void> {
    const controller = new AbortController();
    running.set(request.requestId, controller);
    try {
      switch (request.kind) {
        case 'capabilities':
          post({ kind: 'capabilities', requestId: request.requestId, capabilities: await getCapabilities() });
          break;
        case 'load':
          await load(request, controller.signal);
          break;
        case 'embed':
          await runEmbed(request, controller.signal);
          break;
        case 'inspect': {
          const tf = await getTransformers();
          useSource(tf, request.hub);
          const plan = await downloading(request.hub, controller.signal, () => inspectHubModel(request, tf, tf.env.cacheKey));
          post({ kind: 'inspected', requestId: request.requestId, plan });
          break;
        }
        case 'cacheList': {
          const tf = await getTransformers();
          post({ kind: 'cacheListed', requestId: request.requestId, cacheName: tf.env.cacheKey, models: await listCachedModels(tf.env.cacheKey, ownOrigin()) });
          break;
        }
        case 'cacheDelete': {
          const tf = await getTransformers();
          post({ kind: 'cacheDeleted', requestId: request.requestId, ...(await deleteCachedFiles(tf.env.cacheKey, request.files)) });
          break;
        }
        case 'cancel':
          running.get(request.targetId)?.abort();
          post({ kind: 'cancelled', requestId: request.requestId });
          break;
        default: {
          const unknown: never = request;
          post({
            kind: 'error',
            requestId: (unknown as { requestId?: string }).requestId ?? '',
            error: { name: 'UnknownRequestError', message: `Unknown request kind: ${(unknown as { kind?: string }).kind}` },
          });
        }
      }
    } catch (error) {
      post({ kind: 'error', requestId: request.requestId, error: serializeError(error) });
    } finally {
      running.delete(request.requestId);
    }
  }

  return { handle, current: () => model };
}
