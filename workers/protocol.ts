/**
 * Every message between the page and the engine worker, carried by workers/rpc.ts. Requests carry
 * an `id`; every message about a request (progress, reply, failure) echoes it. Tensors travel as
 * typed arrays with their dims and are transferred, never JSON-encoded.
 */
import type { SerializedError } from './errors.ts';
import type { TemplateSpec } from './templates.ts';
import type { ModelDtype } from '../models/dtypes.ts';
import type { ReferenceStats } from '../models/reference-stats.ts';
import type { CachedFile, CachedModel } from './hub.ts';
import type { RpcOutgoing, RpcReplyTo } from './rpc.ts';
import type { CrossCheckReport } from '../models/golden-check.ts';
import type { YardstickDtype, YardstickResult } from './yardstick.ts';

/** An execution provider that actually ran. */
export type ExecutionProvider = 'webgpu' | 'wasm';
/** What the user asked for: let the engine choose, or force one. */
export type EpPreference = 'auto' | ExecutionProvider;
/** Weights to load, named as Transformers.js names them (file stems and labels: models/dtypes.ts). */
export type { ModelDtype };
/** Short labels for the page (from the dtype table). */
export { DTYPE_LABEL } from '../models/dtypes.ts';

/** RW as the router's softmax distribution (the paper) or its raw logits (the reference code). */
export type RwKind = 'softmax' | 'logits';
/** Which token(s) an embedding is read from. */
export type Pooling = 'last' | 'mean';
export type PaddingSide = 'left' | 'right';

/** A float tensor with its shape, row-major. */
export interface Float32Tensor {
  data: Float32Array;
  dims: number[];
}

/** What this browser (or Node) can do; decides the EP and goes into every bug report. */
export interface Capabilities {
  /** `navigator.gpu` exists. */
  webgpuApi: boolean;
  /** An adapter was really obtained (the API can exist and still give none). */
  webgpuAdapter: boolean;
  adapterInfo: { vendor: string; architecture: string; description: string } | null;
  /** e.g. `shader-f16`. */
  webgpuFeatures: string[];
  webgpuLimits: { maxBufferSize: number; maxStorageBufferBindingSize: number } | null;
  crossOriginIsolated: boolean;
  /** WASM threads ORT will use (1 without cross-origin isolation). */
  wasmThreads: number;
  hardwareConcurrency: number;
  storage: { quota: number; usage: number } | null;
  /** Node or browser. */
  runtime: 'browser' | 'node';
}

/** Static facts of a loaded model. */
export interface ModelInfo {
  modelId: string;
  modelType: string;
  dtype: ModelDtype;
  /** Bytes of the .onnx file(s) loaded. */
  bytes: number;
  numHiddenLayers: number;
  hiddenSize: number;
  vocabSize: number;
  /** Layers with a router, in order; RW is these layers' router outputs concatenated. */
  moeLayers: number[];
  numExperts: number;
  topK: number;
  hasSharedExpert: boolean;
  /** Which row of models/conventions.ts matched. */
  convention: string;
  /** The EP the session runs on, and why it was chosen. */
  ep: ExecutionProvider;
  epReason: string;
  /** Whether reference standardisation statistics ship with the model. */
  hasReferenceStats: boolean;
  loadMs: number;
}

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------

export interface CapabilitiesRequest {
  kind: 'capabilities';
  id: string;
}

export interface LoadRequest {
  kind: 'load';
  id: string;
  /** A Hub id (`org/name`) or the name of a model folder served locally (e.g. `moee-demo`). */
  modelId: string;
  dtype: ModelDtype;
  ep: EpPreference;
  /** Present for Hub models: where they are downloaded from. Absent: a model folder this app serves. */
  hub?: HubSource;
}

/** Where a Hub model is downloaded from, and how long a silent stream may last. */
export interface HubSource {
  /** Transformers.js env.remoteHost, e.g. `https://huggingface.co/` or a mirror. */
  remoteHost: string;
  /** Transformers.js env.remotePathTemplate; default `{model}/resolve/{revision}/`. */
  remotePathTemplate?: string;
  /** A download that yields no byte for this long fails with DownloadError (default 30 s). */
  stallTimeoutMs?: number;
}

/** Read a Hub model's config.json and file sizes, before any weight is downloaded. */
export interface InspectRequest {
  kind: 'inspect';
  id: string;
  modelId: string;
  dtype: ModelDtype;
  hub: HubSource;
}

/** List the models in the browser cache. */
export interface CacheListRequest {
  kind: 'cacheList';
  id: string;
}

/** Delete cached files (all of a model's, usually). */
export interface CacheDeleteRequest {
  kind: 'cacheDelete';
  id: string;
  files: CachedFile[];
}

/**
 * Check the loaded model's numbers on this device: on WebGPU, two short texts are embedded again
 * by a WASM copy of the same files and the two runs compared (quantised WebGPU kernels can be
 * silently wrong on some devices). On WASM there is nothing to check against.
 */
export interface SelfCheckRequest {
  kind: 'selfCheck';
  id: string;
}

/** Options of an embedding run (all have defaults in DEFAULT_EMBED_OPTIONS). */
export interface EmbedOptions {
  template: TemplateSpec;
  /** Wrap prompts in the reference code's instruction (off by default). */
  instruction: string | null;
  pooling: Pooling;
  padding: PaddingSide;
  /** Prompts longer than this many tokens are cut (the text, never the template) and flagged. */
  maxTokens: number;
  batchSize: number;
  /** Also return routing for every token (tokens × layers × experts) with token strings. */
  tokenRouting: boolean;
}

export const DEFAULT_EMBED_OPTIONS: EmbedOptions = {
  template: { id: 'prompteol' },
  instruction: null,
  pooling: 'last',
  padding: 'left',
  maxTokens: 256,
  batchSize: 16,
  tokenRouting: false,
};

/** Most texts one request may carry; the page splits larger sets. */
export const MAX_TEXTS_PER_REQUEST = 5000;

export interface EmbedRequest {
  kind: 'embed';
  id: string;
  texts: string[];
  options: EmbedOptions;
}

/**
 * Embed texts with the yardstick (workers/yardstick.ts: all-MiniLM-L6-v2, trained for similarity,
 * through Transformers.js' feature-extraction pipeline on WASM). Loaded by the first such request,
 * beside whatever MoE model is loaded; the texts go in raw (no template: it is not a prompted LM).
 */
export interface YardstickRequest {
  kind: 'yardstick';
  id: string;
  texts: string[];
  /** The committed q8 by default; fp32 where models/build/minilm_export.py was run. */
  dtype?: YardstickDtype;
}

export type EngineRequest =
  | CapabilitiesRequest
  | YardstickRequest
  | LoadRequest
  | EmbedRequest
  | InspectRequest
  | CacheListRequest
  | CacheDeleteRequest
  | SelfCheckRequest;

// ---------------------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------------------

/** Load phases, in order; progress never goes back. */
export type LoadPhase = 'detect' | 'download' | 'session' | 'warmup' | 'ready';
export const LOAD_PHASES: readonly LoadPhase[] = ['detect', 'download', 'session', 'warmup', 'ready'];

export interface LoadProgressEvent {
  kind: 'progress';
  id: string;
  phase: LoadPhase;
  /** Overall fraction 0..1 of the whole load. */
  fraction: number;
  /** Per-file bytes during download. */
  files: Record<string, { loaded: number; total: number }>;
  loadedBytes: number;
  totalBytes: number;
  message: string;
}

export interface EmbedProgressEvent {
  kind: 'progress';
  id: string;
  phase: 'embed';
  fraction: number;
  done: number;
  total: number;
  message: string;
}

/** The yardstick's load (bytes of its files) and then its embedding (texts done). */
export interface YardstickProgressEvent {
  kind: 'progress';
  id: string;
  phase: 'yardstick';
  stage: 'load' | 'embed';
  fraction: number;
  message: string;
}

export interface CapabilitiesEvent {
  kind: 'capabilities';
  id: string;
  capabilities: Capabilities;
}

/** Standardisation statistics shipped with a model (models/reference-stats.ts reads them). */
export type { ReferenceStats };

export interface LoadedEvent {
  kind: 'loaded';
  id: string;
  model: ModelInfo;
  capabilities: Capabilities;
  /** Null when the model ships none (then the page standardises by batch). */
  referenceStats: ReferenceStats | null;
}

/** Per-text routing over all real tokens, for heatmaps. */
export interface TokenRouting {
  tokens: string[];
  /** Router softmax, [tokens, moeLayers, experts]. */
  probs: Float32Array;
  dims: [number, number, number];
}

/** The embeddings of one request, texts in request order. */
export interface EmbedResult {
  /** The EP that ran this request. */
  ep: ExecutionProvider;
  modelId: string;
  dtype: ModelDtype;
  options: EmbedOptions;
  /** The prompts the model saw (after template and any truncation). */
  prompts: string[];
  /** Final-norm hidden state, [texts, hidden]. */
  hs: Float32Tensor;
  /** Router logits, layer-major, [texts, moeLayers, experts]. */
  rwLogits: Float32Tensor;
  /** Router softmax over all routed experts (no top-k masking), [texts, moeLayers, experts]. */
  rwSoftmax: Float32Tensor;
  /** Top-5 next tokens after the prompt (PromptEOL's "one word"): ids and probabilities, [texts, 5]. */
  nextTokenIds: Int32Array;
  nextTokenProbs: Float32Array;
  nextTokens: string[][];
  /** Prompt length in tokens after truncation. */
  tokenCounts: Int32Array;
  /** Whether the text was cut to fit maxTokens. */
  truncated: boolean[];
  /** Present when options.tokenRouting. */
  tokenRouting: TokenRouting[] | null;
  timings: { tokenizeMs: number; inferenceMs: number; totalMs: number };
}

export interface EmbeddedEvent {
  kind: 'embedded';
  id: string;
  result: EmbedResult;
}

/** One file a load will read, with its live size and whether the browser cache already holds it. */
export interface PlannedFile {
  path: string;
  /** Bytes as the server (or the cache) reports them; null when it did not say. */
  bytes: number | null;
  cached: boolean;
  /** Optional files (generation_config.json) may be absent without failing the load. */
  required: boolean;
}

/** What loading a Hub model will download, read before any weight is fetched. */
export interface DownloadPlan {
  modelId: string;
  dtype: ModelDtype;
  hub: HubSource;
  /** From config.json. */
  modelType: string;
  architecture: string | null;
  numHiddenLayers: number;
  moeLayers: number[];
  numExperts: number;
  topK: number;
  hasSharedExpert: boolean;
  files: PlannedFile[];
  /** Sums over `files`; null when any size is unknown. */
  totalBytes: number | null;
  /** Bytes not yet in the browser cache. */
  downloadBytes: number | null;
  /** Bytes of the .onnx and .onnx_data files. */
  weightBytes: number | null;
}

export interface InspectedEvent {
  kind: 'inspected';
  id: string;
  plan: DownloadPlan;
}

export interface CacheListedEvent {
  kind: 'cacheListed';
  id: string;
  /** The Cache API cache Transformers.js writes (env.cacheKey). */
  cacheName: string;
  models: CachedModel[];
}

export interface CacheDeletedEvent {
  kind: 'cacheDeleted';
  id: string;
  deletedFiles: number;
  freedBytes: number;
}

/** The outcome of a device self-check. */
export type SelfCheck =
  | {
      status: 'passed' | 'failed';
      /** The EP checked, and the reference it was checked against. */
      ep: ExecutionProvider;
      reference: 'wasm';
      texts: string[];
      report: CrossCheckReport;
      /** The figures that fell short of SELF_CHECK_THRESHOLDS, in words (empty when passed). */
      failures: string[];
      ms: number;
    }
  | { status: 'skipped'; ep: ExecutionProvider; reason: string };

export interface SelfCheckedEvent {
  kind: 'selfChecked';
  id: string;
  /** The model the check ran on. */
  modelId: string;
  check: SelfCheck;
}

export interface YardstickEmbeddedEvent {
  kind: 'yardstickEmbedded';
  id: string;
  result: YardstickResult;
  /** How long this request spent loading the yardstick (0 when it was loaded already). */
  loadMs: number;
}

/** The reply that ends each request kind. */
export type EngineReply = YardstickEmbeddedEvent | InspectedEvent | CacheListedEvent | CacheDeletedEvent | CapabilitiesEvent | LoadedEvent | EmbeddedEvent | SelfCheckedEvent;

/** What a running load or embed reports before its reply. */
export type EngineProgress = LoadProgressEvent | EmbedProgressEvent | YardstickProgressEvent;

/**
 * The reply kind that ends each request kind: the page's client refuses any other reply. A cancel
 * (workers/rpc.ts' RpcCancel) has no reply of its own; the cancelled request fails with CancelledError.
 */
export const ENGINE_REPLY_KINDS = {
  capabilities: 'capabilities',
  load: 'loaded',
  embed: 'embedded',
  inspect: 'inspected',
  cacheList: 'cacheListed',
  cacheDelete: 'cacheDeleted',
  selfCheck: 'selfChecked',
  yardstick: 'yardstickEmbedded',
} as const satisfies Record<EngineRequest['kind'], EngineReply['kind']>;

/** The engine worker's protocol, carried by workers/rpc.ts like the page's other workers. */
export interface EngineProtocol {
  request: EngineRequest;
  reply: EngineReply;
  progress: EngineProgress;
  replyKinds: typeof ENGINE_REPLY_KINDS;
  error: SerializedError;
}

/** Everything the engine worker sends: replies, progress, failures. */
export type EngineEvent = RpcOutgoing<EngineProtocol>;

/** The reply to a request of kind K. */
export type EngineReplyOf<K extends EngineRequest['kind']> = RpcReplyTo<EngineProtocol, K>;

/** The buffers of a result, to transfer. */
export function resultTransferables(result: EmbedResult): Transferable[] {
  const buffers: ArrayBufferLike[] = [
    result.hs.data.buffer,
    result.rwLogits.data.buffer,
    result.rwSoftmax.data.buffer,
    result.nextTokenIds.buffer,
    result.nextTokenProbs.buffer,
    result.tokenCounts.buffer,
    ...(result.tokenRouting ?? []).map((r) => r.probs.buffer),
  ];
  return [...new Set(buffers)] as Transferable[];
}
