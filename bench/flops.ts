/**
 * Work and peak for the GFLOP/s figure.
 *   - Work: the matrix-multiply FLOPs (2·M·K·N per product) the demo graph executes for a batch,
 *     counted from config.json and the padded batch shape: attention projections, QKᵀ and AV over
 *     the padded length, router, shared expert and its gate, the top-k routed experts of every
 *     token (pads are routed too; the exported static expert loop multiplies only routed rows), and
 *     the LM head at every position (the graph returns full logits). Element-wise work (norms,
 *     softmax, SiLU, RoPE) is left out, so the achieved figure is a lower bound.
 *   - Peak: the best GFLOP/s of an ONNX graph holding one fp32 MatMul, run by the same
 *     onnxruntime-web WASM build and thread count, over several shapes (those of the model's own
 *     largest products among them); the peak is the best per-shape median.
 */
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-web';
import { summarize, type Summary } from './stats.ts';

const { onnx } = onnxProto;

export interface Qwen2MoeShape {
  hidden_size: number;
  num_attention_heads: number;
  num_key_value_heads: number;
  num_hidden_layers: number;
  num_experts: number;
  num_experts_per_tok: number;
  moe_intermediate_size: number;
  shared_expert_intermediate_size: number;
  vocab_size: number;
}

/** Matmul FLOPs of one decoder layer for one token attending over `seq` positions. */
function layerFlopsPerToken(c: Qwen2MoeShape, seq: number): number {
  const h = c.hidden_size;
  const kv = (h / c.num_attention_heads) * c.num_key_value_heads;
  return (
    2 * h * h * 2 + // q, o
    2 * h * kv * 2 + // k, v
    2 * 2 * seq * h + // QKᵀ and AV over the padded length, all heads
    2 * h * c.num_experts + // router
    2 * h * c.shared_expert_intermediate_size * 3 + 2 * h + // shared expert (gate, up, down) and its sigmoid gate
    c.num_experts_per_tok * 2 * h * c.moe_intermediate_size * 3 // routed experts
  );
}

/** Matmul FLOPs of one forward pass over `batch` rows padded to `seq` tokens, LM head at every position (HF's default). */
export function forwardFlops(c: Qwen2MoeShape, batch: number, seq: number): number {
  const perToken = c.num_hidden_layers * layerFlopsPerToken(c, seq) + 2 * c.hidden_size * c.vocab_size;
  return batch * seq * perToken;
}

/** FLOPs of an engine run as the engine batches it: sorted by prompt length, `batchSize` per run, left-padded. */
export function runFlops(c: Qwen2MoeShape, tokenCounts: ArrayLike<number>, batchSize: number): number {
  const sorted = Array.from(tokenCounts).sort((a, b) => a - b);
  let total = 0;
  for (let s = 0; s < sorted.length; s += batchSize) {
    const chunk = sorted.slice(s, s + batchSize);
    total += forwardFlops(c, chunk.length, Math.max(...chunk));
  }
  return total;
}

/**
 * The FLOPs the answer needs: every text's own tokens (no padding rows, attention over its own
 * length) and the LM head at its last token only (the top-5 next tokens). What the engine does
 * beyond this (padding, the head at other positions) is not counted as work.
 */
export function usefulFlops(c: Qwen2MoeShape, tokenCounts: ArrayLike<number>): number {
  let total = 0;
  for (const n of Array.from(tokenCounts)) total += n * c.num_hidden_layers * layerFlopsPerToken(c, n) + 2 * c.hidden_size * c.vocab_size;
  return total;
}

/** An ONNX model computing Y = A·B for A [m, k] and B [k, n] (B an initializer, as weights are). */
function matmulModel(m: number, k: number, n: number): Uint8Array {
  const weights = new Float32Array(k * n).map((_, i) => ((i * 2654435761) % 1000) / 1000 - 0.5);
  return onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'matmul_peak',
      node: [{ opType: 'MatMul', input: ['A', 'B'], output: ['Y'], name: 'mm' }],
      initializer: [{ name: 'B', dims: [k, n], dataType: onnx.TensorProto.DataType.FLOAT, rawData: new Uint8Array(weights.buffer) }],
      input: [{ name: 'A', type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: [{ dimValue: m }, { dimValue: k }] } } } }],
      output: [{ name: 'Y', type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: [{ dimValue: m }, { dimValue: n }] } } } }],
    },
  }).finish();
}

export interface PeakShape {
  m: number;
  k: number;
  n: number;
  gflops: Summary;
}

/** A single-MatMul session; each call times one sample of ≈ 2 GFLOP and returns its GFLOP/s. */
export async function matmulProbe(m: number, k: number, n: number): Promise<{ sample: () => Promise<number>; release: () => Promise<void> }> {
  const session = await ort.InferenceSession.create(matmulModel(m, k, n), { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  const a = new ort.Tensor('float32', new Float32Array(m * k).map((_, i) => ((i * 40503) % 997) / 997 - 0.5), [m, k]);
  await session.run({ A: a });
  // Several products per sample so that one sample is well above the timer's resolution.
  const inner = Math.max(1, Math.round(2e9 / (2 * m * k * n)));
  return {
    sample: async () => {
      const t = performance.now();
      for (let i = 0; i < inner; i++) await session.run({ A: a });
      return (2 * m * k * n * inner) / ((performance.now() - t) / 1000) / 1e9;
    },
    release: () => session.release(),
  };
}

/** GFLOP/s of single-MatMul graphs over several shapes, `repeats` samples each; the best shape by median. */
export async function matmulPeak(shapes: [number, number, number][], repeats: number): Promise<{ shapes: PeakShape[]; peak: number; best: [number, number, number] }> {
  const out: PeakShape[] = [];
  for (const [m, k, n] of shapes) {
    const probe = await matmulProbe(m, k, n);
    const runs: number[] = [];
    for (let r = 0; r < repeats; r++) runs.push(await probe.sample());
    await probe.release();
    out.push({ m, k, n, gflops: summarize(runs) });
  }
  const best = out.reduce((a, b) => (b.gflops.median > a.gflops.median ? b : a));
  return { shapes: out, peak: best.gflops.median, best: [best.m, best.k, best.n] };
}
