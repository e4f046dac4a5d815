/**
 * Load-time graph edits that make the tapped graph cheaper to run without changing any number the
 * engine reads (routers, final-norm hidden state, next-token logits at the last real token):
 *
 * - `lastTokenLogits`: the LM head runs on one position per row, the last real token (a per-row
 *   gather driven by `attention_mask`, so left and right padding both work). The exporter's head
 *   runs at every position and most of its FLOPs are discarded.
 * - `dequantize`: weight-only `MatMulNBits` (4- and 8-bit) become plain fp32 `MatMul`s when the fp32
 *   weights fit a budget. Those kernels are slower than fp32 on WASM, and fp32 experts can then be fused.
 * - `fuseMoE`: the exporter's static loop over experts (one Equal/NonZero/Gather/ScatterElements
 *   branch per expert and layer, thousands of tiny kernels) becomes one `com.microsoft.MoE` per
 *   layer. Only where the execution provider has the op (onnxruntime-web's CPU/WASM kernels).
 *
 * Every edit works by pattern on the graph, not by model name: each checks what it relies on and
 * leaves a layer (or the head) as exported when the pattern is not there, saying why in the report.
 */
import onnxProto from 'onnx-proto';
import type { MoEFacts } from './moe-config.ts';

const { onnx } = onnxProto;
type Model = onnxProto.onnx.IModelProto;
type Graph = onnxProto.onnx.IGraphProto & { node: onnxProto.onnx.INodeProto[] };
type Node = onnxProto.onnx.INodeProto;
type Tensor = onnxProto.onnx.ITensorProto;

const MS_DOMAIN = 'com.microsoft';
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;
const UINT8 = onnx.TensorProto.DataType.UINT8;
const FLOAT16 = onnx.TensorProto.DataType.FLOAT16;
/** ONNX TensorProto UINT4 (21): two values a byte, low nibble first. */
const UINT4 = 21;

export interface GraphEditOptions {
  lastTokenLogits: boolean;
  fuseMoE: boolean;
  /** Bit widths of MatMulNBits to turn into fp32 MatMul (empty: none). */
  dequantizeBits: readonly number[];
  /** Most fp32 weight bytes dequantisation may add; past it no MatMulNBits is touched. */
  maxDequantizedBytes: number;
  /** Turn 4-bit GatherBlockQuantized tables into fp32 Gathers (browser builds lack the kernel). */
  dequantizeGather: boolean;
}

/** No edit: the exporter's graph plus the tap's outputs. */
export const NO_GRAPH_EDITS: GraphEditOptions = { lastTokenLogits: false, fuseMoE: false, dequantizeBits: [], maxDequantizedBytes: 0, dequantizeGather: false };

/** 1 GiB of fp32 weights: well inside the 4 GiB WASM heap with activations and the model bytes. */
const DEQUANTIZE_BUDGET_BYTES = 1 << 30;

/**
 * The edits for an execution provider. The fused MoE op has CPU kernels only: on WebGPU ORT would
 * place it on the CPU EP and copy activations across each layer, so there the loop stays (the
 * WebGPU goldens prove the graph as exported).
 */
export function graphEditsFor(ep: 'wasm' | 'webgpu'): GraphEditOptions {
  return {
    lastTokenLogits: true,
    fuseMoE: ep === 'wasm',
    // Measured on the demo model (batch 1, WASM): fp32 MatMul beats the 8-bit kernel 1.8×, and the
    // 4-bit one too; and only fp32 experts fuse into MoE.
    dequantizeBits: ep === 'wasm' ? [4, 8] : [],
    maxDequantizedBytes: DEQUANTIZE_BUDGET_BYTES,
    // onnxruntime-web's browser builds have no GatherBlockQuantized kernel (Node's build has one):
    // moee-smollm2's 4-bit token embedding fails to create a session without this.
    dequantizeGather: true,
  };
}

/** What the edits did, for the load report and the tests. */
export interface GraphEditReport {
  /** The logits output holds one position per row: [batch, 1, vocab]. */
  lastTokenLogits: boolean;
  /** Layers whose expert loop is now one com.microsoft.MoE. */
  fusedMoELayers: number[];
  dequantizedMatMuls: number;
  /** GatherBlockQuantized tables turned into fp32 Gathers. */
  dequantizedGathers: number;
  dequantizedBytes: number;
  /** Why an edit was not applied (empty when all that were asked for were). */
  skipped: string[];
}

export interface EditTargets {
  facts: MoEFacts;
  /** Router logits outputs per MoE layer (from the tap). */
  routers: { layer: number; output: string }[];
  /** The tapped final-norm hidden state. */
  hiddenState: string;
  /** The graph's logits output. */
  logits: string;
  /** config.json's `norm_topk_prob` (Qwen2-MoE: renormalise the top-k weights). */
  normTopKProb: boolean;
}

/** Apply the edits to a decoded model in place. Graph outputs must already include the tap's. */
export function applyGraphEdits(model: Model, targets: EditTargets, options: GraphEditOptions): GraphEditReport {
  const graph = model.graph as Graph;
  const report: GraphEditReport = { lastTokenLogits: false, fusedMoELayers: [], dequantizedMatMuls: 0, dequantizedGathers: 0, dequantizedBytes: 0, skipped: [] };
  const index = new GraphIndex(graph);
  if (options.dequantizeBits.length > 0) dequantizeMatMulNBits(graph, index, options, report);
  if (options.dequantizeGather) dequantizeGatherBlockQuantized(graph, index, report);
  if (options.fuseMoE) {
    for (const router of targets.routers) {
      const reason = fuseExpertLoop(graph, index, targets, router);
      if (reason) report.skipped.push(`layer ${router.layer} expert loop kept: ${reason}`);
      else report.fusedMoELayers.push(router.layer);
    }
    if (report.fusedMoELayers.length > 0) ensureOpset(model, MS_DOMAIN, 1);
  }
  if (options.lastTokenLogits) {
    const reason = lastTokenHead(graph, index, targets);
    if (reason) report.skipped.push(`LM head kept at every position: ${reason}`);
    else report.lastTokenLogits = true;
  }
  if (report.fusedMoELayers.length > 0 || report.dequantizedMatMuls > 0 || report.dequantizedGathers > 0 || report.lastTokenLogits) removeDeadNodes(graph);
  return report;
}

/** Initializers and constants by name, and each tensor's producer and consumers. */
class GraphIndex {
  readonly initializers = new Map<string, Tensor>();
  readonly producer = new Map<string, Node>();
  readonly consumers = new Map<string, Node[]>();

  constructor(private readonly graph: Graph) {
    for (const t of graph.initializer ?? []) this.initializers.set(t.name ?? '', t);
    for (const node of graph.node) this.addNode(node);
  }

  addNode(node: Node): void {
    for (const out of node.output ?? []) this.producer.set(out, node);
    for (const input of node.input ?? []) {
      if (!input) continue;
      const list = this.consumers.get(input) ?? [];
      list.push(node);
      this.consumers.set(input, list);
    }
  }

  addInitializer(tensor: Tensor): void {
    (this.graph.initializer ??= []).push(tensor);
    this.initializers.set(tensor.name ?? '', tensor);
  }

  /** A constant's value as numbers: an initializer or a Constant node's `value`. */
  constantValues(name: string): number[] | null {
    const tensor = this.initializers.get(name) ?? constantNodeTensor(this.producer.get(name));
    return tensor ? tensorNumbers(tensor) : null;
  }

  /**
   * A constant input's values, seen through the nodes a quantiser puts between an initializer and its
   * kernel and that onnxruntime folds at load: Cast of fp16 to fp32 (scales and zero points stored
   * as fp16) and Reshape (one Q8_0 table read as an embedding and as the tied LM head). Null when
   * the input is not such a constant, or its bytes live in an external file.
   */
  constant(name: string): ResolvedConstant | null {
    const tensor = this.initializers.get(name);
    if (tensor) {
      if (isExternal(tensor)) return null;
      const dims = (tensor.dims ?? []).map(Number);
      if (tensor.dataType === FLOAT) return { kind: 'float', dims, values: float32Of(tensor), seenAs: FLOAT };
      if (tensor.dataType === FLOAT16) return { kind: 'float', dims, values: float16Of(tensor), seenAs: FLOAT16 };
      if (tensor.dataType === UINT8 || tensor.dataType === UINT4) return { kind: 'bytes', dims, values: uint8Of(tensor), dataType: tensor.dataType };
      return null;
    }
    const node = this.producer.get(name);
    if (node?.opType === 'Cast' && intAttr(node, 'to') === FLOAT) {
      const source = this.constant(node.input?.[0] ?? '');
      return source?.kind === 'float' ? { ...source, seenAs: FLOAT } : null;
    }
    if (node?.opType === 'Reshape') {
      const source = this.constant(node.input?.[0] ?? '');
      const shape = this.constantValues(node.input?.[1] ?? '');
      if (!source || !shape || shape.some((d) => d <= 0)) return null;
      return { ...source, dims: shape } as ResolvedConstant;
    }
    return null;
  }

  /** The dims of a MatMul's 2-D fp32 initializer weight, or null when it has none. */
  weightDims(node: Node): number[] | null {
    if (node.opType !== 'MatMul') return null;
    const tensor = this.initializers.get(node.input?.[1] ?? '');
    if (!tensor || tensor.dataType !== FLOAT || isExternal(tensor)) return null;
    const dims = (tensor.dims ?? []).map(Number);
    return dims.length === 2 ? dims : null;
  }

  /** That weight's values (a copy). */
  weightData(node: Node): Float32Array {
    return float32Of(this.initializers.get(node.input?.[1] ?? '')!);
  }
}

/** A constant's values: fp32 numbers, or raw bytes (uint8 codes, packed uint4). */
type ResolvedConstant = {
  kind: 'float';
  dims: number[];
  values: Float32Array;
  /** The element type its consumer sees (fp16 tables reach a kernel as fp32 through a Cast). */
  seenAs: typeof FLOAT | typeof FLOAT16;
} | { kind: 'bytes'; dims: number[]; values: Uint8Array; dataType: number };

function constantNodeTensor(node: Node | undefined): Tensor | null {
  if (node?.opType !== 'Constant') return null;
  return node.attribute?.find((a) => a.name === 'value')?.t ?? null;
}

function tensorNumbers(tensor: Tensor): number[] | null {
  if (tensor.dataType === INT64) {
    if (tensor.rawData?.length) {
      const view = new DataView(tensor.rawData.buffer, tensor.rawData.byteOffset, tensor.rawData.byteLength);
      return Array.from({ length: tensor.rawData.byteLength / 8 }, (_, i) => Number(view.getBigInt64(i * 8, true)));
    }
    return (tensor.int64Data ?? []).map(Number);
  }
  if (tensor.dataType === FLOAT) return Array.from(float32Of(tensor));
  return null;
}

/** A float tensor's values (raw little-endian bytes or float_data), copied to an aligned array. */
function float32Of(tensor: Tensor): Float32Array {
  const raw = tensor.rawData;
  // new Uint8Array(view) copies exactly the view; Buffer#slice (protobufjs decodes to Buffers in Node) would not.
  if (raw?.length) return new Float32Array(new Uint8Array(raw).buffer);
  return Float32Array.from(tensor.floatData ?? []);
}

/** An fp16 tensor's values as fp32 (IEEE 754 binary16, little-endian raw bytes or int32_data). */
function float16Of(tensor: Tensor): Float32Array {
  const raw = tensor.rawData;
  const halves = raw?.length ? new Uint16Array(new Uint8Array(raw).buffer) : Uint16Array.from(tensor.int32Data ?? []);
  const out = new Float32Array(halves.length);
  for (let i = 0; i < halves.length; i++) out[i] = halfToFloat(halves[i]);
  return out;
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

function uint8Of(tensor: Tensor): Uint8Array {
  if (tensor.rawData?.length) return tensor.rawData;
  return Uint8Array.from(tensor.int32Data ?? []);
}

function floatTensor(name: string, dims: number[], data: Float32Array): Tensor {
  return { name, dims, dataType: FLOAT, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

function int64Tensor(name: string, dims: number[], values: number[]): Tensor {
  const data = BigInt64Array.from(values, (v) => BigInt(v));
  return { name, dims, dataType: INT64, rawData: new Uint8Array(data.buffer) };
}

function attrInt(name: string, i: number) {
  return { name, type: onnx.AttributeProto.AttributeType.INT, i };
}
function attrFloat(name: string, f: number) {
  return { name, type: onnx.AttributeProto.AttributeType.FLOAT, f };
}
function attrString(name: string, s: string) {
  return { name, type: onnx.AttributeProto.AttributeType.STRING, s: new TextEncoder().encode(s) };
}

function ensureOpset(model: Model, domain: string, version: number): void {
  const imports = (model.opsetImport ??= []);
  if (!imports.some((o) => (o.domain ?? '') === domain)) imports.push({ domain, version });
}

function intAttr(node: Node, name: string): number | null {
  const attr = node.attribute?.find((a) => a.name === name);
  return attr?.i === undefined || attr.i === null ? null : Number(attr.i);
}

// ---------------------------------------------------------------------------------------------
// Dequantisation

/**
 * MatMulNBits (weight [N, blocks, blob], scales [N·blocks], optional zero points: packed uint8 or
 * float) to MatMul on an fp32 [K, N] weight: w = (q − zp)·scale, zp defaulting to 2^(bits−1), as
 * ORT's kernel does. Float zero points are how an exact Q4_1 block (d·q + m) is written: zp = −m/d.
 */
function dequantizeMatMulNBits(graph: Graph, index: GraphIndex, options: GraphEditOptions, report: GraphEditReport): void {
  const candidates = graph.node.filter(
    (node) => node.opType === 'MatMulNBits' && options.dequantizeBits.includes(intAttr(node, 'bits') ?? 0) && dequantizable(node, index),
  );
  const bytes = candidates.reduce((sum, node) => sum + (intAttr(node, 'K') ?? 0) * (intAttr(node, 'N') ?? 0) * 4, 0);
  if (candidates.length === 0) return;
  if (bytes > options.maxDequantizedBytes) {
    report.skipped.push(`MatMulNBits kept: fp32 weights would take ${(bytes / 2 ** 20).toFixed(0)} MiB, over the ${(options.maxDequantizedBytes / 2 ** 20).toFixed(0)} MiB budget`);
    return;
  }
  for (const node of candidates) {
    const K = intAttr(node, 'K') ?? 0;
    const N = intAttr(node, 'N') ?? 0;
    const bits = intAttr(node, 'bits') ?? 0;
    const blockSize = intAttr(node, 'block_size') ?? 0;
    const [a, bName, scalesName, zpName] = node.input ?? [];
    const q = index.constant(bName)!.values as Uint8Array;
    const scales = index.constant(scalesName)!.values as Float32Array;
    const blocks = Math.ceil(K / blockSize);
    const zeroOf = zeroPoints(zpName ? index.constant(zpName) : null, blocks, bits);
    const blobBytes = (blockSize * bits) / 8;
    const w = new Float32Array(K * N);
    for (let n = 0; n < N; n++) {
      for (let b = 0; b < blocks; b++) {
        const scale = scales[n * blocks + b];
        const zero = zeroOf(n, b);
        const base = (n * blocks + b) * blobBytes;
        const end = Math.min(blockSize, K - b * blockSize);
        for (let j = 0; j < end; j++) w[(b * blockSize + j) * N + n] = (unpack(q, base, j, bits) - zero) * scale;
      }
    }
    // Named after the node: two MatMulNBits may share one B with different scales or zero points.
    const name = `${node.output?.[0] ?? bName}_weight_fp32`;
    index.addInitializer(floatTensor(name, [K, N], w));
    node.opType = 'MatMul';
    node.domain = '';
    node.attribute = [];
    node.input = [a, name];
    index.addNode(node);
    report.dequantizedMatMuls++;
    report.dequantizedBytes += w.byteLength;
  }
}

/** Block b of row n's zero point: float values, packed `bits`-wide codes (rows padded to bytes), or the default. */
function zeroPoints(zp: ResolvedConstant | null, blocks: number, bits: number): (n: number, b: number) => number {
  if (!zp) return () => 2 ** (bits - 1);
  if (zp.kind === 'float') return (n, b) => zp.values[n * blocks + b];
  const rowBytes = Math.ceil((blocks * bits) / 8);
  return (n, b) => unpack(zp.values, n * rowBytes, b, bits);
}

/**
 * com.microsoft.GatherBlockQuantized on a 2-D table (4-bit: uint4 data [rows, cols]; 8-bit: uint8
 * data, `bits` = 8), blocks along the last axis, to a plain Gather on its fp32 values:
 * w = (q − zp)·scale, zp defaulting to 2^(bits−1), the kernel's own arithmetic.
 */
function dequantizeGatherBlockQuantized(graph: Graph, index: GraphIndex, report: GraphEditReport): void {
  for (const node of graph.node.filter((n) => n.opType === 'GatherBlockQuantized')) {
    const [dataName, indices, scalesName, zpName] = node.input ?? [];
    const data = index.constant(dataName ?? '');
    const scales = index.constant(scalesName ?? '');
    const zp = zpName ? index.constant(zpName) : null;
    const bits = intAttr(node, 'bits') ?? 4;
    const blockSize = intAttr(node, 'block_size') ?? 128;
    // 4-bit tables come as uint4 elements or as uint8 bytes holding two codes each (low nibble first).
    const packedAsExpected = data?.kind === 'bytes' && ((bits === 4 && (data.dataType === UINT4 || data.dataType === UINT8)) || (bits === 8 && data.dataType === UINT8));
    if (!data || data.kind !== 'bytes' || scales?.kind !== 'float' || scales.seenAs !== FLOAT || !packedAsExpected || data.dims.length !== 2 ||
        (intAttr(node, 'quantize_axis') ?? 1) !== 1 || (intAttr(node, 'gather_axis') ?? 0) !== 0 || (zpName && !zp)) {
      report.skipped.push(`${node.name}: GatherBlockQuantized kept (not a 2-D 4- or 8-bit table with fp32 scales, gathered on axis 0)`);
      continue;
    }
    const [rows, stored] = data.dims;
    const cols = bits === 4 && data.dataType === UINT8 ? stored * 2 : stored;
    const blocks = Math.ceil(cols / blockSize);
    // uint4 zero points pack the whole [rows, blocks] table two a byte; uint8 ones are a byte each.
    const zeroOf = zp?.kind === 'bytes' ? (r: number, b: number) => unpack(zp.values, 0, r * blocks + b, bits) : zeroPoints(zp, blocks, bits);
    const w = new Float32Array(rows * cols);
    for (let r = 0; r < rows; r++) {
      for (let block = 0; block < blocks; block++) {
        const zero = zeroOf(r, block);
        const scale = scales.values[r * blocks + block];
        const end = Math.min(cols, (block + 1) * blockSize);
        for (let c = block * blockSize; c < end; c++) w[r * cols + c] = (unpack(data.values, 0, r * cols + c, bits) - zero) * scale;
      }
    }
    const name = `${dataName}_dequantized_fp32`;
    index.addInitializer(floatTensor(name, [rows, cols], w));
    node.opType = 'Gather';
    node.domain = '';
    node.attribute = [attrInt('axis', 0)];
    node.input = [name, indices];
    index.addNode(node);
    report.dequantizedGathers++;
    report.dequantizedBytes += w.byteLength;
  }
}

/** Element `i` of a packed row of `bits`-wide unsigned values, low bits first. */
function unpack(bytes: Uint8Array, offset: number, i: number, bits: number): number {
  if (bits === 8) return bytes[offset + i];
  const perByte = 8 / bits;
  const byte = bytes[offset + Math.floor(i / perByte)];
  return (byte >> ((i % perByte) * bits)) & ((1 << bits) - 1);
}

function dequantizable(node: Node, index: GraphIndex): boolean {
  const [, b, scales, zp, gIdx, bias] = node.input ?? [];
  const bits = intAttr(node, 'bits');
  if (bits !== 4 && bits !== 8) return false;
  if (gIdx || bias) return false; // act-order or biased exports: keep the kernel that knows them
  // Weights in external .onnx_data files carry no bytes in the graph (ORT reads them, we cannot):
  // `constant` is null for those.
  const bT = index.constant(b ?? '');
  const sT = index.constant(scales ?? '');
  // fp16 scales seen as fp16 mean an fp16 graph (q4f16): an fp32 weight would not type-check there.
  if (bT?.kind !== 'bytes' || sT?.kind !== 'float' || sT.seenAs !== FLOAT) return false;
  return !zp || index.constant(zp) !== null;
}

/** Whether a tensor's bytes live in an external data file (ONNX TensorProto.DataLocation.EXTERNAL = 1). */
function isExternal(tensor: Tensor): boolean {
  return tensor.dataLocation === 1 || (tensor.externalData?.length ?? 0) > 0;
}

// ---------------------------------------------------------------------------------------------
// Fused MoE

/**
 * Replace one layer's exported expert loop by com.microsoft.MoE. The pattern (torch.onnx TorchScript
 * export of HF Qwen2-MoE experts): per expert e, `Equal(topk_index, e)` selects its tokens, a MatMul
 * on a [hidden, 2·inter] gate_up weight, SiLU on one half (a Slice that feeds a Sigmoid) times the
 * other half, a MatMul on a [inter, hidden] down weight, scaled and scattered into the routed sum,
 * which is added to the shared expert's output by `/model/layers.L/mlp/Add`. Returns why not, or null.
 */
function fuseExpertLoop(graph: Graph, index: GraphIndex, targets: EditTargets, router: { layer: number; output: string }): string | null {
  const { facts } = targets;
  const prefix = `/model/layers.${router.layer}/mlp/`;
  const expertsPrefix = `${prefix}experts/`;
  const routerNode = index.producer.get(router.output);
  if (!routerNode || routerNode.opType !== 'MatMul') return 'the router is not a MatMul';
  const x = routerNode.input?.[0] ?? '';
  // Softmax over all experts then top-k is what MoE computes from the router logits.
  if (!(index.consumers.get(router.output) ?? []).some((n) => n.opType === 'Softmax')) return 'no Softmax on the router logits';
  const combine = graph.node.find((n) => n.name === `${prefix}Add` && n.opType === 'Add');
  const routedSum = combine?.input?.find((input) => index.producer.get(input)?.name?.startsWith(expertsPrefix));
  if (!combine || !routedSum) return `no ${prefix}Add of the routed sum`;

  const experts = new Map<number, { gateUp: Float32Array; down: Float32Array; gateFirst: boolean }>();
  let inter = 0;
  for (const node of graph.node) {
    if (node.opType !== 'Equal' || !node.name?.startsWith(expertsPrefix)) continue;
    const value = (node.input ?? []).map((i) => index.constantValues(i)).find((v) => v?.length === 1);
    if (!value) continue;
    const e = value[0];
    const gateUpNode = firstReachable(index, node, expertsPrefix, (n) => index.weightDims(n)?.[0] === facts.hiddenSize);
    const gateUpDims = gateUpNode && index.weightDims(gateUpNode);
    if (!gateUpNode || !gateUpDims || gateUpDims[1] % 2 !== 0) return `expert ${e}: no gate_up MatMul`;
    const I = gateUpDims[1] / 2;
    const downNode = firstReachable(index, gateUpNode, expertsPrefix, (n) => {
      const d = index.weightDims(n);
      return d?.[0] === I && d[1] === facts.hiddenSize;
    });
    if (!downNode) return `expert ${e}: no down MatMul`;
    const sigmoid = firstReachable(index, gateUpNode, expertsPrefix, (n) => n.opType === 'Sigmoid');
    const gateSlice = sigmoid && index.producer.get(sigmoid.input?.[0] ?? '');
    const start = gateSlice?.opType === 'Slice' ? index.constantValues(gateSlice.input?.[1] ?? '') : null;
    if (!start || (start[0] !== 0 && start[0] !== I)) return `expert ${e}: the SiLU half of gate_up is not a Slice at 0 or ${I}`;
    if (inter && inter !== I) return 'experts of different widths';
    inter = I;
    experts.set(e, { gateUp: index.weightData(gateUpNode), down: index.weightData(downNode), gateFirst: start[0] === 0 });
  }
  const E = facts.numExperts;
  if (experts.size !== E || [...experts.keys()].some((e) => e < 0 || e >= E || !Number.isInteger(e))) {
    return `found ${experts.size} expert branches, config.json says ${E}`;
  }
  const H = facts.hiddenSize;
  // fc1: [E, 2·inter, hidden], gate and up rows interleaved (swiglu_fusion=1); fc2: [E, hidden, inter].
  const fc1 = new Float32Array(E * 2 * inter * H);
  const fc2 = new Float32Array(E * H * inter);
  for (const [e, w] of experts) {
    const gateOffset = w.gateFirst ? 0 : inter;
    const upOffset = w.gateFirst ? inter : 0;
    for (let i = 0; i < inter; i++) {
      const gateRow = (e * 2 * inter + 2 * i) * H;
      const upRow = gateRow + H;
      for (let h = 0; h < H; h++) {
        fc1[gateRow + h] = w.gateUp[h * 2 * inter + gateOffset + i];
        fc1[upRow + h] = w.gateUp[h * 2 * inter + upOffset + i];
      }
    }
    for (let h = 0; h < H; h++) for (let i = 0; i < inter; i++) fc2[(e * H + h) * inter + i] = w.down[i * H + h];
  }
  const fc1Name = `${expertsPrefix}fused_fc1`;
  const fc2Name = `${expertsPrefix}fused_fc2`;
  index.addInitializer(floatTensor(fc1Name, [E, 2 * inter, H], fc1));
  index.addInitializer(floatTensor(fc2Name, [E, H, inter], fc2));
  const fused: Node = {
    name: `${expertsPrefix}FusedMoE`,
    opType: 'MoE',
    domain: MS_DOMAIN,
    input: [x, router.output, fc1Name, '', fc2Name],
    output: [routedSum],
    attribute: [
      attrString('activation_type', 'swiglu'),
      attrInt('swiglu_fusion', 1),
      attrFloat('activation_alpha', 1),
      attrFloat('activation_beta', 0),
      attrFloat('swiglu_limit', 3.4028234663852886e38),
      attrInt('k', facts.topK),
      attrInt('normalize_routing_weights', targets.normTopKProb ? 1 : 0),
    ],
  };
  const old = index.producer.get(routedSum)!;
  graph.node.splice(graph.node.indexOf(old), 1, fused);
  index.producer.set(routedSum, fused);
  return null;
}

/** Breadth-first from `start`'s consumers within a name prefix: the first node that `test` accepts. */
function firstReachable(index: GraphIndex, start: Node, prefix: string, test: (node: Node) => boolean): Node | null {
  const seen = new Set<Node>([start]);
  let frontier = [start];
  while (frontier.length > 0) {
    const next: Node[] = [];
    for (const node of frontier) {
      for (const out of node.output ?? []) {
        for (const consumer of index.consumers.get(out) ?? []) {
          if (seen.has(consumer) || !consumer.name?.startsWith(prefix)) continue;
          if (test(consumer)) return consumer;
          seen.add(consumer);
          next.push(consumer);
        }
      }
    }
    frontier = next;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// LM head at the last real token

/**
 * Feed the LM head [batch, 1, hidden]: the hidden state at each row's last position whose
 * attention_mask is 1, i.e. max over positions of mask·position (left or right padding alike).
 */
function lastTokenHead(graph: Graph, index: GraphIndex, targets: EditTargets): string | null {
  const inputs = new Set((graph.input ?? []).map((i) => i.name ?? ''));
  if (!inputs.has('attention_mask')) return 'the graph has no attention_mask input';
  const head = index.producer.get(targets.logits);
  if (!head || head.input?.[0] !== targets.hiddenState || !['MatMul', 'MatMulNBits', 'Gemm'].includes(head.opType ?? '')) {
    return 'the logits are not one MatMul on the final-norm hidden state';
  }
  if (head.opType === 'Gemm') return 'the head is a Gemm (2-D), not a MatMul on [batch, seq, hidden]';
  const p = '/moee/last_token/';
  const c = (name: string, values: number[], dims: number[]) => {
    index.addInitializer(int64Tensor(`${p}${name}`, dims, values));
    return `${p}${name}`;
  };
  const zero = c('zero', [0], []);
  const one = c('one', [1], []);
  const axisOne = c('axis1', [1], [1]);
  const axisTwo = c('axis2', [2], [1]);
  const seqIndex = c('seq_index', [1], []);
  const expandTo = c('expand_shape', [1, 1, targets.facts.hiddenSize], [3]);
  const nodes: Node[] = [
    { name: `${p}Shape`, opType: 'Shape', input: ['attention_mask'], output: [`${p}mask_shape`] },
    { name: `${p}SeqLen`, opType: 'Gather', input: [`${p}mask_shape`, seqIndex], output: [`${p}seq_len`], attribute: [attrInt('axis', 0)] },
    { name: `${p}Range`, opType: 'Range', input: [zero, `${p}seq_len`, one], output: [`${p}positions`] },
    { name: `${p}Mul`, opType: 'Mul', input: ['attention_mask', `${p}positions`], output: [`${p}masked_positions`] },
    { name: `${p}ReduceMax`, opType: 'ReduceMax', input: [`${p}masked_positions`, axisOne], output: [`${p}last`], attribute: [attrInt('keepdims', 1)] },
    { name: `${p}Unsqueeze`, opType: 'Unsqueeze', input: [`${p}last`, axisTwo], output: [`${p}last3`] },
    { name: `${p}Expand`, opType: 'Expand', input: [`${p}last3`, expandTo], output: [`${p}gather_index`] },
    {
      name: `${p}GatherElements`,
      opType: 'GatherElements',
      input: [targets.hiddenState, `${p}gather_index`],
      output: [`${p}hidden`],
      attribute: [attrInt('axis', 1)],
    },
  ];
  graph.node.splice(graph.node.indexOf(head), 0, ...nodes);
  for (const node of nodes) index.addNode(node);
  head.input = [`${p}hidden`, ...(head.input ?? []).slice(1)];
  // The declared [batch, seq, vocab] would now be wrong: drop the shape, keep the type.
  const output = (graph.output ?? []).find((o) => o.name === targets.logits);
  if (output?.type?.tensorType) output.type.tensorType.shape = null;
  return null;
}

// ---------------------------------------------------------------------------------------------

/** Drop nodes and initializers that no graph output depends on (the replaced loops and weights). */
function removeDeadNodes(graph: Graph): void {
  const needed = new Set((graph.output ?? []).map((o) => o.name ?? ''));
  const keep = new Array<boolean>(graph.node.length).fill(false);
  for (let i = graph.node.length - 1; i >= 0; i--) {
    const node = graph.node[i];
    if (!(node.output ?? []).some((o) => needed.has(o))) continue;
    keep[i] = true;
    for (const input of node.input ?? []) needed.add(input);
    for (const name of subgraphInputs(node)) needed.add(name);
  }
  graph.node = graph.node.filter((_, i) => keep[i]);
  graph.initializer = (graph.initializer ?? []).filter((t) => needed.has(t.name ?? ''));
  graph.valueInfo = (graph.valueInfo ?? []).filter((v) => needed.has(v.name ?? ''));
}

/** Names a node's subgraphs (If/Loop bodies) read: they may come from the outer graph. */
function subgraphInputs(node: Node): string[] {
  const names: string[] = [];
  const visit = (graph: onnxProto.onnx.IGraphProto | null | undefined) => {
    for (const inner of graph?.node ?? []) {
      names.push(...(inner.input ?? []));
      for (const attr of inner.attribute ?? []) {
        visit(attr.g);
        for (const g of attr.graphs ?? []) visit(g);
      }
    }
  };
  for (const attr of node.attribute ?? []) {
    visit(attr.g);
    for (const g of attr.graphs ?? []) visit(g);
  }
  return names;
}
