/**
 * What the engine needs to know from a model's config.json, read the way each architecture's
 * HF implementation reads it: which layers are MoE, how many routed experts, top-k.
 */
import { DTYPES, externalDataNames, type ModelDtype } from './dtypes.ts';

/** The fields of config.json the engine reads (all optional: architectures differ). */
export interface RawModelConfig {
  model_type?: string;
  architectures?: string[];
  num_hidden_layers?: number;
  hidden_size?: number;
  vocab_size?: number;
  /** qwen2_moe, qwen3_moe, olmoe */
  num_experts?: number;
  /** mixtral, granitemoe */
  num_local_experts?: number;
  /** deepseek */
  n_routed_experts?: number;
  num_experts_per_tok?: number;
  /** bailing_hybrid (Ling) spells top-k this way in config.json. */
  num_experts_per_token?: number;
  /** bailing_hybrid: "dense" or "sparse" per layer, written out by its config. */
  mlp_layer_types?: string[];
  /** qwen2_moe / qwen3_moe: every `decoder_sparse_step`-th layer is MoE. */
  decoder_sparse_step?: number;
  /** qwen2_moe / qwen3_moe: layers forced dense. */
  mlp_only_layers?: number[];
  /** deepseek: the first k layers are dense. */
  first_k_dense_replace?: number;
  /** deepseek: every `moe_layer_freq`-th layer after the dense ones is MoE. */
  moe_layer_freq?: number;
  /** lfm2_moe: the first k layers are dense (LFM2-8B-A1B: 2). */
  num_dense_layers?: number;
  /** lfm2 / lfm2_moe: short-convolution kernel length; its state holds `conv_L_cache - 1` steps. */
  conv_L_cache?: number;
  shared_expert_intermediate_size?: number;
  n_shared_experts?: number | null;
  /** afmoe, bailing_hybrid */
  num_shared_experts?: number | null;
  eos_token_id?: number | number[];
  pad_token_id?: number;
  max_position_embeddings?: number;
  /** Transformers.js' loading hints; onnx-community exports set `use_external_data_format`. */
  'transformers.js_config'?: { use_external_data_format?: boolean | number | Record<string, boolean | number> };
  [key: string]: unknown;
}

/** The MoE facts of a model, normalised across architectures. */
export interface MoEFacts {
  modelType: string;
  numHiddenLayers: number;
  hiddenSize: number;
  /** Indices of the layers that have a router, ascending. Dense layers are absent. */
  moeLayers: number[];
  numExperts: number;
  topK: number;
  /** Whether the layers have an always-on shared expert (excluded from RW). */
  hasSharedExpert: boolean;
}

/** MoE facts from config.json, or null when the config names no routed experts. */
export function moeFacts(config: RawModelConfig): MoEFacts | null {
  const numExperts = config.num_experts ?? config.num_local_experts ?? config.n_routed_experts ?? 0;
  const layers = config.num_hidden_layers ?? 0;
  if (!numExperts || !layers) return null;
  const moeLayers: number[] = [];
  for (let i = 0; i < layers; i++) {
    if (isMoELayer(config, i)) moeLayers.push(i);
  }
  return {
    modelType: config.model_type ?? 'unknown',
    numHiddenLayers: layers,
    hiddenSize: config.hidden_size ?? 0,
    moeLayers,
    numExperts,
    topK: config.num_experts_per_tok ?? config.num_experts_per_token ?? 0,
    hasSharedExpert: Boolean(config.shared_expert_intermediate_size) || Boolean(config.n_shared_experts) || Boolean(config.num_shared_experts),
  };
}

function isMoELayer(config: RawModelConfig, layer: number): boolean {
  if (config.mlp_layer_types) return config.mlp_layer_types[layer] === 'sparse';
  if (config.first_k_dense_replace !== undefined) {
    const freq = config.moe_layer_freq ?? 1;
    return layer >= config.first_k_dense_replace && layer % freq === 0;
  }
  if (config.num_dense_layers !== undefined && layer < config.num_dense_layers) return false;
  if (config.mlp_only_layers?.includes(layer)) return false;
  const step = config.decoder_sparse_step ?? 1;
  return (layer + 1) % step === 0;
}

/** One external-data file for ORT's `externalData` session option. */
export interface ExternalDataFile {
  /** The location the graph's initializers name (relative to the .onnx file). */
  path: string;
  /** The file inside the model folder, fetched by Transformers.js' loader (Hub, cache or local). */
  data: string;
}

/**
 * The external-data files of a dtype's .onnx that config.json declares, named by the dtype table
 * (models/dtypes.ts): `<stem>.onnx_data`, then `<stem>.onnx_data_1`, ... for more chunks.
 * Given to the session explicitly because the tap hands ORT the graph as bytes, with no folder to
 * resolve a location against.
 */
export function externalDataFiles(config: RawModelConfig, dtype: ModelDtype): ExternalDataFile[] {
  const declared = config['transformers.js_config']?.use_external_data_format;
  const stem = DTYPES[dtype].stem;
  const setting = typeof declared === 'object' && declared !== null ? (declared[`${stem}.onnx`] ?? declared[stem]) : declared;
  const chunks = Number(setting ?? 0); // true → 1, false → 0, as Transformers.js counts them
  return externalDataNames(dtype, chunks).map((path) => ({ path, data: `onnx/${path}` }));
}
