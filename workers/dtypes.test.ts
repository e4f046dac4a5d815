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
import { distanceFromFp32, DTYPE_FIXTURE_ID, DTYPE_FIXTURE_TEXTS, DTYPE_TOLERANCE } from '../tests/dtype-fixture.ts';
import { startHubStandIn, type HubStandIn } from '../e2e/hub-server.ts';
import { DTYPES, externalDataNames, onnxFileFor, type ModelDtype } from '../models/dtypes.ts';
import { nodeThreads } from './capabilities.ts';
import { createNodeEngine, type NodeEngine } from './node-engine.ts';
import { LOCAL_MODELS_DIR } from './ort-node.ts';
import { DEFAULT_EMBED_OPTIONS, type EmbedResult, type EngineEvent, type EngineRequest } from './protocol.ts';

const MODEL = DTYPE_FIXTURE_ID;
const TEXTS = DTYPE_FIXTURE_TEXTS;

let hub: HubStandIn;
let engine: NodeEngine;
let counter = 0;

const request = (req: EngineRequest): Promise<EngineEvent[]> => engine.request(req);

beforeAll(async () => {
  hub = await startHubStandIn();
  // No model yet: each test loads one dtype through the Hub stand-in.
  engine = await createNodeEngine('', 'fp32', LOCAL_MODELS_DIR, nodeThreads(), { allowRemoteModels: true, cacheDir: mkdtempSync(join(tmpdir(), 'moee-dtypes-')) });
});
afterAll(() => hub.close());

async function embedAt(dtype: ModelDtype): Promise<EmbedResult> {
  const loaded = await request({ kind: 'load', id: `load-${++counter}`, modelId: MODEL, dtype, ep: 'wasm', hub: { remoteHost: hub.url } });
  const ok = loaded.find((e) => e.kind === 'loaded');
  if (ok?.kind !== 'loaded') throw new Error(`${dtype}: ${JSON.stringify(loaded.find((e) => e.kind === 'failed'))}`);
  expect(ok.model.dtype).toBe(dtype);
  const embedded = await request({ kind: 'embed', id: `embed-${++counter}`, texts: TEXTS, options: { ...DEFAULT_EMBED_OPTIONS, template: { id: 'none' } } });
  const done = embedded.find((e) => e.kind === 'embedded');
  if (done?.kind !== 'embedded') throw new Error(`${dtype}: ${JSON.stringify(embedded.find((e) => e.kind === 'failed'))}`);
  return done.result;
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
      const inspected = await request({ kind: 'inspect', id: `inspect-${++counter}`, modelId: MODEL, dtype, hub: { remoteHost: hub.url } });
      const plan = inspected.find((e) => e.kind === 'inspected');
      if (plan?.kind !== 'inspected') throw new Error(JSON.stringify(inspected));
      const weights = plan.plan.files.map((f) => f.path).filter((p) => p.startsWith('onnx/'));
      expect(weights.sort()).toEqual([onnxFileFor(dtype), ...externalDataNames(dtype, 2).map((n) => `onnx/${n}`)].sort());
      expect(plan.plan.weightBytes).toBeGreaterThan(0);

      const result = await embedAt(dtype);
      expect(result.hs.dims).toEqual(fp32.hs.dims);
      expect(result.rwLogits.dims).toEqual(fp32.rwLogits.dims);
      const distance = distanceFromFp32(result.hs.data, result.rwLogits.data, fp32.hs.data, fp32.rwLogits.data, result.hs.dims[1]);
      console.log(`[dtype ${dtype} node] least HS cosine ${distance.hsCosine.toFixed(5)}, router logit error ${distance.routerRelative.toFixed(4)} of the largest |logit|`);
      expect(distance.hsCosine).toBeGreaterThan(DTYPE_TOLERANCE[dtype].hsCosine);
      expect(distance.routerRelative).toBeLessThan(DTYPE_TOLERANCE[dtype].routerRelative);
      // Not a copy of the fp32 run: the weights really differ.
      expect(distance.routerRelative).toBeGreaterThan(0);
    });
  }
});
