/**
 * Load a model for the engine: config and tokenizer through Transformers.js' Auto classes, the
 * .onnx through Transformers.js' own file loader (local folder, Hub, browser cache) with the graph
 * tap applied on the way to the session (see ort-bridge.ts). Progress is a phase machine with bytes.
 */
import type { PreTrainedTokenizer, ProgressInfo } from '@huggingface/transformers';
import { externalDataFiles, moeFacts, type MoEFacts, type RawModelConfig } from '../models/moe-config.ts';
import { NotMoEModelError } from '../models/errors.ts';
import { isWeightFile, onnxFileFor } from '../models/dtypes.ts';
import { tapModel, type TapResult } from '../models/tap.ts';
import { graphEditsFor } from '../models/graph-edits.ts';
import { chooseExecutionProvider } from './capabilities.ts';
import { CancelledError, DownloadError, MissingFileError } from './errors.ts';
import { hubFileUrl, HUGGING_FACE_HUB, isCached } from './hub.ts';
import type { OrtBridge, InferenceSession } from './ort-bridge.ts';
import type { Capabilities, DownloadPlan, InspectRequest, LoadPhase, LoadProgressEvent, LoadRequest, ModelInfo, PlannedFile } from './protocol.ts';

export type Transformers = typeof import('@huggingface/transformers');

/** The tap's findings, without the model bytes (those belong to the session now). */
export type TapInfo = Omit<TapResult, 'bytes'>;

/** A model ready to embed with. */
export interface LoadedModel {
  info: ModelInfo;
  facts: MoEFacts;
  config: RawModelConfig;
  tap: TapInfo;
  session: InferenceSession;
  tokenizer: PreTrainedTokenizer;
  /**
   * Run `fn` when no other session run is in flight. onnxruntime-web sessions take one run at a
   * time (concurrent runs on WebGPU corrupt or stall), and requests interleave at every await.
   */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
  dispose(): Promise<void>;
}

/** A load progress report; the handler adds the event's kind and request id. */
export type LoadProgress = Omit<LoadProgressEvent, 'kind' | 'id'>;

/** Fractions of the whole load at which each phase starts (download takes the bulk). */
const PHASE_START: Record<LoadPhase, number> = { detect: 0, download: 0.02, session: 0.85, warmup: 0.95, ready: 1 };

export interface LoadDeps {
  transformers: Transformers;
  bridge: OrtBridge;
  capabilities: Capabilities;
  onProgress: (progress: LoadProgress) => void;
  signal: AbortSignal;
  /** A forward pass on a tiny input, run in the warm-up phase. */
  warmup: (model: LoadedModel) => Promise<void>;
}

export async function loadModel(request: LoadRequest, deps: LoadDeps): Promise<LoadedModel> {
  const started = performance.now();
  const { transformers, bridge, capabilities, signal } = deps;
  const files: Record<string, { loaded: number; total: number }> = {};
  let fraction = 0;
  const report = (phase: LoadPhase, message: string, within = 0) => {
    const next = phase === 'download' ? PHASE_START.download + (PHASE_START.session - PHASE_START.download) * within : PHASE_START[phase];
    fraction = Math.max(fraction, next); // never goes back
    const sizes = Object.values(files);
    deps.onProgress({
      phase,
      fraction,
      files: { ...files },
      loadedBytes: sizes.reduce((s, f) => s + f.loaded, 0),
      totalBytes: sizes.reduce((s, f) => s + f.total, 0),
      message,
    });
  };
  const checkCancel = () => {
    if (signal.aborted) throw new CancelledError('Loading was cancelled.');
  };
  const progress_callback = (info: ProgressInfo) => {
    if (info.status === 'progress') {
      files[info.file] = { loaded: info.loaded, total: info.total };
      const sizes = Object.values(files);
      const total = sizes.reduce((s, f) => s + f.total, 0);
      report('download', `Downloading ${info.file}`, total ? sizes.reduce((s, f) => s + f.loaded, 0) / total : 0);
    } else if (info.status === 'done' && files[info.file]) {
      files[info.file].loaded = files[info.file].total;
    }
  };

  report('detect', 'Checking the device');
  const { ep, reason } = chooseExecutionProvider(request.ep, capabilities);

  report('download', `Reading ${request.modelId}/config.json`);
  const config = await fetchConfig(transformers, request.modelId, progress_callback);
  checkCancel();
  const facts = requireMoE(request.modelId, config);
  // The tokenizer downloads while the .onnx does (it is awaited after the session): the cold start's
  // critical path is the model file, tap and session, not the two in a row.
  const tokenizerLoad = guard(
    () => transformers.AutoTokenizer.from_pretrained(request.modelId, { progress_callback }),
    `${request.modelId} has no usable tokenizer.json`,
  );
  tokenizerLoad.catch(() => {}); // its failure is thrown where it is awaited, below

  let tap: TapInfo | null = null;
  let onnxBytes = 0;
  // Weights in external files (model.onnx_data): listed for ORT ourselves, and Transformers.js' own
  // lookup off, since in Node it hands ORT paths that the tapped bytes cannot be resolved against.
  const externalData = externalDataFiles(config, request.dtype);
  const { value: hfModel, session } = await guard(
    () =>
      bridge.withEdit(
        (bytes) => {
          checkCancel();
          report('session', `Tapping ${facts.moeLayers.length} routers and creating the ${ep.toUpperCase()} session`);
          onnxBytes = bytes.byteLength;
          const edits = { options: graphEditsFor(ep), normTopKProb: config.norm_topk_prob === true };
          const { bytes: tapped, ...found } = tapModel(bytes, facts, config.model_type, edits);
          tap = found;
          return tapped;
        },
        () =>
          // Transformers.js knows only some MoE types (4.3.1: not olmoe, mixtral, granitemoe); the engine
          // needs only its file loading and session, which its base class (AutoModel's fallback) gives.
          (transformers.AutoModelForCausalLM.supports(config.model_type ?? '') ? transformers.AutoModelForCausalLM : transformers.AutoModel).from_pretrained(request.modelId, {
            dtype: request.dtype,
            // With an injected runtime Transformers.js registers no devices and rejects every named
            // one; 'auto' passes, and our executionProviders decide
            // (https://github.com/huggingface/transformers.js/pull/1743).
            device: 'auto',
            session_options: { executionProviders: [ep], graphOptimizationLevel: 'all', ...(externalData.length > 0 && { externalData }) },
            ...(externalData.length > 0 && { use_external_data_format: false }),
            // Hub loads only: given a progress callback, Transformers.js 4.3 first asks every file's
            // size, and for a local file it does so with a full GET that it never reads (so the app's
            // own .onnx came down twice: 2 × 105 MB for moee-smollm2). Embedded models show the load
            // phases without per-file bytes.
            ...(request.hub && { progress_callback }),
          }),
      ),
    `${request.modelId} has no ${onnxFileFor(request.dtype)}`,
  );
  checkCancel();
  if (!tap) throw new Error('the model session was created without the tap');
  const tokenizer = await tokenizerLoad.catch(async (error: unknown) => {
    await (hfModel as { dispose(): Promise<unknown> }).dispose(); // no session without its tokenizer
    throw error;
  });
  checkCancel();

  const info: ModelInfo = {
    modelId: request.modelId,
    modelType: facts.modelType,
    dtype: request.dtype,
    bytes: onnxBytes,
    numHiddenLayers: facts.numHiddenLayers,
    hiddenSize: facts.hiddenSize,
    vocabSize: Number(config.vocab_size ?? 0),
    moeLayers: facts.moeLayers,
    numExperts: facts.numExperts,
    topK: facts.topK,
    hasSharedExpert: facts.hasSharedExpert,
    convention: (tap as TapInfo).convention,
    ep,
    epReason: reason,
    hasReferenceStats: false,
    loadMs: 0,
  };
  let queue: Promise<unknown> = Promise.resolve();
  const loaded: LoadedModel = {
    exclusive: <T>(fn: () => Promise<T>) => {
      const run = queue.then(fn, fn);
      queue = run.catch(() => undefined);
      return run;
    },
    info,
    facts,
    config,
    tap,
    session,
    tokenizer,
    dispose: async () => {
      await (hfModel as { dispose(): Promise<unknown> }).dispose();
    },
  };
  report('warmup', 'Warming up');
  await deps.warmup(loaded);
  info.loadMs = Math.round(performance.now() - started);
  report('ready', `Ready on ${ep.toUpperCase()}`);
  return loaded;
}

/** config.json's MoE facts, or NotMoEModelError naming the model's type (before any .onnx is fetched). */
function requireMoE(modelId: string, config: RawModelConfig): MoEFacts {
  const facts = moeFacts(config);
  if (!facts) {
    throw new NotMoEModelError(
      `${modelId} is a ${config.model_type ?? 'unknown'} model with no routed experts in its config.json: MoEE needs a Mixture-of-Experts model.`,
      config.model_type,
    );
  }
  return facts;
}

/** Files a causal LM load may lack without failing (Transformers.js reads them as optional). */
const OPTIONAL_FILES = new Set(['generation_config.json']);

/**
 * The Hub path's first step: config.json (small; it decides whether the model is an MoE at all),
 * then the list of files the load will read in this dtype with their live sizes (Range requests,
 * as Transformers.js' own metadata helper makes them) and whether the browser cache holds each.
 * No weight byte is downloaded. The caller applies the Hub location to Transformers.js' env.
 */
export async function inspectHubModel(request: InspectRequest, transformers: Transformers, cacheName: string): Promise<DownloadPlan> {
  const { modelId, dtype } = request;
  const config = await fetchConfig(transformers, modelId, () => {});
  const facts = requireMoE(modelId, config);
  const paths = await guard(
    () => transformers.ModelRegistry.get_files(modelId, { config: config as never, dtype, include_processor: false }),
    `${modelId} lists no files Transformers.js can load`,
  );
  const hub = { ...HUGGING_FACE_HUB, ...request.hub };
  const files: PlannedFile[] = [];
  for (const path of paths) {
    const meta = await guard(() => transformers.ModelRegistry.get_file_metadata(modelId, path), `${modelId} has no ${path}`);
    const required = !OPTIONAL_FILES.has(path);
    if (!meta.exists) {
      if (required) throw new MissingFileError(`${modelId} has no ${path} on ${hub.remoteHost} (needed for ${dtype}).`);
      continue;
    }
    files.push({ path, bytes: meta.size ?? null, cached: await isCached(cacheName, hubFileUrl(hub, modelId, path)), required });
  }
  const sum = (list: PlannedFile[]) => (list.some((f) => f.bytes === null) ? null : list.reduce((s, f) => s + (f.bytes ?? 0), 0));
  return {
    modelId,
    dtype,
    hub: request.hub,
    modelType: facts.modelType,
    architecture: config.architectures?.[0] ?? null,
    numHiddenLayers: facts.numHiddenLayers,
    moeLayers: facts.moeLayers,
    numExperts: facts.numExperts,
    topK: facts.topK,
    hasSharedExpert: facts.hasSharedExpert,
    files,
    totalBytes: sum(files),
    downloadBytes: sum(files.filter((f) => !f.cached)),
    weightBytes: sum(files.filter((f) => isWeightFile(f.path))),
  };
}

async function fetchConfig(
  transformers: Transformers,
  modelId: string,
  progress_callback: (info: ProgressInfo) => void,
): Promise<RawModelConfig> {
  const config = await guard(
    () => transformers.AutoConfig.from_pretrained(modelId, { progress_callback }),
    `${modelId} has no config.json`,
  );
  // PretrainedConfig keeps config.json's keys as own properties.
  return { ...(config as unknown as RawModelConfig) };
}

/** Turn Transformers.js' "file not found" failures into MissingFileError with our wording. */
async function guard<T>(load: () => Promise<T>, missing: string): Promise<T> {
  try {
    return await load();
  } catch (error) {
    // Already named by the download guard (workers/hub.ts): keep its words.
    if (error instanceof DownloadError || error instanceof CancelledError) throw error;
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    if (/ModelFileNotFound|Could not locate file|file was not found|404|ENOENT/i.test(text)) {
      throw new MissingFileError(`${missing} (${error instanceof Error ? error.message : text}).`);
    }
    throw error;
  }
}
