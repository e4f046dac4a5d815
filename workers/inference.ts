/**
 * Embedding: template → tokens → batches → one tapped session run per batch → per text RW
 * (logits and softmax, layer-major), HS, top-5 next tokens and, on request, every token's routing.
 *
 * Position ids skip padding (cumsum of the mask, as HF generate and Transformers.js compute them),
 * so a text's numbers do not depend on its batch or its padding side.
 */
import { applyTemplate, isValidCustomTemplate, withInstruction } from './templates.ts';
import { BadTemplateError, CancelledError, EmptyTextError, TooManyTextsError } from './errors.ts';
import type { LoadedModel } from './model-loader.ts';
import type { Ort } from './ort-bridge.ts';
import { MAX_TEXTS_PER_REQUEST, type EmbedOptions, type EmbedResult, type TokenRouting } from './protocol.ts';

const TOP_NEXT = 5;

/** One prompt ready for the model. */
interface Prompt {
  text: string;
  ids: number[];
  truncated: boolean;
}

export interface EmbedDeps {
  ort: Ort;
  signal: AbortSignal;
  onProgress: (done: number, total: number) => void;
}

/** Validate a request's texts before any work: none, too many, or empty / whitespace-only ones. */
export function validateTextList(texts: string[]): void {
  if (texts.length === 0) throw new EmptyTextError('There is no text to embed: add at least one sentence.', []);
  if (texts.length > MAX_TEXTS_PER_REQUEST) {
    throw new TooManyTextsError(`${texts.length} texts in one request; the engine takes at most ${MAX_TEXTS_PER_REQUEST}. Split the set.`);
  }
  const empty = texts.flatMap((t, i) => (t.trim() === '' ? [i] : []));
  if (empty.length > 0) {
    throw new EmptyTextError(
      `${empty.length === 1 ? 'Text' : 'Texts'} ${empty.map((i) => i + 1).join(', ')} ${empty.length === 1 ? 'is' : 'are'} empty or only whitespace.`,
      empty,
    );
  }
}

/** Validate texts and options before any work: the text list, then a custom template. */
function validateTexts(texts: string[], options: EmbedOptions): void {
  validateTextList(texts);
  if (options.template.id === 'custom' && !isValidCustomTemplate(options.template.template)) {
    throw new BadTemplateError('A custom template needs exactly one {text} slot, e.g. `This sentence : "{text}" means in one word:"`.');
  }
}

/** Template, tokenize and, when too long, cut the text (never the template) to fit maxTokens. */
function buildPrompt(model: LoadedModel, text: string, options: EmbedOptions): Prompt {
  const render = (t: string) => {
    const prompt = applyTemplate(options.template, t);
    return options.instruction ? withInstruction(prompt, options.instruction) : prompt;
  };
  const encode = (s: string) => model.tokenizer.encode(s, { add_special_tokens: false });
  let prompt = render(text);
  let ids = encode(prompt);
  if (ids.length <= options.maxTokens) return { text: prompt, ids, truncated: false };
  // Too long: keep the template whole and cut the text's tokens until the prompt fits.
  const textIds = encode(text);
  let keep = Math.max(1, textIds.length - (ids.length - options.maxTokens));
  for (;;) {
    const cut = model.tokenizer.decode(textIds.slice(0, keep), { skip_special_tokens: true });
    prompt = render(cut);
    ids = encode(prompt);
    if (ids.length <= options.maxTokens || keep === 1) break;
    keep = Math.max(1, keep - Math.max(1, ids.length - options.maxTokens));
  }
  return { text: prompt, ids: ids.slice(-options.maxTokens), truncated: true };
}

export async function embed(model: LoadedModel, texts: string[], options: EmbedOptions, deps: EmbedDeps): Promise<EmbedResult> {
  const started = performance.now();
  validateTexts(texts, options);
  const prompts = texts.map((t) => buildPrompt(model, t, options));
  const tokenizeMs = performance.now() - started;

  const n = texts.length;
  const layers = model.tap.routers.length;
  const experts = model.facts.numExperts;
  const hidden = model.facts.hiddenSize;
  const hs = new Float32Array(n * hidden);
  const rwLogits = new Float32Array(n * layers * experts);
  const rwSoftmax = new Float32Array(n * layers * experts);
  const nextTokenIds = new Int32Array(n * TOP_NEXT);
  const nextTokenProbs = new Float32Array(n * TOP_NEXT);
  const tokenRouting: TokenRouting[] | null = options.tokenRouting ? new Array(n) : null;

  // Similar lengths share a batch: less padding, and padding cannot change the numbers anyway.
  const order = prompts.map((_, i) => i).sort((a, b) => prompts[a].ids.length - prompts[b].ids.length);
  const inferenceStart = performance.now();
  let done = 0;
  // Fused GroupQueryAttention takes no padded prompt (models/conventions.ts): one text per run.
  const batchSize = model.tap.attention.groupQuery ? 1 : options.batchSize;
  for (let start = 0; start < n; start += batchSize) {
    // Session runs resolve as microtasks: without a macrotask turn here a cancel message could
    // never be handled before the whole run ends.
    await yieldToEventLoop();
    if (deps.signal.aborted) throw new CancelledError('The run was cancelled.');
    const batch = order.slice(start, start + batchSize);
    const out = await model.exclusive(() => runBatch(model, deps.ort, batch.map((i) => prompts[i].ids), options.padding));
    batch.forEach((textIndex, row) => {
      readText(out, row, textIndex);
    });
    done += batch.length;
    deps.onProgress(done, n);
  }

  function readText(out: BatchOutput, row: number, textIndex: number): void {
    const { seq, lengths, padding } = out;
    const len = lengths[row];
    const first = padding === 'left' ? seq - len : 0;
    const last = first + len - 1;
    const positions = options.pooling === 'last' ? [last] : Array.from({ length: len }, (_, k) => first + k);
    // HS
    const hsOut = hs.subarray(textIndex * hidden, (textIndex + 1) * hidden);
    for (const p of positions) {
      const src = (row * seq + p) * hidden;
      for (let d = 0; d < hidden; d++) hsOut[d] += out.hidden[src + d];
    }
    for (let d = 0; d < hidden; d++) hsOut[d] /= positions.length;
    // RW, layer-major; mean pooling averages logits and (separately) per-token softmax
    const probs = new Float32Array(experts);
    out.routers.forEach((router, l) => {
      const base = (textIndex * layers + l) * experts;
      for (const p of positions) {
        const src = (row * seq + p) * experts;
        softmaxInto(router, src, experts, probs);
        for (let e = 0; e < experts; e++) {
          rwLogits[base + e] += router[src + e];
          rwSoftmax[base + e] += probs[e];
        }
      }
      for (let e = 0; e < experts; e++) {
        rwLogits[base + e] /= positions.length;
        rwSoftmax[base + e] /= positions.length;
      }
    });
    // top-5 next tokens at the last real token
    const vocab = out.vocab;
    // The load-time edit may have run the LM head at the last real token only (models/graph-edits.ts).
    const logitsRow = model.tap.logitsAt === 'last-token' ? row : row * seq + last;
    const top = topK(out.logits, logitsRow * vocab, vocab, TOP_NEXT);
    for (let k = 0; k < TOP_NEXT; k++) {
      nextTokenIds[textIndex * TOP_NEXT + k] = top.ids[k];
      nextTokenProbs[textIndex * TOP_NEXT + k] = top.probs[k];
    }
    if (tokenRouting) {
      const tokenProbs = new Float32Array(len * layers * experts);
      for (let t = 0; t < len; t++) {
        out.routers.forEach((router, l) => {
          softmaxInto(router, (row * seq + first + t) * experts, experts, tokenProbs.subarray((t * layers + l) * experts, (t * layers + l + 1) * experts));
        });
      }
      const ids = prompts[textIndex].ids;
      tokenRouting[textIndex] = {
        tokens: ids.map((id) => model.tokenizer.decode([id], { skip_special_tokens: false })),
        probs: tokenProbs,
        dims: [len, layers, experts],
      };
    }
  }

  const inferenceMs = performance.now() - inferenceStart;
  const nextTokens: string[][] = [];
  for (let i = 0; i < n; i++) {
    nextTokens.push(Array.from(nextTokenIds.subarray(i * TOP_NEXT, (i + 1) * TOP_NEXT), (id) => model.tokenizer.decode([id])));
  }
  return {
    ep: model.info.ep,
    modelId: model.info.modelId,
    dtype: model.info.dtype,
    options,
    prompts: prompts.map((p) => p.text),
    hs: { data: hs, dims: [n, hidden] },
    rwLogits: { data: rwLogits, dims: [n, layers, experts] },
    rwSoftmax: { data: rwSoftmax, dims: [n, layers, experts] },
    nextTokenIds,
    nextTokenProbs,
    nextTokens,
    tokenCounts: Int32Array.from(prompts, (p) => p.ids.length),
    truncated: prompts.map((p) => p.truncated),
    tokenRouting,
    timings: { tokenizeMs, inferenceMs, totalMs: performance.now() - started },
  };
}

/** The tapped tensors of one batch, flattened row-major. */
interface BatchOutput {
  seq: number;
  vocab: number;
  lengths: number[];
  padding: 'left' | 'right';
  /** Per MoE layer, [batch*seq, experts]. */
  routers: Float32Array[];
  /** [batch, seq, hidden] */
  hidden: Float32Array;
  /** [batch, seq, vocab], or [batch, 1, vocab] when the head runs at the last token only */
  logits: Float32Array;
}

async function runBatch(model: LoadedModel, ort: Ort, rows: number[][], padding: 'left' | 'right'): Promise<BatchOutput> {
  const batch = rows.length;
  const seq = Math.max(...rows.map((r) => r.length));
  const padId = BigInt(padTokenId(model));
  const ids = new BigInt64Array(batch * seq).fill(padId);
  const mask = new BigInt64Array(batch * seq);
  const positions = new BigInt64Array(batch * seq).fill(1n);
  rows.forEach((row, b) => {
    const offset = padding === 'left' ? seq - row.length : 0;
    row.forEach((id, t) => {
      ids[b * seq + offset + t] = BigInt(id);
      mask[b * seq + offset + t] = 1n;
      positions[b * seq + offset + t] = BigInt(t);
    });
  });
  const feeds: Record<string, InstanceType<Ort['Tensor']>> = {};
  const dims = [batch, seq];
  for (const name of model.tap.inputs) {
    if (name === 'input_ids') feeds[name] = new ort.Tensor('int64', ids, dims);
    else if (name === 'attention_mask') feeds[name] = new ort.Tensor('int64', mask, dims);
    else if (name === 'position_ids') feeds[name] = new ort.Tensor('int64', positions, dims);
    else if (name.startsWith('past_key_values.')) feeds[name] = emptyPast(model, ort, batch, seq);
    else if (CONV_STATE_INPUT.test(name)) feeds[name] = emptyConvState(model, ort, batch);
    else throw new Error(`the model has an input the engine cannot feed: ${name}`);
  }
  const fetches = [...model.tap.routers.map((r) => r.output), model.tap.hiddenState, model.tap.originalOutputs[0]];
  const results = await model.session.run(feeds, fetches);
  try {
    const logits = results[model.tap.originalOutputs[0]];
    return {
      seq,
      vocab: logits.dims[logits.dims.length - 1],
      lengths: rows.map((r) => r.length),
      padding,
      routers: model.tap.routers.map((r) => float32Data(results[r.output])),
      hidden: float32Data(results[model.tap.hiddenState]),
      logits: float32Data(logits),
    };
  } finally {
    // CPU tensors' data stays readable; GPU-located outputs would be released here.
    for (const tensor of Object.values(results)) if (tensor.location !== 'cpu') tensor.dispose();
  }
}

/**
 * A float output as float32. fp16 and q4f16 graphs compute in half precision, so their tapped
 * routers and final norm are float16 tensors: onnxruntime-web gives their bits as a Uint16Array
 * (or a Float16Array where the runtime has one).
 */
function float32Data(tensor: { type: string; data: unknown }): Float32Array {
  if (tensor.type === 'float32') return tensor.data as Float32Array;
  if (tensor.type !== 'float16') throw new Error(`the model returned a ${tensor.type} tensor where a float was expected`);
  const data = tensor.data as ArrayLike<number>;
  if (!(data instanceof Uint16Array)) return Float32Array.from(data);
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = halfToFloat(data[i]);
  return out;
}

/** IEEE 754 binary16 bits to a number (subnormals, infinities and NaN included). */
function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

function padTokenId(model: LoadedModel): number {
  const fromConfig = model.config.pad_token_id ?? model.config.eos_token_id;
  if (typeof fromConfig === 'number') return fromConfig;
  if (Array.isArray(fromConfig) && fromConfig.length) return fromConfig[0];
  return 0;
}

/**
 * An empty KV cache for exports that take one (optimum's decoder exports): [batch, kv_heads, 0, head_dim].
 * GroupQueryAttention graphs read it as a zeroed buffer that the prompt fills: at least the prompt
 * and the sliding window long (models/conventions.ts).
 */
function emptyPast(model: LoadedModel, ort: Ort, batch: number, seq: number): InstanceType<Ort['Tensor']> {
  const heads = Number(model.config.num_key_value_heads ?? model.config.num_attention_heads ?? 1);
  const headDim = Number(model.config.head_dim ?? model.facts.hiddenSize / Number(model.config.num_attention_heads ?? 1));
  const { groupQuery, slidingWindow } = model.tap.attention;
  const length = groupQuery ? Math.max(seq, slidingWindow) : 0;
  return zeros(ort, inputType(model, 'past_key_values.'), [batch, heads, length, headDim]);
}

/** Short-conv layers' state inputs (LFM2): onnxruntime-genai names them past.{i}.conv, Transformers.js exports past_conv.{i}. */
const CONV_STATE_INPUT = /^past(?:\.\d+\.conv|_conv\.\d+)$/;

/** A zero conv state, as before the first token: [batch, hidden, conv_L_cache - 1]. */
function emptyConvState(model: LoadedModel, ort: Ort, batch: number): InstanceType<Ort['Tensor']> {
  const hidden = model.facts.hiddenSize;
  const steps = Number(model.config.conv_L_cache ?? 3) - 1;
  return zeros(ort, inputType(model, 'past'), [batch, hidden, steps]);
}

/** The element type of the session's first input whose name starts with `prefix` (float32 if unsaid). */
function inputType(model: LoadedModel, prefix: string): 'float32' | 'float16' {
  const meta = (model.session.inputMetadata ?? []).find((m) => m.name.startsWith(prefix));
  return meta && 'type' in meta && meta.type === 'float16' ? 'float16' : 'float32';
}

/** A zero tensor: all-zero bits are 0.0 in float16 as in float32. */
function zeros(ort: Ort, type: 'float32' | 'float16', dims: number[]): InstanceType<Ort['Tensor']> {
  const n = dims.reduce((a, b) => a * b, 1);
  return type === 'float16' ? new ort.Tensor('float16', new Uint16Array(n), dims) : new ort.Tensor('float32', new Float32Array(n), dims);
}

/** One macrotask turn, without setTimeout's clamping (>= 1 ms in Node, 4 ms when nested in browsers). */
function yieldToEventLoop(): Promise<void> {
  if (typeof setImmediate === 'function') return new Promise((resolve) => setImmediate(resolve));
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/** Numerically stable softmax of src[offset .. offset+n) into out. */
function softmaxInto(src: Float32Array, offset: number, n: number, out: Float32Array): void {
  let max = -Infinity;
  for (let i = 0; i < n; i++) max = Math.max(max, src[offset + i]);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const v = Math.exp(src[offset + i] - max);
    out[i] = v;
    sum += v;
  }
  for (let i = 0; i < n; i++) out[i] /= sum;
}

/** The k largest entries of src[offset .. offset+n) with their softmax probabilities over all n. */
function topK(src: Float32Array, offset: number, n: number, k: number): { ids: number[]; probs: number[] } {
  let max = -Infinity;
  for (let i = 0; i < n; i++) max = Math.max(max, src[offset + i]);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.exp(src[offset + i] - max);
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    if (ids.length < k || src[offset + i] > src[offset + ids[ids.length - 1]]) {
      ids.push(i);
      ids.sort((a, b) => src[offset + b] - src[offset + a]);
      if (ids.length > k) ids.pop();
    }
  }
  return { ids, probs: ids.map((i) => Math.exp(src[offset + i] - max) / sum) };
}
