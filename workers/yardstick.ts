/**
 * The yardstick: sentence-transformers' all-MiniLM-L6-v2, a sentence embedder *trained for
 * similarity*, shown beside the training-free MoEE embeddings. It runs through Transformers.js' own
 * `feature-extraction` pipeline (mean pooling over real tokens, then L2 normalisation, as
 * sentence-transformers does), on the same onnxruntime-web instance as the engine, on WASM: it is a
 * reference, and the canonical in-browser embedding demo users know for speed.
 *
 * The model folder is built by models/build/minilm_export.py from the PyPI wheel; only its q8 file
 * (dynamic int8) is committed. Its fp32 file exists where someone built it locally.
 */
import type { ModelDtype } from '../models/dtypes.ts';
import type { Transformers } from './model-loader.ts';
import type { OrtBridge } from './ort-bridge.ts';
import { CancelledError } from './errors.ts';
import { validateTextList } from './inference.ts';
import type { Float32Tensor } from './protocol.ts';

export const YARDSTICK = {
  /** The model folder under models/ (Transformers.js' localModelPath). */
  modelId: 'all-minilm-l6-v2',
  name: 'all-MiniLM-L6-v2',
  /** What sets it apart from MoEE, in the words every label uses. */
  kind: 'trained for similarity',
  dims: 384,
  /** The committed file (dynamic int8, models/build/minilm_export.py) and its size. */
  dtype: 'q8' satisfies ModelDtype,
  bytes: 22_952_331,
} as const;

/** Dtypes the yardstick's folder can hold: the committed q8, or a locally built fp32. */
export type YardstickDtype = 'q8' | 'fp32';

/** Texts per pipeline call: the pipeline pads a call to its longest text, so calls are cut from length-sorted texts. */
const BLOCK = 32;

/** The yardstick's embeddings of one request, texts in request order. */
export interface YardstickResult {
  modelId: string;
  dtype: YardstickDtype;
  /** Unit rows, [texts, 384]. */
  embeddings: Float32Tensor;
  timings: { embedMs: number };
}

interface FeatureExtractor {
  (texts: string[], options: { pooling: 'mean'; normalize: true }): Promise<{ data: Float32Array; dims: number[] }>;
  dispose(): Promise<unknown>;
}

export interface Yardstick {
  readonly dtype: YardstickDtype;
  readonly loadMs: number;
  embed(texts: string[], options?: { signal?: AbortSignal; onProgress?: (done: number) => void }): Promise<YardstickResult>;
  dispose(): Promise<void>;
}

/** Byte progress of the yardstick's files as Transformers.js reports them. */
export type YardstickLoadProgress = (loadedBytes: number, totalBytes: number) => void;

/**
 * Load the yardstick's pipeline from the local model folder. The load goes through the bridge's
 * queue with no edit: the engine's graph tap must never touch this session, nor this load the tap's.
 */
export async function loadYardstick(
  transformers: Transformers,
  bridge: OrtBridge,
  dtype: YardstickDtype = YARDSTICK.dtype,
  onProgress: YardstickLoadProgress = () => {},
): Promise<Yardstick> {
  const started = performance.now();
  const files = new Map<string, { loaded: number; total: number }>();
  const progress_callback = (info: { status: string; file?: string; loaded?: number; total?: number }) => {
    if (info.status !== 'progress' || !info.file) return;
    files.set(info.file, { loaded: info.loaded ?? 0, total: info.total ?? 0 });
    let loaded = 0;
    let total = 0;
    for (const f of files.values()) {
      loaded += f.loaded;
      total += f.total;
    }
    onProgress(loaded, total);
  };
  const { value: extractor } = await bridge.withEdit(
    (bytes) => bytes,
    () =>
      transformers.pipeline('feature-extraction', YARDSTICK.modelId, {
        dtype,
        // With an injected runtime Transformers.js registers no named devices; the EP list decides.
        device: 'auto',
        session_options: { executionProviders: ['wasm'], graphOptimizationLevel: 'all' },
        progress_callback,
      }) as unknown as Promise<FeatureExtractor>,
  );
  const loadMs = performance.now() - started;

  return {
    dtype,
    loadMs,
    async embed(texts, { signal, onProgress } = {}) {
      validateTextList(texts);
      const begun = performance.now();
      const embeddings = new Float32Array(texts.length * YARDSTICK.dims);
      // Longest first within blocks of similar length: little padding, and the slowest block early.
      const order = texts.map((_, i) => i).sort((a, b) => texts[b].length - texts[a].length);
      for (let start = 0; start < order.length; start += BLOCK) {
        if (signal?.aborted) throw new CancelledError('The yardstick run was cancelled.');
        const block = order.slice(start, start + BLOCK);
        const out = await extractor(block.map((i) => texts[i]), { pooling: 'mean', normalize: true });
        block.forEach((textIndex, k) => embeddings.set(out.data.subarray(k * YARDSTICK.dims, (k + 1) * YARDSTICK.dims), textIndex * YARDSTICK.dims));
        onProgress?.(Math.min(start + BLOCK, texts.length));
      }
      return {
        modelId: YARDSTICK.modelId,
        dtype,
        embeddings: { data: embeddings, dims: [texts.length, YARDSTICK.dims] },
        timings: { embedMs: performance.now() - begun },
      };
    },
    async dispose() {
      await extractor.dispose();
    },
  };
}
