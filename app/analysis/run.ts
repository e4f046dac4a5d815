/**
 * How the analysis views run work: embeddings from the engine through the page's one client
 * (cached per texts × options, split into requests the protocol allows), heavy math in the compute
 * worker, light math on the main thread in slices that hand control back every few milliseconds.
 * One run at a time; cancel stops the engine request at its next batch and kills the compute worker.
 */
import { client } from '../engine.ts';
import { EngineClient, EngineError } from '../engine-client.ts';
import { useStore } from '../store.ts';
import { stopCompute } from './compute-client.ts';
import { embedInChunks, yardstickInChunks } from '../../workers/batched-embed.ts';
import type { EmbedOptions, EmbedResult } from '../../workers/protocol.ts';
import type { YardstickResult } from '../../workers/yardstick.ts';

export { ANALYSIS_EMBED_OPTIONS } from './options.ts';

/** A main-thread slice of analysis math gives the page back after this long (a long task is 50 ms). */
const SLICE_MS = 8;

let sliceStart = 0;

export function yieldToPage(): Promise<void> {
  // A MessageChannel turn is not clamped like nested setTimeout(0) and lets input and paint in.
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(null);
  });
}

/** Await between small units of work: resolves at once until the current slice is used up. */
export async function pause(): Promise<void> {
  if (performance.now() - sliceStart < SLICE_MS) return;
  await yieldToPage();
  sliceStart = performance.now();
}

export class CancelledError extends Error {
  override readonly name = 'CancelledError';
  constructor() {
    super('The run was cancelled.');
  }
}

/** One cancellable analysis run. */
export class AnalysisRun {
  aborted = false;
  private engineRequest: string | null = null;

  cancel(): void {
    this.aborted = true;
    if (this.engineRequest) client.cancel(this.engineRequest);
    stopCompute();
  }

  check(): void {
    if (this.aborted) throw new CancelledError();
  }

  /** One engine request under this run's cancel: `send` gets the request id to use. */
  async request<T>(prefix: string, send: (id: string) => Promise<T>): Promise<T> {
    const requestId = EngineClient.newRequestId(prefix);
    this.engineRequest = requestId;
    try {
      return await send(requestId);
    } catch (error) {
      if (this.aborted || (error instanceof EngineError && error.name === 'CancelledError')) throw new CancelledError();
      throw error;
    } finally {
      this.engineRequest = null;
    }
  }

  /** Embed through the engine (cached), reporting texts done / total. */
  async embed(texts: string[], options: EmbedOptions, onProgress?: (done: number, total: number) => void): Promise<EmbedResult> {
    const key = cacheKey(texts, options);
    const cached = cache.get(key);
    if (cached) return cached;
    const result = await embedInChunks(
      texts,
      (chunk, chunkProgress) => this.request('analysis', (id) => client.embed(chunk, options, (p) => chunkProgress(p.done), id)),
      { onProgress, beforeChunk: () => this.check() },
    );
    remember(key, result);
    return result;
  }
}

/**
 * The yardstick's embeddings of texts (all-MiniLM-L6-v2; workers/yardstick.ts), in requests the
 * protocol allows, cancellable like `embed`.
 */
export function yardstickEmbeddings(run: AnalysisRun, texts: string[], onProgress?: (done: number, total: number) => void): Promise<YardstickResult> {
  return yardstickInChunks(
    texts,
    async (chunk, chunkProgress) =>
      (await run.request('yardstick', (id) => client.yardstick(chunk, undefined, (p) => p.stage === 'embed' && chunkProgress(Math.round(p.fraction * chunk.length)), id))).result,
    { onProgress, beforeChunk: () => run.check() },
  );
}

const cache = new Map<string, EmbedResult>();
/** Embedding sets kept for reuse across views (a 1,500-pair STS set is ~3 MB per template). */
const CACHE_ENTRIES = 24;

function remember(key: string, result: EmbedResult): void {
  cache.set(key, result);
  while (cache.size > CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
}

function cacheKey(texts: string[], options: EmbedOptions): string {
  // Another model, dtype or EP gives other embeddings: they are part of the key.
  const model = useStore.getState().engine.model;
  const engine = model ? `${model.modelId}|${model.dtype}|${model.ep}` : 'none';
  // FNV-1a over the texts: cheap, and a collision would need the same count and options too.
  let h = 0x811c9dc5;
  for (const t of texts) {
    for (let i = 0; i < t.length; i++) h = Math.imul(h ^ t.charCodeAt(i), 0x01000193);
    h = Math.imul(h ^ 10, 0x01000193);
  }
  return `${engine}|${texts.length}|${(h >>> 0).toString(16)}|${JSON.stringify(options)}`;
}
