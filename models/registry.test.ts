/**
 * The registry's checked figures against the files themselves, and the device check's verdicts.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { moeFacts, type RawModelConfig } from './moe-config.ts';
import { checkRequirements, defaultDtypeOf, EMBEDDED_MODELS, LOCALLY_BUILT_FILES, MODEL_REGISTRY, onnxFileFor, registryNeeds, WASM32_MEMORY_LIMIT_BYTES, type DeviceFacts, type DownloadNeeds, type RegistryDtype } from './registry.ts';
import { decodeModel } from './tap.ts';

const { onnx } = onnxProto;
const ELEMENT_BYTES: Partial<Record<number, number>> = {
  [onnx.TensorProto.DataType.FLOAT]: 4,
  [onnx.TensorProto.DataType.FLOAT16]: 2,
  [onnx.TensorProto.DataType.INT8]: 1,
  [onnx.TensorProto.DataType.UINT8]: 1,
  [onnx.TensorProto.DataType.INT64]: 8,
  [onnx.TensorProto.DataType.INT32]: 4,
};

/** Bytes of the largest initializer, from its dims and element type (not its encoding). */
function largestInitializerBytes(path: string): number {
  const model = decodeModel(readFileSync(path));
  let largest = 0;
  for (const t of model.graph?.initializer ?? []) {
    const count = (t.dims ?? []).reduce((p: number, d) => p * Number(d), 1);
    const bytes = count * (ELEMENT_BYTES[t.dataType ?? 0] ?? 0);
    largest = Math.max(largest, bytes);
  }
  return largest;
}

for (const entry of EMBEDDED_MODELS) describe(`registry: the embedded model ${entry.id}`, () => {
  const dir = new URL(`./${entry.id}/`, import.meta.url);
  const config = JSON.parse(readFileSync(new URL('config.json', dir), 'utf8')) as RawModelConfig;

  it('lists every file with its real size, per dtype', () => {
    for (const [dtype, req] of Object.entries(entry.dtypes)) {
      expect(req!.files.map((f) => f.path)).toContain(onnxFileFor(dtype as RegistryDtype));
      for (const file of req!.files) expect({ file: file.path, bytes: file.bytes }).toEqual({ file: file.path, bytes: statSync(new URL(file.path, dir)).size });
    }
  });

  it('states the largest single tensor as read from each graph', () => {
    for (const [dtype, req] of Object.entries(entry.dtypes)) {
      expect(req!.largestBufferBytes).toBe(largestInitializerBytes(new URL(onnxFileFor(dtype as RegistryDtype), dir).pathname));
    }
  });

  it('states the architecture as config.json does', () => {
    const facts = moeFacts(config)!;
    expect(entry.modelType).toBe(config.model_type);
    expect(entry.architecture).toBe(config.architectures?.[0]);
    expect(entry.numHiddenLayers).toBe(facts.numHiddenLayers);
    expect(entry.numMoeLayers).toBe(facts.moeLayers.length);
    expect(entry.numExperts).toBe(facts.numExperts);
    expect(entry.topK).toBe(facts.topK);
    expect(entry.hiddenSize).toBe(facts.hiddenSize);
    expect((entry.sharedExperts ?? 0) > 0).toBe(facts.hasSharedExpert);
  });

  it('says what it is and where its weights come from, and loads a dtype it has by default', () => {
    expect(entry.about?.length ?? 0).toBeGreaterThan(40);
    expect(Object.keys(entry.dtypes)).toContain(defaultDtypeOf(entry));
  });
});

describe('registry: Hub entries say where each figure came from', () => {
  for (const entry of MODEL_REGISTRY.filter((e) => !e.embedded)) {
    it(entry.id, () => {
      expect(entry.id).toMatch(/^[\w.-]+\/[\w.-]+$/);
      expect(entry.sources.length).toBeGreaterThan(0);
      for (const source of entry.sources) expect(source).toMatch(/https:\/\//);
      const unknownSizes = Object.values(entry.dtypes).some((d) => d!.files.some((f) => f.bytes === null));
      // An unknown size must be admitted in a caveat, never left silent.
      if (unknownSizes) expect(entry.caveats.join(' ')).toMatch(/size/i);
      for (const [dtype, req] of Object.entries(entry.dtypes)) {
        expect(req!.files.map((f) => f.path)).toContain(onnxFileFor(dtype as RegistryDtype));
        expect(req!.webgpuFeatures.includes('shader-f16')).toBe(dtype === 'q4f16' || dtype === 'fp16');
      }
    });
  }
});

describe('checkRequirements', () => {
  const GIB = 1024 ** 3;
  const gpu: DeviceFacts = {
    webgpuAdapter: true,
    webgpuFeatures: ['shader-f16'],
    webgpuLimits: { maxBufferSize: 2 * GIB, maxStorageBufferBindingSize: 1 * GIB },
    storage: { quota: 10 * GIB, usage: 1 * GIB },
  };
  const needs = (patch: Partial<DownloadNeeds>): DownloadNeeds => ({
    dtype: 'q4',
    weightBytes: 1 * GIB,
    downloadBytes: 1 * GIB,
    webgpuFeatures: [],
    largestBufferBytes: 100e6,
    ...patch,
  });
  const names = (r: ReturnType<typeof checkRequirements>) => r.refusals.map((v) => v.requirement);

  it('passes what fits', () => {
    expect(checkRequirements(needs({}), gpu, 'webgpu')).toEqual({ refusals: [], unchecked: [] });
    expect(names(checkRequirements(needs({}), gpu, 'wasm'))).toEqual([]);
  });

  it('refuses f16 weights on an adapter without shader-f16, only on WebGPU', () => {
    const noF16 = { ...gpu, webgpuFeatures: [] };
    expect(names(checkRequirements(needs({ dtype: 'q4f16', webgpuFeatures: ['shader-f16'] }), noF16, 'webgpu'))).toEqual(['shader-f16']);
    expect(names(checkRequirements(needs({ dtype: 'q4f16', webgpuFeatures: ['shader-f16'] }), gpu, 'webgpu'))).toEqual([]);
  });

  it('refuses a tensor larger than the adapter buffer limits', () => {
    expect(names(checkRequirements(needs({ largestBufferBytes: 1.5 * GIB }), gpu, 'webgpu'))).toEqual(['max-storage-binding']);
    expect(names(checkRequirements(needs({ largestBufferBytes: 3 * GIB }), gpu, 'webgpu'))).toEqual(['max-buffer-size', 'max-storage-binding']);
  });

  it('refuses weights beyond the 4 GiB WASM memory, and downloads beyond the storage quota', () => {
    expect(names(checkRequirements(needs({ weightBytes: WASM32_MEMORY_LIMIT_BYTES + 1 }), gpu, 'wasm'))).toEqual(['wasm-memory']);
    expect(names(checkRequirements(needs({ downloadBytes: 9.5 * GIB }), gpu, 'wasm'))).toEqual(['storage-quota']);
  });

  it('says what it could not check instead of passing it silently', () => {
    const report = checkRequirements(needs({ weightBytes: null, downloadBytes: null, largestBufferBytes: null }), gpu, 'webgpu');
    expect(report.refusals).toEqual([]);
    expect(report.unchecked).toHaveLength(2);
    expect(checkRequirements(needs({ weightBytes: null }), gpu, 'wasm').unchecked).toHaveLength(1);
  });

  it('reads needs from a registry entry, unknown sizes staying unknown', () => {
    const demo = registryNeeds(MODEL_REGISTRY.find((e) => e.id === 'moee-demo')!, 'q8')!;
    expect(demo.weightBytes).toBe(statSync(new URL('./moee-demo/onnx/model_quantized.onnx', import.meta.url)).size);
    const lfm = registryNeeds(MODEL_REGISTRY.find((e) => e.id === 'onnx-community/LFM2-8B-A1B-ONNX')!, 'q4f16')!;
    expect(lfm.weightBytes).toBeNull();
    expect(lfm.webgpuFeatures).toEqual(['shader-f16']);
  });
});

describe('the models/ budget', () => {
  // Issue 12: at most 170 MB for everything committed under models/. The build's work/ is ignored by git, and so
  // are the files models/build rebuilds locally (LOCALLY_BUILT_FILES, listed in .gitignore).
  it('holds every committed model file within 170 MB, the 4-bit default within 100 MB', () => {
    const root = new URL('./', import.meta.url);
    let total = 0;
    for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
      const path = `${entry.parentPath}/${entry.name}`;
      if (!entry.isFile() || path.includes('/build/work/') || path.includes('__pycache__')) continue;
      if (LOCALLY_BUILT_FILES.some((file) => path.endsWith(`/${file}`))) continue;
      total += statSync(path).size;
    }
    expect(total).toBeLessThanOrEqual(170_000_000);
    expect(statSync(new URL('moee-smollm2/onnx/model_q4.onnx', root)).size).toBeLessThanOrEqual(100_000_000);
  });
});
