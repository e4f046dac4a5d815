/**
 * The load-time graph edits against the graph as exported (plus the tap), on onnxruntime-web's WASM
 * kernels in Node: every router output and the hidden state at every real position within 1e-5,
 * the next-token logits at each row's last real token within 1e-5 (relative to the row's largest logit), for left and right padding, each
 * edit alone and all together, on the demo model's fp32 and q8 files. The goldens (HF transformers)
 * are checked through the engine in workers/engine.golden.test.ts with the edits on.
 */
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import { NO_GRAPH_EDITS, graphEditsFor, type GraphEditOptions } from './graph-edits.ts';
import { moeFacts, type MoEFacts, type RawModelConfig } from './moe-config.ts';
import { tapModel, type TapResult } from './tap.ts';

const DIR = new URL('./moee-demo/', import.meta.url);
const config = JSON.parse(readFileSync(new URL('config.json', DIR), 'utf8')) as RawModelConfig;
const facts = moeFacts(config) as MoEFacts;
const TOLERANCE = 1e-5;
/** Varied lengths, so that every row but one is padded. */
const LENGTHS = [7, 3, 12, 1, 9];

const ALL = graphEditsFor('wasm');
const DEQUANTIZE = { dequantizeBits: ALL.dequantizeBits, maxDequantizedBytes: ALL.maxDequantizedBytes };
const EDITS: Record<string, GraphEditOptions> = {
  'last-token LM head': { ...NO_GRAPH_EDITS, lastTokenLogits: true },
  // q8 experts are MatMulNBits: they fuse once dequantised.
  'fp32 weights + fused MoE': { ...NO_GRAPH_EDITS, ...DEQUANTIZE, fuseMoE: true },
  'fp32 weights': { ...NO_GRAPH_EDITS, ...DEQUANTIZE },
  'all (WASM)': ALL,
};

interface Outputs {
  tap: TapResult;
  values: Record<string, Float32Array>;
}

async function run(bytes: Uint8Array, edits: GraphEditOptions, padding: 'left' | 'right'): Promise<Outputs> {
  const tap = tapModel(bytes, facts, facts.modelType, { options: edits, normTopKProb: config.norm_topk_prob === true });
  const session = await ort.InferenceSession.create(tap.bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  const seq = Math.max(...LENGTHS);
  const ids = new BigInt64Array(LENGTHS.length * seq);
  const mask = new BigInt64Array(LENGTHS.length * seq);
  const positions = new BigInt64Array(LENGTHS.length * seq).fill(1n);
  LENGTHS.forEach((len, b) => {
    const offset = padding === 'left' ? seq - len : 0;
    for (let t = 0; t < len; t++) {
      ids[b * seq + offset + t] = BigInt(1 + ((b * 131 + t * 17) % 8000));
      mask[b * seq + offset + t] = 1n;
      positions[b * seq + offset + t] = BigInt(t);
    }
  });
  const dims = [LENGTHS.length, seq];
  const results = await session.run({
    input_ids: new ort.Tensor('int64', ids, dims),
    attention_mask: new ort.Tensor('int64', mask, dims),
    position_ids: new ort.Tensor('int64', positions, dims),
  });
  const values: Record<string, Float32Array> = {};
  for (const [name, tensor] of Object.entries(results)) values[name] = tensor.data as Float32Array;
  await session.release();
  return { tap, values };
}

/** Max |a − b| over the real positions of [batch, seq, width] tensors. */
function maxRealPositionError(a: Float32Array, b: Float32Array, width: number, padding: 'left' | 'right'): number {
  const seq = Math.max(...LENGTHS);
  let max = 0;
  LENGTHS.forEach((len, row) => {
    const first = padding === 'left' ? seq - len : 0;
    for (let t = first; t < first + len; t++) {
      for (let d = 0; d < width; d++) max = Math.max(max, Math.abs(a[(row * seq + t) * width + d] - b[(row * seq + t) * width + d]));
    }
  });
  return max;
}

/**
 * Max |a − b| of the logits at each row's last real token (either side's layout), relative to the
 * row's largest |logit| when that exceeds 1: logits reach ~10, where fp32 rounding of a reordered
 * sum alone is ~1e-6 (the q8 file's MatMulNBits vs dequantised MatMul differ by 1.3e-5 absolute).
 */
function maxLastTokenLogitError(reference: Outputs, edited: Outputs, vocab: number, padding: 'left' | 'right'): number {
  const seq = Math.max(...LENGTHS);
  const at = (out: Outputs, row: number) => {
    const last = padding === 'left' ? seq - 1 : LENGTHS[row] - 1;
    const position = out.tap.logitsAt === 'last-token' ? row : row * seq + last;
    return out.values[out.tap.originalOutputs[0]].subarray(position * vocab, (position + 1) * vocab);
  };
  let max = 0;
  LENGTHS.forEach((_, row) => {
    const a = at(reference, row);
    const b = at(edited, row);
    let scale = 1;
    for (let v = 0; v < vocab; v++) scale = Math.max(scale, Math.abs(a[v]));
    for (let v = 0; v < vocab; v++) max = Math.max(max, Math.abs(a[v] - b[v]) / scale);
  });
  return max;
}

describe.each(['model.onnx', 'model_quantized.onnx'])('graph edits on moee-demo %s', (file) => {
  const bytes = new Uint8Array(readFileSync(new URL(`onnx/${file}`, DIR)));
  const vocab = Number(config.vocab_size);
  const reference: Partial<Record<'left' | 'right', Outputs>> = {};
  beforeAll(async () => {
    reference.left = await run(bytes, NO_GRAPH_EDITS, 'left');
    reference.right = await run(bytes, NO_GRAPH_EDITS, 'right');
  });

  it.each(Object.keys(EDITS).flatMap((name) => (['left', 'right'] as const).map((padding) => [name, padding] as const)))(
    '%s, %s padding: routers, HS and last-token logits within 1e-5 of the unedited graph',
    async (name, padding) => {
      const ref = reference[padding]!;
      const edited = await run(bytes, EDITS[name], padding);
      const report = edited.tap.edits!;
      expect(report.skipped).toEqual([]);
      if (EDITS[name].fuseMoE) expect(report.fusedMoELayers).toEqual(facts.moeLayers);
      expect(edited.tap.logitsAt).toBe(EDITS[name].lastTokenLogits ? 'last-token' : 'every-position');
      if (EDITS[name].lastTokenLogits) {
        expect(edited.values[edited.tap.originalOutputs[0]].length).toBe(LENGTHS.length * vocab);
      }
      for (const router of ref.tap.routers) {
        expect(maxRealPositionError(ref.values[router.output], edited.values[router.output], facts.numExperts, padding)).toBeLessThan(TOLERANCE);
      }
      expect(maxRealPositionError(ref.values[ref.tap.hiddenState], edited.values[edited.tap.hiddenState], facts.hiddenSize, padding)).toBeLessThan(TOLERANCE);
      expect(maxLastTokenLogitError(ref, edited, vocab, padding)).toBeLessThan(TOLERANCE);
    },
  );

  it('the WASM edits leave no expert loop: one MoE node per layer, no NonZero, no ScatterElements', () => {
    const tap = tapModel(bytes, facts, facts.modelType, { options: ALL, normTopKProb: false });
    const text = new TextDecoder('latin1').decode(tap.bytes);
    expect(tap.edits?.fusedMoELayers).toEqual(facts.moeLayers);
    expect(text.includes('NonZero')).toBe(false);
    expect(text.includes('ScatterElements')).toBe(false);
    if (file === 'model_quantized.onnx') expect(tap.edits?.dequantizedMatMuls).toBeGreaterThan(0);
    expect(text.includes('MatMulNBits')).toBe(false);
  });
});

/**
 * Dequantisation against onnxruntime's own MatMulNBits kernel (the independent reference): one
 * MatMulNBits node on random packed weights, 4 and 8 bits, with and without zero points, K not a
 * multiple of the block size, run as is and after the edit.
 */
describe.each([
  [4, false],
  [4, true],
  [8, false],
  [8, true],
] as const)('MatMulNBits %i-bit (zero points: %s) dequantised to fp32 MatMul', (bits, withZeroPoints) => {
  it('gives the kernel\'s product within 1e-5', async () => {
    const { default: onnxProto } = await import('onnx-proto');
    const { onnx } = onnxProto;
    const K = 40;
    const N = 6;
    const M = 3;
    const blockSize = 16;
    const blocks = Math.ceil(K / blockSize);
    const blob = (blockSize * bits) / 8;
    let state = 12345 + bits + (withZeroPoints ? 1 : 0);
    const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const packed = Uint8Array.from({ length: N * blocks * blob }, () => Math.floor(next() * 256));
    const scales = Float32Array.from({ length: N * blocks }, () => 0.01 + next() * 0.1);
    const zeroPoints = Uint8Array.from({ length: N * Math.ceil((blocks * bits) / 8) }, () => Math.floor(next() * 256));
    const a = Float32Array.from({ length: M * K }, () => next() * 2 - 1);
    const tensor = (name: string, dims: number[], dataType: number, data: ArrayBufferView) => ({
      name,
      dims,
      dataType,
      rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    });
    const T = onnx.TensorProto.DataType;
    const model = {
      irVersion: 8,
      opsetImport: [{ domain: '', version: 18 }, { domain: 'com.microsoft', version: 1 }],
      graph: {
        name: 'g',
        node: [
          {
            name: 'q',
            opType: 'MatMulNBits',
            domain: 'com.microsoft',
            input: ['a', 'b', 'scales', ...(withZeroPoints ? ['zp'] : [])],
            output: ['y'],
            attribute: [
              { name: 'K', type: onnx.AttributeProto.AttributeType.INT, i: K },
              { name: 'N', type: onnx.AttributeProto.AttributeType.INT, i: N },
              { name: 'bits', type: onnx.AttributeProto.AttributeType.INT, i: bits },
              { name: 'block_size', type: onnx.AttributeProto.AttributeType.INT, i: blockSize },
            ],
          },
        ],
        initializer: [
          tensor('b', [N, blocks, blob], T.UINT8, packed),
          tensor('scales', [N * blocks], T.FLOAT, scales),
          ...(withZeroPoints ? [tensor('zp', [zeroPoints.length], T.UINT8, zeroPoints)] : []),
        ],
        input: [{ name: 'a', type: { tensorType: { elemType: T.FLOAT, shape: { dim: [{ dimValue: M }, { dimValue: K }] } } } }],
        output: [{ name: 'y', type: { tensorType: { elemType: T.FLOAT } } }],
      },
    };
    const { applyGraphEdits } = await import('./graph-edits.ts');
    const run = async (bytes: Uint8Array) => {
      const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
      const y = (await session.run({ a: new ort.Tensor('float32', a, [M, K]) })).y.data as Float32Array;
      await session.release();
      return y;
    };
    const original = onnx.ModelProto.encode(model).finish();
    const edited = onnx.ModelProto.decode(original);
    const report = applyGraphEdits(
      edited,
      { facts, routers: [], hiddenState: '', logits: 'y', normTopKProb: false },
      { ...NO_GRAPH_EDITS, dequantizeBits: [bits], maxDequantizedBytes: 1 << 20 },
    );
    expect(report.dequantizedMatMuls).toBe(1);
    expect(edited.graph?.node?.map((n) => n.opType)).toEqual(['MatMul']);
    const reference = await run(original);
    const ours = await run(onnx.ModelProto.encode(edited).finish());
    let max = 0;
    for (let i = 0; i < reference.length; i++) max = Math.max(max, Math.abs(reference[i] - ours[i]));
    expect(max).toBeLessThan(1e-5);
    // The edit did something the kernel notices: a wrong zero point or nibble order would not pass.
    expect(Math.max(...Array.from(reference, Math.abs))).toBeGreaterThan(0.01);
  });
});

/**
 * Every block form of moee-smollm2's 4-bit file (Q4_1 with float zero points, fp32 and fp16 through
 * a Cast; 8-bit with uint8 zero points; 4- and 8-bit GatherBlockQuantized tables shared with a tied
 * MatMulNBits head through a Reshape), dequantised at load, against onnxruntime's own CPU kernels
 * (reference.json, from models/build/fixtures/quantized_blocks.py). The browser builds have no
 * GatherBlockQuantized kernel, so this edit is what runs there.
 */
describe('dequantisation of exact GGUF block forms', () => {
  it('matches onnxruntime CPU kernels on every form', async () => {
    const { default: onnxProto } = await import('onnx-proto');
    const { onnx } = onnxProto;
    const { applyGraphEdits } = await import('./graph-edits.ts');
    const dir = new URL('../tests/fixtures/quantized-blocks/', import.meta.url);
    const reference = JSON.parse(readFileSync(new URL('reference.json', dir), 'utf8')) as {
      x: number[];
      ids: number[];
      outputs: Record<string, { dims: number[]; values: number[] }>;
    };
    const edited = onnx.ModelProto.decode(readFileSync(new URL('model.onnx', dir)));
    const report = applyGraphEdits(
      edited,
      { facts, routers: [], hiddenState: '', logits: '', normTopKProb: false },
      { ...NO_GRAPH_EDITS, dequantizeBits: [4, 8], maxDequantizedBytes: 1 << 20, dequantizeGather: true },
    );
    expect(report.skipped).toEqual([]);
    expect(report.dequantizedMatMuls).toBe(5);
    expect(report.dequantizedGathers).toBe(2);
    expect(new Set(edited.graph?.node?.map((n) => n.opType))).toEqual(new Set(['MatMul', 'Gather']));
    const session = await ort.InferenceSession.create(onnx.ModelProto.encode(edited).finish(), { executionProviders: ['wasm'] });
    const results = await session.run({
      x: new ort.Tensor('float32', Float32Array.from(reference.x), [2, reference.x.length / 2]),
      ids: new ort.Tensor('int64', BigInt64Array.from(reference.ids.map(BigInt)), [reference.ids.length]),
    });
    await session.release();
    for (const [name, expected] of Object.entries(reference.outputs)) {
      const ours = results[name].data as Float32Array;
      expect(Array.from(results[name].dims), name).toEqual(expected.dims);
      const scale = Math.max(...expected.values.map(Math.abs));
      const worst = Math.max(...expected.values.map((v, i) => Math.abs(v - ours[i])));
      expect(worst / scale, name).toBeLessThan(1e-6);
    }
  });
});
