/**
 * The engine behind the worker protocol, independent of its transport: one handler per request
 * kind (workers/rpc.ts `byKind`), each returning its reply. The worker entry serves it with
 * `serveRpc`; Node tests and the CLI run the same rpc server in-process (workers/node-engine.ts)
 * on the real model. Only the transport differs, never the inference.
 */
import { chooseExecutionProvider, detectCapabilities } from './capabilities.ts';
import { ConfigMismatchError, CorruptModelError, DeviceLostError, NoModelError, RuntimeSwitchError } from './errors.ts';
import { DEFAULT_STALL_TIMEOUT_MS, deleteCachedFiles, HUGGING_FACE_HUB, installDownloadGuard, listCachedModels, type DownloadContext } from './hub.ts';
import { embed } from './inference.ts';
import { inspectHubModel, loadModel, type LoadedModel, type Transformers } from './model-loader.ts';
import type { OrtBridge } from './ort-bridge.ts';
import { loadYardstick, YARDSTICK, type Yardstick, type YardstickDtype } from './yardstick.ts';
import { readReferenceStats, REFERENCE_STATS_FILES } from '../models/reference-stats.ts';
import {
  DEFAULT_EMBED_OPTIONS,
  type Capabilities,
  type EmbeddedEvent,
  type EmbedOptions,
  type EmbedRequest,
  type EngineProtocol,
  type ExecutionProvider,
  type HubSource,
  type LoadedEvent,
  type LoadRequest,
  type ReferenceStats,
  type SelfCheck,
  type SelfCheckedEvent,
  type YardstickEmbeddedEvent,
  type YardstickRequest,
} from './protocol.ts';
import { compareRuns, crossCheckFailures } from '../models/golden-check.ts';
import { byKind, type RpcBody, type RpcContext, type RpcHandle } from './rpc.ts';

/** An onnxruntime-web build, installed for Transformers.js (workers/ort-bridge.ts). */
export interface OrtRuntime {
  bridge: OrtBridge;
  /**
   * The execution provider this build was chosen for, when the transport has one build per EP
   * (the page's worker: WASM-only or WebGPU); null when one build serves every EP (Node).
   */
  builtFor: ExecutionProvider | null;
}

export interface EngineDeps {
  /**
   * Import and install the onnxruntime-web build for `ep`; called once, before Transformers.js is
   * imported (it binds to the runtime installed when it first evaluates).
   */
  createRuntime: (ep: ExecutionProvider) => Promise<OrtRuntime>;
  /** Imports Transformers.js and sets its env (paths, cache); called once, after the runtime is installed. */
  loadTransformers: () => Promise<Transformers>;
  /** Reads a file of a model folder that Transformers.js does not load (reference statistics); null if absent. */
  readModelFile?: (modelId: string, file: string) => Promise<Uint8Array | null>;
}

/** The slice of GPUDevice the loss watch needs (no @webgpu/types dependency). */
interface GpuDeviceLike {
  lost: Promise<{ reason: string; message: string }>;
}

/** Two short texts of different kinds: enough tokens × layers to see a broken kernel, quick on any device. */
const SELF_CHECK_TEXTS = ['The meeting starts at half past five.', 'Photosynthesis turns light into chemical energy.'] as const;
const SELF_CHECK_OPTIONS: EmbedOptions = { ...DEFAULT_EMBED_OPTIONS, template: { id: 'none' }, tokenRouting: true, batchSize: SELF_CHECK_TEXTS.length };
/** Past this the WASM copy (its weights dequantised to fp32 at load) would crowd the page's memory. */
const SELF_CHECK_MAX_MODEL_BYTES = 512 * 2 ** 20;

/** How long a failed GPU run waits for `device.lost` to settle before judging the failure. */
const DEVICE_LOST_SETTLE_MS = 100;

export interface EngineHandler {
  /** Answers every request kind of the engine protocol (serve it with workers/rpc.ts). */
  handle: RpcHandle<EngineProtocol>;
  /** The loaded model, for in-process callers (CLI, benchmarks). */
  current(): LoadedModel | null;
}

export function createEngineHandler(deps: EngineDeps): EngineHandler {
  let runtime: Promise<OrtRuntime> | null = null;
  /** The installed runtime's bridge (set once `runtime` resolved). */
  let bridge: OrtBridge | null = null;
  const activeBridge = (): OrtBridge => {
    if (!bridge) throw new Error('no onnxruntime-web build is installed yet');
    return bridge;
  };

  /**
   * The runtime for `ep`: created by the first request that needs one. A load whose EP the
   * installed build was not chosen for fails with RuntimeSwitchError (the page restarts the worker
   * and retries), so WASM always runs on the WASM-only build, which creates sessions 1.8× faster.
   */
  async function runtimeFor(ep: ExecutionProvider, forLoad: boolean): Promise<OrtBridge> {
    runtime ??= deps.createRuntime(ep).then((created) => {
      bridge = created.bridge;
      return created;
    });
    const installed = await runtime;
    if (forLoad && installed.builtFor !== null && installed.builtFor !== ep) {
      throw new RuntimeSwitchError(`This worker runs onnxruntime-web's ${installed.builtFor.toUpperCase()} build; ${ep.toUpperCase()} needs a fresh worker.`);
    }
    return installed.bridge;
  }
  let transformers: Promise<Transformers> | null = null;
  let capabilities: Promise<Capabilities> | null = null;
  let model: LoadedModel | null = null;
  /** The request `model` was loaded by (the self-check loads the same files again on WASM). */
  let modelRequest: LoadRequest | null = null;

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
    const env = activeBridge().ort.env as { webgpu?: { device?: Promise<GpuDeviceLike> | GpuDeviceLike } };
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

  /** Transformers.js, imported once a runtime is installed (for a non-load request: the EP 'auto' would pick). */
  const getTransformers = async (): Promise<Transformers> => {
    await runtimeFor(chooseExecutionProvider('auto', await getCapabilities()).ep, false);
    return (transformers ??= deps.loadTransformers().then((tf) => {
      guarded = installDownloadGuard(tf.env as unknown as Parameters<typeof installDownloadGuard>[0]);
      localEnv = { allowLocalModels: tf.env.allowLocalModels, allowRemoteModels: tf.env.allowRemoteModels };
      return tf;
    }));
  };
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

  async function load(request: LoadRequest, { signal, progress }: RpcContext<EngineProtocol>): Promise<RpcBody<LoadedEvent>> {
    const caps = await getCapabilities();
    await runtimeFor(chooseExecutionProvider(request.ep, caps).ep, true);
    const tf = await getTransformers();
    useSource(tf, request.hub);
    const previous = model;
    model = null;
    modelRequest = null;
    await previous?.dispose();
    try {
      model = await downloading(request.hub, signal, () => loadHandled(request, tf, caps, signal, progress));
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
    modelRequest = request;
    await watchDevice(model);
    const referenceStats = await loadReferenceStats(request.modelId);
    model.info.hasReferenceStats = referenceStats !== null;
    return { kind: 'loaded', model: model.info, capabilities: caps, referenceStats };
  }

  function loadHandled(request: LoadRequest, tf: Transformers, caps: Capabilities, signal: AbortSignal, progress: RpcContext<EngineProtocol>['progress']): Promise<LoadedModel> {
    return loadModel(request, {
      transformers: tf,
      bridge: activeBridge(),
      capabilities: caps,
      signal,
      onProgress: progress,
      warmup: async (m) => {
        await embed(m, ['Warm-up.'], DEFAULT_EMBED_OPTIONS, { ort: activeBridge().ort, signal, onProgress: () => {} });
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

  async function runEmbed(request: EmbedRequest, { signal, progress }: RpcContext<EngineProtocol>): Promise<RpcBody<EmbeddedEvent>> {
    if (!model) throw new NoModelError('No model is loaded yet: load one first.');
    if (deviceLost) {
      model = null;
      throw deviceLostError();
    }
    const total = request.texts.length;
    const result = await embed(model, request.texts, request.options, {
      ort: activeBridge().ort,
      signal,
      onProgress: (done) =>
        progress({
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
    return { kind: 'embedded', result };
  }

  /**
   * Embed two short texts on the loaded (WebGPU) session and again on a WASM copy of the same files,
   * and compare (models/golden-check.ts). The copy is disposed at once.
   */
  async function selfCheck({ signal }: RpcContext<EngineProtocol>): Promise<RpcBody<SelfCheckedEvent>> {
    const checked = model;
    const request = modelRequest;
    if (!checked || !request) throw new NoModelError('No model is loaded yet: load one first.');
    const { ep, modelId, bytes } = checked.info;
    const reply = (check: SelfCheck): RpcBody<SelfCheckedEvent> => ({ kind: 'selfChecked', modelId, check });
    if (ep !== 'webgpu') return reply({ status: 'skipped', ep, reason: 'WASM is the reference the check compares with.' });
    if (bytes > SELF_CHECK_MAX_MODEL_BYTES) {
      return reply({ status: 'skipped', ep, reason: `A second, WASM copy of this ${Math.round(bytes / 2 ** 20)} MiB model would not fit beside it.` });
    }
    const started = performance.now();
    const run = (m: LoadedModel) => embed(m, [...SELF_CHECK_TEXTS], SELF_CHECK_OPTIONS, { ort: activeBridge().ort, signal, onProgress: () => {} });
    const onDevice = await run(checked);
    const [tf, caps] = await Promise.all([getTransformers(), getCapabilities()]);
    useSource(tf, request.hub);
    const reference = await downloading(request.hub, signal, () =>
      loadModel({ ...request, ep: 'wasm' }, { transformers: tf, bridge: activeBridge(), capabilities: caps, signal, onProgress: () => {}, warmup: async () => {} }),
    );
    let onWasm;
    try {
      onWasm = await run(reference);
    } finally {
      await reference.dispose();
    }
    const report = compareRuns(onWasm, onDevice, checked.info.topK);
    const failures = crossCheckFailures(report);
    return reply({ status: failures.length ? 'failed' : 'passed', ep, reference: 'wasm', texts: [...SELF_CHECK_TEXTS], report, failures, ms: Math.round(performance.now() - started) });
  }

  /** The yardstick, loaded by its first request and kept (one dtype at a time). */
  let yardstick: Promise<Yardstick> | null = null;

  async function runYardstick(request: YardstickRequest, { signal, progress }: RpcContext<EngineProtocol>): Promise<RpcBody<YardstickEmbeddedEvent>> {
    const dtype: YardstickDtype = request.dtype ?? YARDSTICK.dtype;
    let loadMs = 0;
    let loaded = yardstick ? await yardstick.catch(() => null) : null;
    if (loaded?.dtype !== dtype) {
      await loaded?.dispose();
      const tf = await getTransformers();
      // The yardstick is a folder this app serves, even when a Hub model is loaded.
      useSource(tf, undefined);
      yardstick = loadYardstick(tf, activeBridge(), dtype, (loadedBytes, totalBytes) =>
        progress({ phase: 'yardstick', stage: 'load', fraction: totalBytes ? loadedBytes / totalBytes : 0, message: `Loading ${YARDSTICK.name}: ${(loadedBytes / 2 ** 20).toFixed(1)} of ${(totalBytes / 2 ** 20).toFixed(1)} MiB` }),
      );
      yardstick.catch(() => (yardstick = null));
      loaded = await yardstick;
      loadMs = loaded.loadMs;
    }
    const total = request.texts.length;
    const result = await loaded.embed(request.texts, {
      signal,
      onProgress: (done) => progress({ phase: 'yardstick', stage: 'embed', fraction: done / total, message: `${YARDSTICK.name}: ${done} of ${total} texts` }),
    });
    return { kind: 'yardstickEmbedded', result, loadMs };
  }

  const handle = byKind<EngineProtocol>({
    yardstick: runYardstick,
    selfCheck: (_request, context) => selfCheck(context),
    capabilities: async () => ({ kind: 'capabilities', capabilities: await getCapabilities() }),
    load,
    embed: runEmbed,
    inspect: async (request, { signal }) => {
      const tf = await getTransformers();
      useSource(tf, request.hub);
      const plan = await downloading(request.hub, signal, () => inspectHubModel(request, tf, tf.env.cacheKey));
      return { kind: 'inspected', plan };
    },
    cacheList: async () => {
      const tf = await getTransformers();
      return { kind: 'cacheListed', cacheName: tf.env.cacheKey, models: await listCachedModels(tf.env.cacheKey, ownOrigin()) };
    },
    cacheDelete: async (request) => {
      const tf = await getTransformers();
      return { kind: 'cacheDeleted', ...(await deleteCachedFiles(tf.env.cacheKey, request.files)) };
    },
  });

  return { handle, current: () => model };
}
