/**
 * The graph tap: find every MoE layer's router output and the final-norm hidden state in an ONNX
 * model, and promote them to graph outputs so that one InferenceSession run returns them with the
 * logits. Runs at load time on the exporter's own file, for our demo model and Hub models alike.
 */
import onnxProto from 'onnx-proto';
import {
  GROUP_QUERY_ATTENTION,
  HIDDEN_STATE_CONVENTIONS,
  QUANTIZATION_OPS,
  ROUTER_CONVENTIONS,
  type RouterConvention,
} from './conventions.ts';
import { ConfigMismatchError, CorruptModelError, NotMoEModelError } from './errors.ts';
import type { MoEFacts } from './moe-config.ts';
import { applyGraphEdits, type GraphEditOptions, type GraphEditReport } from './graph-edits.ts';

const { onnx } = onnxProto;

/** One tapped router. */
export interface TappedRouter {
  /** Decoder layer index, from the node name. */
  layer: number;
  /** Graph output name that now carries this layer's router logits, shape [..., numExperts]. */
  output: string;
  /** Routed experts, from the router weight's shape when it is an initializer. */
  numExperts: number | null;
}

/** What the tap found and the edited model bytes. */
export interface TapResult {
  /** The model with the router and hidden-state tensors added as graph outputs. */
  bytes: Uint8Array;
  convention: string;
  /** In layer order. */
  routers: TappedRouter[];
  /** Graph output name of the final-norm hidden state. */
  hiddenState: string;
  /** The graph's own outputs before tapping (e.g. `logits`). */
  originalOutputs: string[];
  /** The graph's inputs (`input_ids`, `attention_mask`, maybe `position_ids`, `past_key_values.*`). */
  inputs: string[];
  /** What the graph's attention kernels demand of the feeds. */
  attention: AttentionNeeds;
  /** Positions the logits output holds: every position [batch, seq, vocab], or the last real token [batch, 1, vocab]. */
  logitsAt: 'every-position' | 'last-token';
  /** The load-time graph edits (models/graph-edits.ts) and what they did; null when none was asked for. */
  edits: GraphEditReport | null;
}

/** Graph edits to apply with the tap, and the config fact the fused MoE needs. */
export interface TapEdits {
  options: GraphEditOptions;
  /** config.json's `norm_topk_prob`. */
  normTopKProb: boolean;
}

/** How the engine must feed a graph, read from its attention nodes (see GROUP_QUERY_ATTENTION). */
export interface AttentionNeeds {
  /** Fused GroupQueryAttention: prompts must be unpadded, so one text per session run. */
  groupQuery: boolean;
  /** Longest sliding window of its GroupQueryAttention layers (0 if none): the least KV buffer length. */
  slidingWindow: number;
}

type Graph = onnxProto.onnx.IGraphProto & { node: onnxProto.onnx.INodeProto[] };
type Node = onnxProto.onnx.INodeProto;

/** Decode ONNX bytes, with a named error for anything that is not a whole ONNX model. */
export function decodeModel(bytes: Uint8Array): InstanceType<typeof onnx.ModelProto> {
  let model;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (error) {
    throw new CorruptModelError(`The model file could not be parsed as ONNX (${(error as Error).message}); it may be truncated or corrupt.`);
  }
  if (!model.graph?.node || model.graph.node.length === 0) {
    throw new CorruptModelError('The model file has no graph: it is truncated or not an ONNX model.');
  }
  return model;
}

/**
 * Tap a model. `facts` (from config.json) is checked against the graph: a layer count or expert
 * count that disagrees fails with ConfigMismatchError, a graph with no router with NotMoEModelError.
 */
export function tapModel(bytes: Uint8Array, facts: MoEFacts | null, modelType = facts?.modelType, edits?: TapEdits): TapResult {
  const model = decodeModel(bytes);
  const graph = model.graph as Graph;
  const found = findRouters(graph);
  if (!found) {
    throw new NotMoEModelError(
      `No MoE router found in the graph${modelType ? ` of this ${modelType} model` : ''}: it is not a Mixture-of-Experts model ` +
        `(looked for: ${ROUTER_CONVENTIONS.map((c) => c.description).join('; ')}).`,
      modelType,
    );
  }
  if (!facts) {
    throw new NotMoEModelError(`config.json names no routed experts${modelType ? ` (model_type ${modelType})` : ''}.`, modelType);
  }
  checkAgainstConfig(found.routers, facts);
  const hiddenState = findHiddenState(graph);
  const existing = new Set((graph.output ?? []).map((o) => o.name ?? ''));
  const added = [...found.routers.map((r) => r.output), hiddenState].filter((name) => !existing.has(name));
  const originalOutputs = (graph.output ?? []).map((o) => o.name ?? '');
  const tapped = {
    convention: found.convention.id,
    routers: found.routers,
    hiddenState,
    originalOutputs,
    inputs: graphInputs(graph),
    attention: attentionNeeds(graph),
  };
  const wanted = edits && (edits.options.lastTokenLogits || edits.options.fuseMoE || edits.options.dequantizeBits.length > 0);
  if (!wanted) return { ...tapped, bytes: appendGraphOutputs(bytes, added), logitsAt: 'every-position', edits: null };
  // Edits remove and rewrite nodes, which appending cannot express: re-encode the edited model.
  graph.output = [...(graph.output ?? []), ...added.map((name) => ({ name }))];
  const report = applyGraphEdits(
    model,
    { facts, routers: found.routers, hiddenState, logits: originalOutputs[0], normTopKProb: edits.normTopKProb },
    edits.options,
  );
  return {
    ...tapped,
    bytes: onnx.ModelProto.encode(model).finish(),
    logitsAt: report.lastTokenLogits ? 'last-token' : 'every-position',
    edits: report,
  };
}

function attentionNeeds(graph: Graph): AttentionNeeds {
  let groupQuery = false;
  let slidingWindow = 0;
  for (const node of graph.node) {
    if (node.opType !== GROUP_QUERY_ATTENTION.opType) continue;
    groupQuery = true;
    const window = node.attribute?.find((a) => a.name === GROUP_QUERY_ATTENTION.windowAttribute)?.i;
    slidingWindow = Math.max(slidingWindow, Number(window ?? 0));
  }
  return { groupQuery, slidingWindow };
}

/** Graph inputs that are fed at run time (old exporters also list initializers as inputs). */
function graphInputs(graph: Graph): string[] {
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name ?? ''));
  return (graph.input ?? []).map((i) => i.name ?? '').filter((name) => !initializers.has(name));
}

function findRouters(graph: Graph): { convention: RouterConvention; routers: TappedRouter[] } | null {
  const weights = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', (t.dims ?? []).map(Number)]));
  for (const convention of ROUTER_CONVENTIONS) {
    const routers: TappedRouter[] = [];
    for (const node of graph.node) {
      const tapped = matchRouter(convention, node, weights);
      if (tapped) routers.push(tapped);
    }
    const logitsNode = convention.router.kind === 'fused-moe' ? convention.router.logitsNode : undefined;
    if (logitsNode) preferLogitsNodes(graph, routers, logitsNode);
    if (routers.length > 0) {
      routers.sort((a, b) => a.layer - b.layer);
      return { convention, routers };
    }
  }
  return null;
}

function matchRouter(convention: RouterConvention, node: Node, weights: Map<string, number[]>): TappedRouter | null {
  const rule = convention.router;
  const name = node.name ?? '';
  const match = rule.pattern.exec(name);
  if (!match) return null;
  if (rule.kind === 'node-name') {
    const weight = weights.get(node.input?.[1] ?? '');
    return { layer: Number(match[1]), output: node.output?.[0] ?? '', numExperts: weight?.length === 2 ? weight[1] : null };
  }
  if (!rule.opTypes.includes(node.opType ?? '')) return null;
  return { layer: Number(match[1]), output: node.input?.[rule.routerInput] ?? '', numExperts: null };
}

/** Point fused-MoE routers at the layer's router-logits node where the graph has one. */
function preferLogitsNodes(graph: Graph, routers: TappedRouter[], pattern: RegExp): void {
  const logits = new Map<number, string>();
  for (const node of graph.node) {
    const match = pattern.exec(node.name ?? '');
    if (match && node.output?.[0]) logits.set(Number(match[1]), node.output[0]);
  }
  for (const router of routers) router.output = logits.get(router.layer) ?? router.output;
}

function checkAgainstConfig(routers: TappedRouter[], facts: MoEFacts): void {
  const graphLayers = routers.map((r) => r.layer).join(',');
  const configLayers = facts.moeLayers.join(',');
  if (graphLayers !== configLayers) {
    throw new ConfigMismatchError(
      `config.json says MoE layers [${configLayers}] but the graph has routers in layers [${graphLayers}].`,
    );
  }
  const wrong = routers.find((r) => r.numExperts !== null && r.numExperts !== facts.numExperts);
  if (wrong) {
    throw new ConfigMismatchError(
      `config.json says ${facts.numExperts} experts but the router of layer ${wrong.layer} has ${wrong.numExperts}.`,
    );
  }
}

function findHiddenState(graph: Graph): string {
  for (const convention of HIDDEN_STATE_CONVENTIONS) {
    let last: Node | undefined;
    for (const node of graph.node) {
      if (convention.pattern.test(node.name ?? '') && !QUANTIZATION_OPS.has(node.opType ?? '')) last = node;
    }
    const output = last?.output?.[convention.output];
    if (output) return output;
  }
  throw new NotMoEModelError('Routers found, but no final norm (the hidden state that feeds the LM head) in the graph.');
}

/**
 * Add graph outputs without re-encoding the model: a serialised ModelProto followed by a second
 * ModelProto that holds only `graph { output: [...] }` parses as their merge (protobuf merges a
 * repeated singular message field, appending its repeated fields). This keeps every byte of the
 * exporter's file, including fields newer than our schema, and costs one copy.
 */
function appendGraphOutputs(bytes: Uint8Array, names: string[]): Uint8Array {
  if (names.length === 0) return bytes;
  const patch = onnx.ModelProto.encode({
    graph: { output: names.map((name) => ({ name })) },
  }).finish();
  const out = new Uint8Array(bytes.length + patch.length);
  out.set(bytes, 0);
  out.set(patch, bytes.length);
  return out;
}
