import { fileURLToPath } from 'node:url';

/**
 * The exporter-written fixtures in tests/fixtures/ (built by models/build/fixtures/build.py) and
 * what the engine must find in each: shared by the Node test and the Chromium e2e.
 */

/** What one fixture must load as. */
export interface FixtureExpectation {
  /** Folder under tests/fixtures/. */
  name: string;
  /** HF class it was built from and the exporter that wrote its graph (for reports). */
  source: string;
  /** Row of models/conventions.ts that must tap it. */
  convention: string;
  /** Whether config.json declares always-on shared experts (kept out of RW). */
  sharedExpert: boolean;
}

export const FIXTURES: readonly FixtureExpectation[] = [
  { name: 'olmoe', source: 'OlmoeForCausalLM, torch.onnx', convention: 'mlp-gate', sharedExpert: false },
  { name: 'qwen3-moe', source: 'Qwen3MoeForCausalLM (layer 1 dense), torch.onnx', convention: 'mlp-gate', sharedExpert: false },
  { name: 'mixtral', source: 'MixtralForCausalLM, torch.onnx, external data', convention: 'mlp-gate', sharedExpert: false },
  { name: 'granitemoe', source: 'GraniteMoeForCausalLM, torch.onnx', convention: 'granite-router', sharedExpert: false },
  { name: 'deepseek-v3', source: 'DeepseekV3ForCausalLM (layer 0 dense, 1 shared expert), torch.onnx', convention: 'mlp-gate', sharedExpert: true },
  { name: 'gpt-oss-genai', source: 'GptOssForCausalLM, onnxruntime-genai builder (fused MoE)', convention: 'ort-genai-moe', sharedExpert: false },
  // The fused MoE's router_probs are masked scores here; the tap must read the router logits.
  { name: 'lfm2-moe-genai', source: 'Lfm2MoeForCausalLM (layer 0 dense, conv layers), onnxruntime-genai builder (fused MoE)', convention: 'ort-genai-moe', sharedExpert: false },
  // Trinity-Nano's architecture: the router is a module around its gate Linear.
  { name: 'afmoe', source: 'AfmoeForCausalLM (layer 0 dense, 1 shared expert, sigmoid routing + expert bias), torch.onnx', convention: 'afmoe-router', sharedExpert: true },
  // Ling-3.0's MoE: the router's weight is a bare parameter applied with F.linear in the gate module.
  { name: 'bailing-hybrid', source: 'BailingHybridForCausalLM (layer 0 dense, 1 shared expert, grouped sigmoid routing, MLA layers), torch.onnx', convention: 'mlp-gate', sharedExpert: true },
  { name: 'qwen2-moe-dtypes', source: 'Qwen2MoeForCausalLM (1 shared expert), torch.onnx; fp32, q8, q4, q4f16 each in 2 external-data chunks', convention: 'mlp-gate', sharedExpert: true },
];

/**
 * The model id that Transformers.js resolves under FIXTURE_MODELS_DIR (Node) or /models/ (browser,
 * where vite.config.ts serves tests/fixtures/ as /models/fixtures/).
 */
export function fixtureId(name: string): string {
  return `fixtures/${name}`;
}

/** The local model path under which `fixtureId(name)` is tests/fixtures/<name>. */
export const FIXTURE_MODELS_DIR = fileURLToPath(new URL('./', import.meta.url));
