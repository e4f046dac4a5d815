/**
 * Sets larger than one request allows (MAX_TEXTS_PER_REQUEST): split into requests the engine
 * takes, embed them in order and join the results as if one request had carried every text. The
 * CLI, the Node engine and the Analysis tab's runs share this, so a 3,000-pair STS file (over
 * 5,000 distinct sentences) runs everywhere. DOM-free and Node-free.
 */
import { MAX_TEXTS_PER_REQUEST, type EmbedResult, type Float32Tensor } from './protocol.ts';
import type { YardstickResult } from './yardstick.ts';

/** Embeds one request's texts; `onProgress` reports texts done within that request. */
export type EmbedChunk = (texts: string[], onProgress: (done: number) => void) => Promise<EmbedResult>;

/**
 * Embed `texts` in requests of at most `limit` texts, reporting texts done over the whole set.
 * `beforeChunk` runs before each request (a cancel check).
 */
export async function embedInChunks(
  texts: string[],
  embedChunk: EmbedChunk,
  options: { limit?: number; onProgress?: (done: number, total: number) => void; beforeChunk?: () => void } = {},
): Promise<EmbedResult> {
  const limit = options.limit ?? MAX_TEXTS_PER_REQUEST;
  if (!(limit >= 1)) throw new RangeError(`embedInChunks: limit must be at least 1, got ${limit}`);
  const parts: EmbedResult[] = [];
  for (let start = 0; start < texts.length || parts.length === 0; start += limit) {
    options.beforeChunk?.();
    parts.push(await embedChunk(texts.slice(start, start + limit), (done) => options.onProgress?.(start + done, texts.length)));
    if (texts.length === 0) break;
  }
  return parts.length === 1 ? parts[0] : joinEmbedResults(parts);
}

/**
 * The yardstick's embeddings of `texts` in requests of at most MAX_TEXTS_PER_REQUEST texts, joined in
 * order; `onProgress` reports texts done over the whole set. `beforeChunk` runs before each request.
 */
export async function yardstickInChunks(
  texts: string[],
  embedChunk: (texts: string[], onProgress: (done: number) => void) => Promise<YardstickResult>,
  options: { onProgress?: (done: number, total: number) => void; beforeChunk?: () => void } = {},
): Promise<YardstickResult> {
  const parts: YardstickResult[] = [];
  for (let start = 0; start < texts.length || parts.length === 0; start += MAX_TEXTS_PER_REQUEST) {
    options.beforeChunk?.();
    parts.push(await embedChunk(texts.slice(start, start + MAX_TEXTS_PER_REQUEST), (done) => options.onProgress?.(start + done, texts.length)));
    if (texts.length === 0) break;
  }
  if (parts.length === 1) return parts[0];
  return { ...parts[0], embeddings: joinTensors(parts.map((p) => p.embeddings)), timings: { embedMs: parts.reduce((s, p) => s + p.timings.embedMs, 0) } };
}

function joinTensors(tensors: Float32Tensor[]): Float32Tensor {
  const rows = tensors.reduce((s, t) => s + t.dims[0], 0);
  const data = new Float32Array(tensors.reduce((s, t) => s + t.data.length, 0));
  let at = 0;
  for (const t of tensors) {
    data.set(t.data, at);
    at += t.data.length;
  }
  return { data, dims: [rows, ...tensors[0].dims.slice(1)] };
}

function joinTyped<T extends Int32Array | Float32Array>(arrays: T[], make: (n: number) => T): T {
  const out = make(arrays.reduce((s, a) => s + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}

/** Results of consecutive requests (same model and options) as one result, texts in order. */
function joinEmbedResults(parts: EmbedResult[]): EmbedResult {
  const first = parts[0];
  const routing = parts.every((p) => p.tokenRouting !== null) ? parts.flatMap((p) => p.tokenRouting!) : null;
  return {
    ...first,
    prompts: parts.flatMap((p) => p.prompts),
    hs: joinTensors(parts.map((p) => p.hs)),
    rwLogits: joinTensors(parts.map((p) => p.rwLogits)),
    rwSoftmax: joinTensors(parts.map((p) => p.rwSoftmax)),
    nextTokenIds: joinTyped(parts.map((p) => p.nextTokenIds), (n) => new Int32Array(n)),
    nextTokenProbs: joinTyped(parts.map((p) => p.nextTokenProbs), (n) => new Float32Array(n)),
    nextTokens: parts.flatMap((p) => p.nextTokens),
    tokenCounts: joinTyped(parts.map((p) => p.tokenCounts), (n) => new Int32Array(n)),
    truncated: parts.flatMap((p) => p.truncated),
    tokenRouting: routing,
    timings: {
      tokenizeMs: parts.reduce((s, p) => s + p.timings.tokenizeMs, 0),
      inferenceMs: parts.reduce((s, p) => s + p.timings.inferenceMs, 0),
      totalMs: parts.reduce((s, p) => s + p.timings.totalMs, 0),
    },
  };
}
