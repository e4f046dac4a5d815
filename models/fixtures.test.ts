/**
 * The engine's tap on graphs that real exporters wrote (tests/fixtures/, built by
 * models/build/fixtures/build.py from HF transformers' own classes): through the real handler in
 * Node (onnxruntime-web WASM), each fixture's last-token router logits per MoE layer and final-norm
 * HS match the HF implementation's goldens within 1e-4, dense layers and shared experts stay out of
 * RW, and a dense model is refused with NotMoEModelError naming its type.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-web';
import { compareWithGolden, type GoldenReport } from './golden-check.ts';
import { readGoldens, type GoldenCase, type GoldenManifest } from './goldens.ts';
import { readFloat32, type TensorEntry } from './tensor-file.ts';
import { FIXTURE_MODELS_DIR, FIXTURES, fixtureId, type FixtureExpectation } from '../tests/real-fixtures.ts';
import { moeFacts, type RawModelConfig } from './moe-config.ts';
import { tapModel } from './tap.ts';
import { NotMoEModelError } from './errors.ts';
import { createNodeEngine, type NodeEngine } from '../workers/node-engine.ts';
import { DEFAULT_EMBED_OPTIONS, type EngineEvent } from '../workers/protocol.ts';

/** fp32 on WASM against fp32 PyTorch: the bar the demo model meets. */
const FP32_BOUND = 1e-4;

/** models/build/fixtures/fixture_goldens.py adds the model type and the HF model's MoE layers. */
type FixtureManifest = GoldenManifest & { model: { model_type: string; moe_layers: number[] } };

function readFixtureGoldens(name: string): { manifest: FixtureManifest; cases: GoldenCase[] } {
  const dir = `${FIXTURE_MODELS_DIR}fixtures/${name}/goldens/`;
  const manifest = JSON.parse(readFileSync(`${dir}goldens.json`, 'utf8')) as FixtureManifest;
  return { manifest, cases: readGoldens(manifest, new Uint8Array(readFileSync(`${dir}goldens.bin`))) };
}

function readConfig(name: string): RawModelConfig {
  return JSON.parse(readFileSync(`${FIXTURE_MODELS_DIR}fixtures/${name}/config.json`, 'utf8')) as RawModelConfig;
}

let engine: NodeEngine;
let counter = 0;
beforeAll(async () => {
  engine = await createNodeEngine('', 'fp32', FIXTURE_MODELS_DIR);
});

async function load(name: string): Promise<EngineEvent[]> {
  return engine.request({ kind: 'load', id: `fixture-${++counter}`, modelId: fixtureId(name), dtype: 'fp32', ep: 'wasm' });
}

const worst: Record<string, { router: number; hs: number }> = {};
afterAll(() => {
  console.log(`[fixtures node-wasm fp32] ${JSON.stringify(worst)}`);
});

describe.each(FIXTURES.map((f) => [f.name, f] as const))('fixture %s vs HF goldens', (name, expected: FixtureExpectation) => {
  const { manifest, cases } = readFixtureGoldens(name);

  it('loads through its convention, with the MoE layers of config.json and of the HF model', async () => {
    const events = await load(name);
    const loaded = events.find((e) => e.kind === 'loaded');
    if (!loaded || loaded.kind !== 'loaded') throw new Error(`load failed: ${JSON.stringify(events.find((e) => e.kind === 'failed'))}`);
    expect(loaded.model.convention).toBe(expected.convention);
    expect(loaded.model.modelType).toBe(manifest.model.model_type);
    // Dense layers have no router: the HF model's router modules are exactly the tapped layers.
    expect(loaded.model.moeLayers).toEqual(manifest.model.moe_layers);
    expect(engine.handler.current()?.tap.routers.map((r) => r.layer)).toEqual(manifest.model.moe_layers);
    expect(loaded.model.numExperts).toBe(manifest.model.num_experts);
    // config.json spells top-k differently per architecture (bailing_hybrid: num_experts_per_token).
    expect(loaded.model.topK).toBe(manifest.model.num_experts_per_tok);
    expect(loaded.model.hasSharedExpert).toBe(expected.sharedExpert);
  });

  const reports: GoldenReport[] = [];
  it.each(cases.map((c) => [`${c.template}/${c.padding}`, c] as const))('%s', async (_, golden) => {
    const result = await engine.embed(manifest.texts, {
      ...DEFAULT_EMBED_OPTIONS,
      template: { id: golden.template },
      padding: golden.padding,
      tokenRouting: true,
      batchSize: 4, // not the goldens' batch: the numbers must not depend on it
    });
    // RW holds routed experts of MoE layers only: no dense layer, no shared expert.
    expect(result.rwLogits.dims).toEqual([manifest.texts.length, manifest.model.moe_layers.length, manifest.model.num_experts]);
    const report = compareWithGolden(golden, result, manifest.model.num_experts_per_tok);
    reports.push(report);
    worst[name] = {
      router: Math.max(worst[name]?.router ?? 0, report.maxAbsRouterLogitError),
      hs: Math.max(worst[name]?.hs ?? 0, report.maxAbsHiddenStateError),
    };
    expect(report.promptsEqual).toBe(true);
    expect(report.maxAbsRouterLogitError).toBeLessThan(FP32_BOUND);
    expect(report.maxAbsHiddenStateError).toBeLessThan(FP32_BOUND);
    expect(report.topkSetAgreement).toBe(1);
    expect(report.top1NextAgreement).toBe(1);
  });
});

describe('a dense model', () => {
  it('is refused with NotMoEModelError naming its model type', async () => {
    const events = await load('qwen2-dense');
    const error = events.find((e) => e.kind === 'failed');
    expect(error?.kind === 'failed' && error.error.name).toBe('NotMoEModelError');
    expect(error?.kind === 'failed' && error.error.message).toContain('qwen2');
  });

  it('has no router in its graph, whatever its config claims', () => {
    const bytes = new Uint8Array(readFileSync(`${FIXTURE_MODELS_DIR}fixtures/qwen2-dense/onnx/model.onnx`));
    // A config that claims experts must not make a dense graph pass: the graph decides.
    const claimed = moeFacts({ ...readConfig('qwen2-dense'), num_experts: 8 });
    expect(() => tapModel(bytes, claimed)).toThrowError(NotMoEModelError);
    expect(() => tapModel(bytes, claimed)).toThrowError(/qwen2/);
  });
});

describe('fused MoE (onnxruntime-genai)', () => {
  it('taps the router logits, not the masked scores that LFM2-MoE feeds the fused op', () => {
    const bytes = new Uint8Array(readFileSync(`${FIXTURE_MODELS_DIR}fixtures/lfm2-moe-genai/onnx/model.onnx`));
    const graph = onnxProto.onnx.ModelProto.decode(bytes).graph!;
    const fusedInputs = graph.node!.filter((n) => n.opType === 'MoE').map((n) => n.input![1]);
    expect(fusedInputs.every((name) => name.includes('/moe/router/ScatterElements'))).toBe(true);
    const tap = tapModel(bytes, moeFacts(readConfig('lfm2-moe-genai')));
    expect(tap.routers.map((r) => r.output)).toEqual([1, 2].map((i) => `/model/layers.${i}/moe/router/Reshape/output_0`));
    expect(tap.attention).toEqual({ groupQuery: true, slidingWindow: 0 });
  });
});

describe('config.json is checked against the graph', () => {
  it('rejects an expert count that the router weights contradict', () => {
    const bytes = new Uint8Array(readFileSync(`${FIXTURE_MODELS_DIR}fixtures/olmoe/onnx/model.onnx`));
    const facts = moeFacts({ ...readConfig('olmoe'), num_experts: 16 });
    expect(() => tapModel(bytes, facts)).toThrowError(/16 experts/);
  });

  it('rejects MoE layers that the graph does not have (a dense layer claimed sparse)', () => {
    const bytes = new Uint8Array(readFileSync(`${FIXTURE_MODELS_DIR}fixtures/qwen3-moe/onnx/model.onnx`));
    const facts = moeFacts({ ...readConfig('qwen3-moe'), mlp_only_layers: [] });
    expect(() => tapModel(bytes, facts)).toThrowError(/MoE layers \[0,1,2\]/);
  });
});

/** The tensors of one golden case as ORT (Python) computed them on model_q4.onnx. */
interface OrtReferenceCase {
  template: string;
  padding: string;
  router_logits_last: TensorEntry;
  hidden_state_last: TensorEntry;
}

describe('q4 (MatMulNBits) export of qwen3-moe', () => {
  const name = 'qwen3-moe';
  const { manifest, cases } = readFixtureGoldens(name);
  const dir = `${FIXTURE_MODELS_DIR}fixtures/${name}/`;
  const reference = JSON.parse(readFileSync(`${dir}goldens/q4_ort.json`, 'utf8')) as { cases: OrtReferenceCase[] };
  const referenceBlob = new Uint8Array(readFileSync(`${dir}goldens/q4_ort.bin`));
  const bytes = new Uint8Array(readFileSync(`${dir}onnx/model_q4.onnx`));
  const tap = tapModel(bytes, moeFacts(readConfig(name)));
  let session: ort.InferenceSession;
  beforeAll(async () => {
    session = await ort.InferenceSession.create(tap.bytes);
  });
  afterAll(async () => {
    await session.release();
  });

  it('is quantised with MatMulNBits and tapped at the fp32 routers', () => {
    const graph = onnxProto.onnx.ModelProto.decode(bytes).graph;
    expect(graph?.node?.filter((n) => n.opType === 'MatMulNBits').length).toBeGreaterThan(0);
    expect(tap.convention).toBe('mlp-gate');
    expect(tap.routers.map((r) => r.layer)).toEqual(manifest.model.moe_layers);
  });

  it.each(cases.map((c) => [`${c.template}/${c.padding}`, c] as const))('%s: equals onnxruntime on the same file', async (_, golden) => {
    const [batch, seq] = [manifest.texts.length, golden.seq];
    const positions = new BigInt64Array(batch * seq).fill(1n);
    for (let b = 0; b < batch; b++) {
      let p = 0;
      for (let s = 0; s < seq; s++) if (golden.attentionMask[b * seq + s]) positions[b * seq + s] = BigInt(p++);
    }
    const out = await session.run(
      {
        input_ids: new ort.Tensor('int64', BigInt64Array.from(golden.inputIds, BigInt), [batch, seq]),
        attention_mask: new ort.Tensor('int64', BigInt64Array.from(golden.attentionMask, BigInt), [batch, seq]),
        position_ids: new ort.Tensor('int64', positions, [batch, seq]),
      },
      [...tap.routers.map((r) => r.output), tap.hiddenState],
    );
    const ref = reference.cases.find((c) => c.template === golden.template && c.padding === golden.padding)!;
    const refRouters = readFloat32(referenceBlob, ref.router_logits_last);
    const refHidden = readFloat32(referenceBlob, ref.hidden_state_last);
    const { num_experts: experts, hidden_size: hidden } = manifest.model;
    const layers = tap.routers.length;
    let maxRouter = 0;
    let maxHs = 0;
    let minCosToHf = 1;
    for (let b = 0; b < batch; b++) {
      let length = 0;
      for (let s = 0; s < seq; s++) length += golden.attentionMask[b * seq + s];
      const last = golden.padding === 'left' ? seq - 1 : length - 1;
      tap.routers.forEach((r, l) => {
        const data = out[r.output].data as Float32Array;
        for (let e = 0; e < experts; e++) {
          maxRouter = Math.max(maxRouter, Math.abs(data[(b * seq + last) * experts + e] - refRouters[(b * layers + l) * experts + e]));
        }
      });
      const hs = (out[tap.hiddenState].data as Float32Array).subarray((b * seq + last) * hidden, (b * seq + last + 1) * hidden);
      const hf = golden.hiddenStateLast.subarray(b * hidden, (b + 1) * hidden);
      let [dot, a2, b2] = [0, 0, 0];
      for (let d = 0; d < hidden; d++) {
        maxHs = Math.max(maxHs, Math.abs(hs[d] - refHidden[b * hidden + d]));
        dot += hs[d] * hf[d];
        a2 += hs[d] * hs[d];
        b2 += hf[d] * hf[d];
      }
      minCosToHf = Math.min(minCosToHf, dot / Math.sqrt(a2 * b2));
    }
    console.log(`[fixtures node-wasm q4] ${golden.template}/${golden.padding} vs ORT: router ${maxRouter} hs ${maxHs}; HS cosine to HF fp32 ${minCosToHf}`);
    expect(maxRouter).toBeLessThan(FP32_BOUND);
    expect(maxHs).toBeLessThan(FP32_BOUND);
    // 4-bit weights in a 32-wide random model: far from fp32, but the same embedding direction.
    expect(minCosToHf).toBeGreaterThan(0.8);
  });
});
