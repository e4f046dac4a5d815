/**
 * Every dtype of the dtype fixture (tests/fixtures/qwen2-moe-dtypes, models/build/fixtures/build_dtypes.py:
 * fp32, q8, q4, q4f16, each with its weights in two external-data chunks) through the Hub path in
 * Node: the local stand-in Hub serves it, the download plan lists the dtype's own .onnx and both
 * data chunks by the names of models/dtypes.ts, and the engine's HS and router logits stay within
 * the dtype's tolerance of the same checkpoint's fp32 run.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHubStandIn, type HubStandIn } from '../e2e/hub-server.ts';
import { DTYPES, externalDataNames, onnxFileFor, type ModelDtype } from '../models/dtypes.ts';
import { createEngineHandler, type EngineHandler } from './handler.ts';
import { createNodeBridge, loadNodeTransformers } from './ort-node.ts';
import { DEFAULT_EMBED_OPTIONS, type EmbedResult, type EngineEvent, type EngineRequest } from './protocol.ts';

const MODEL = 'test/dtypes-qwen2-moe';
const TEXTS = ['The meeting starts at 5.30 p.m.', 'They narrowly avoided a catastrophe.', 'A dog is running across the green field', 'Rain'];

/**
 * Per dtype: least cosine of each text's HS with fp32's, and largest |router logit − fp32's| over
 * the logits' spread (4-bit weights in a 32-wide random model move logits far more than 8-bit ones).
 */
const TOLERANCE: Record<'q8' | 'q4' | 'q4f16', { hsCosine: number; routerRelative: number }> = {
  q8: { hsCosine: 0.9995, routerRelative: 0.02 },
  q4: { hsCosine: 0.92, routerRelative: 0.25 },
  q4f16: { hsCosine: 0.92, routerRelative: 0.25 },
};

let hub: HubStandIn;
let handler: EngineHandler;
const events: EngineEvent[] = [];
let counter = 0;

async function request(req: EngineRequest): Promise<EngineEvent[]> {
  const start = events.length;
  await handler.handle(req);
  return events.slice(start).filter((e) => e.requestId === req.requestId);
}

beforeAll(async () => {
  hub = await startHubStandIn();
  handler = createEngineHandler({
    bridge: createNodeBridge(),
    loadTransformers: () => loadNodeTransformers({ allowRemoteModels: true, cacheDir: mkdtempSync(join(tmpdir(), 'moee-dtypes-')) }),
    post: (event) => events.push(event),
  });
});
afterAll(() => hub.close());

async function embedAt(dtype: ModelDtype): Promise<EmbedResult> {
  const loaded = await request({ kind: 'load', requestId: `load-${++counter}`, modelId: MODEL, dtype, ep: 'wasm', hub: { remoteHost: hub.url } });
  const ok = loaded.find((e) => e.kind === 'loaded');
  if (ok?.kind !== 'loaded') throw new Error(`${dtype}: ${JSON.stringify(loaded.find((e) => e.kind === 'error'))}`);
  expect(ok.model.dtype).toBe(dtype);
  const embedded = await request({ kind: 'embed', requestId: `embed-${++counter}`, texts: TEXTS, options: { ...DEFAULT_EMBED_OPTIONS, template: { id: 'none' } } });
  const done = embedded.find((e) => e.kind === 'embedded');
  if (done?.kind !== 'embedded') throw new Error(`${dtype}: ${JSON.stringify(embedded.find((e) => e.kind === 'error'))}`);
  return done.result;
}

function cosine(a: Float32Array, b: Float32Array): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return ab / Math.sqrt(aa * bb);
}

let fp32: EmbedResult;

describe('Hub weights in every dtype, chunked external data', () => {
  it('fp32 loads through the Hub path, fetching the .onnx and both data chunks by their table names', async () => {
    const from = hub.log.length;
    fp32 = await embedAt('fp32');
    const fetched = hub.log.slice(from).filter((r) => r.method === 'GET' && !r.range).map((r) => r.path.replace(/^.*\/resolve\/[^/]+\//, ''));
    expect(fetched).toEqual(expect.arrayContaining([onnxFileFor('fp32'), ...externalDataNames('fp32', 2).map((n) => `onnx/${n}`)]));
    expect(fp32.hs.dims).toEqual([TEXTS.length, 32]);
  });

  for (const dtype of ['q8', 'q4', 'q4f16'] as const) {
    it(`${dtype} (${DTYPES[dtype].stem}.onnx + 2 chunks): the plan names its files, outputs within tolerance of fp32`, async () => {
      const inspected = await request({ kind: 'inspect', requestId: `inspect-${++counter}`, modelId: MODEL, dtype, hub: { remoteHost: hub.url } });
      const plan = inspected.find((e) => e.kind === 'inspected');
      if (plan?.kind !== 'inspected') throw new Error(JSON.stringify(inspected));
      const weights = plan.plan.files.map((f) => f.path).filter((p) => p.startsWith('onnx/'));
      expect(weights.sort()).toEqual([onnxFileFor(dtype), ...externalDataNames(dtype, 2).map((n) => `onnx/${n}`)].sort());
      expect(plan.plan.weightBytes).toBeGreaterThan(0);

      const result = await embedAt(dtype);
      expect(result.hs.dims).toEqual(fp32.hs.dims);
      expect(result.rwLogits.dims).toEqual(fp32.rwLogits.dims);
      const d = result.hs.dims[1];
      const cosines = TEXTS.map((_, i) => cosine(result.hs.data.subarray(i * d, (i + 1) * d), fp32.hs.data.subarray(i * d, (i + 1) * d)));
      let spread = 0;
      let worst = 0;
      for (let i = 0; i < fp32.rwLogits.data.length; i++) {
        spread = Math.max(spread, Math.abs(fp32.rwLogits.data[i]));
        worst = Math.max(worst, Math.abs(result.rwLogits.data[i] - fp32.rwLogits.data[i]));
      }
      console.log(`[dtype ${dtype}] least HS cosine ${Math.min(...cosines).toFixed(5)}, router logit error ${(worst / spread).toFixed(4)} of the largest |logit|`);
      expect(Math.min(...cosines)).toBeGreaterThan(TOLERANCE[dtype].hsCosine);
      expect(worst / spread).toBeLessThan(TOLERANCE[dtype].routerRelative);
      // Not a copy of the fp32 run: the weights really differ.
      expect(worst).toBeGreaterThan(0);
    });
  }
});
