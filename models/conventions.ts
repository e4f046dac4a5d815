/**
 * Where routers and the final-norm hidden state live in ONNX graphs from real exporters.
 *
 * torch.onnx (TorchScript) and optimum name nodes after the PyTorch module path, so a router is
 * found by its node name; the onnxruntime-genai builder fuses each MoE block into one com.microsoft
 * MoE/QMoE node whose `router_probs` input (index 1) carries the router logits. To support a new
 * architecture, add a row: nothing else in the engine changes.
 */

/** How to recognise the router of one MoE layer. */
export type RouterMatcher =
  | {
      kind: 'node-name';
      /** Matches the router's node name; capture group 1 is the layer index. */
      pattern: RegExp;
    }
  | {
      kind: 'fused-moe';
      /** Fused MoE op types (domain com.microsoft). */
      opTypes: readonly string[];
      /** Input index of the router logits on the fused node. */
      routerInput: number;
      /** Matches the fused node's name; capture group 1 is the layer index. */
      pattern: RegExp;
      /**
       * The router's logits node, preferred over `routerInput` when the layer has one: builders that
       * select experts in the graph feed the fused op masked scores, not logits (onnxruntime-genai's
       * LFM2-MoE: log(sigmoid) at the chosen experts, -10000 elsewhere). Capture group 1: the layer.
       */
      logitsNode?: RegExp;
    };

/** One export convention: how its graphs name routers. */
export interface RouterConvention {
  id: string;
  /** Human-readable, for the model panel and errors. */
  description: string;
  /** HF `model_type`s known to export this way (information; matching is by graph). */
  modelTypes: readonly string[];
  router: RouterMatcher;
}

/**
 * Node-name routers may be quantised by the exporter (MatMulNBits `_Q4`, dynamic int8 `_quant`);
 * the tap reads the router's first output either way.
 */
const QUANT_SUFFIX = '(?:_Q4|_Q8|_quant|NBits)?';

export const ROUTER_CONVENTIONS: readonly RouterConvention[] = [
  {
    id: 'mlp-gate',
    // transformers 5 names every router module `mlp.gate` here, Mixtral's included (tests/fixtures/).
    description: 'OLMoE / Qwen-MoE / Qwen3-MoE / DeepSeek-V3 / Mixtral (transformers 5) / Ling (bailing_hybrid): /model/layers.{i}/mlp/gate/MatMul',
    modelTypes: ['olmoe', 'qwen2_moe', 'qwen3_moe', 'deepseek_v3', 'deepseek_v2', 'mixtral', 'bailing_hybrid'],
    router: { kind: 'node-name', pattern: new RegExp(`^/model/layers\\.(\\d+)/mlp/gate/MatMul${QUANT_SUFFIX}$`) },
  },
  {
    id: 'afmoe-router',
    // AfmoeTokenChoiceRouter (mlp.router) holds the gate Linear: its MatMul is scoped one level deeper.
    // The logits are pre-sigmoid; selection adds an expert bias, so top-k logits show what the router prefers.
    description: 'AFMoE (Trinity): /model/layers.{i}/mlp/router/gate/MatMul',
    modelTypes: ['afmoe'],
    router: { kind: 'node-name', pattern: new RegExp(`^/model/layers\\.(\\d+)/mlp/router/gate/MatMul${QUANT_SUFFIX}$`) },
  },
  {
    id: 'mixtral-gate',
    // transformers 4 exports (most Mixtral ONNX files on the Hub) kept the module path block_sparse_moe.
    description: 'Mixtral (transformers 4): /model/layers.{i}/block_sparse_moe/gate/MatMul',
    modelTypes: ['mixtral'],
    router: { kind: 'node-name', pattern: new RegExp(`^/model/layers\\.(\\d+)/block_sparse_moe/gate/MatMul${QUANT_SUFFIX}$`) },
  },
  {
    id: 'granite-router',
    // transformers 5 folded the router's inner `layer` Linear into the router module itself.
    description: 'Granite-MoE: /model/layers.{i}/block_sparse_moe/router/MatMul (transformers 4: router/layer/MatMul)',
    modelTypes: ['granitemoe'],
    router: {
      kind: 'node-name',
      pattern: new RegExp(`^/model/layers\\.(\\d+)/block_sparse_moe/router/(?:layer/)?MatMul${QUANT_SUFFIX}$`),
    },
  },
  {
    id: 'ort-genai-moe',
    description: 'onnxruntime-genai builder: fused com.microsoft MoE/QMoE, router_probs input',
    // onnxruntime-genai 0.18's builder emits fused MoE for gpt_oss (proven in tests/fixtures/gpt-oss-genai,
    // where router_probs is /model/layers.{i}/moe/router/Reshape: logits plus bias), and for
    // lfm2_moe, qwen3_5_moe, granitemoehybrid, gemma4 and phimoe (CUDA only), none of them proven here.
    modelTypes: ['gpt_oss', 'lfm2_moe', 'qwen3_5_moe', 'granitemoehybrid', 'phimoe'],
    router: {
      kind: 'fused-moe',
      opTypes: ['MoE', 'QMoE'],
      routerInput: 1,
      pattern: /^\/model\/layers\.(\d+)\//,
      logitsNode: /^\/model\/layers\.(\d+)\/moe\/router\/Reshape$/,
    },
  },
];

/**
 * The final-norm hidden state (the tensor that feeds the LM head), in order of preference.
 * `output` is the output index of the matched node. Quantisers add nodes into the norm's scope
 * (dynamic int8 puts `/model/norm/Mul_1_output_0_QuantizeLinear` after the norm), so quantisation
 * ops never count as the norm's last node.
 */
export const QUANTIZATION_OPS: ReadonlySet<string> = new Set(['DynamicQuantizeLinear', 'QuantizeLinear', 'DequantizeLinear']);

export interface HiddenStateConvention {
  id: string;
  /** Matches candidate node names; the last match in graph order wins. */
  pattern: RegExp;
  output: number;
}

export const HIDDEN_STATE_CONVENTIONS: readonly HiddenStateConvention[] = [
  // torch.onnx / optimum: the RMSNorm module's ops are scoped /model/norm/...; its last op is the output.
  { id: 'model-norm', pattern: /^\/model\/norm\//, output: 0 },
  // onnxruntime-genai builder: the final SkipSimplifiedLayerNorm after the last layer.
  { id: 'genai-final-norm', pattern: /^\/model\/layers\.\d+\/final_norm_layernorm\//, output: 0 },
];

/**
 * onnxruntime's fused attention (com.microsoft), as the onnxruntime-genai builder emits it. It
 * derives each row's length from the attention mask as if the prompt were unpadded (ORT rejects a
 * padded prompt: "seqlens_k[0] = 21 is too small for sequence_length 33"), so such graphs run one
 * text per batch; its `local_window_size` (sliding-window layers) demands a KV buffer at least that
 * long ("KV cache capacity (0) must be at least local_window_size"), which the prompt fills from 0.
 */
export const GROUP_QUERY_ATTENTION = { opType: 'GroupQueryAttention', windowAttribute: 'local_window_size' } as const;
