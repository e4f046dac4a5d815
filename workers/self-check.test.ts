/**
 * The device self-check's comparison on real engine runs (Node, WASM): two dtypes of the same model
 * agree within the thresholds, a run of other texts (what a broken kernel looks like from outside)
 * does not, and on WASM the engine says there is nothing to check against. The WebGPU path itself
 * runs in Chromium (e2e/playground.spec.ts).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { compareRuns, crossCheckFailures, SELF_CHECK_THRESHOLDS } from '../models/golden-check.ts';
import { createNodeEngine, type NodeEngine } from './node-engine.ts';
import { DEFAULT_EMBED_OPTIONS, type EmbedResult } from './protocol.ts';

const TEXTS = ['The meeting starts at half past five.', 'Photosynthesis turns light into chemical energy.'];
const OPTIONS = { ...DEFAULT_EMBED_OPTIONS, template: { id: 'none' as const }, tokenRouting: true, batchSize: 2 };

let fp32: NodeEngine;
let fp32Run: EmbedResult;
let q8Run: EmbedResult;

beforeAll(async () => {
  fp32 = await createNodeEngine('moee-demo', 'fp32');
  const q8 = await createNodeEngine('moee-demo', 'q8');
  fp32Run = await fp32.embed(TEXTS, OPTIONS);
  q8Run = await q8.embed(TEXTS, OPTIONS);
});

describe('device self-check comparison', () => {
  it('q8 against fp32 of the same model passes, with every figure stated', () => {
    const report = compareRuns(fp32Run, q8Run, fp32.info.topK);
    expect(report.texts).toBe(2);
    expect(report.tokensXLayers).toBe(fp32Run.tokenRouting!.reduce((s, r) => s + r.dims[0] * r.dims[1], 0));
    expect(report.minHiddenStateCosine).toBeGreaterThan(SELF_CHECK_THRESHOLDS.minHiddenStateCosine);
    expect(report.minHiddenStateCosine).toBeLessThan(1); // two dtypes: close, not equal
    expect(report.maxAbsRouterLogitError).toBeGreaterThan(0);
    expect(crossCheckFailures(report)).toEqual([]);
    expect(compareRuns(fp32Run, fp32Run, fp32.info.topK)).toMatchObject({ minHiddenStateCosine: 1, maxAbsRouterLogitError: 0, topkSetAgreement: 1 });
  });

  it('a run whose numbers belong to other texts fails, naming what fell short', () => {
    // The same shapes and prompts with the rows' numbers swapped: output that looks valid but is wrong.
    const swap = (t: { data: Float32Array; dims: number[] }) => {
      const width = t.data.length / 2;
      const data = new Float32Array(t.data.length);
      data.set(t.data.subarray(width), 0);
      data.set(t.data.subarray(0, width), width);
      return { data, dims: t.dims };
    };
    const wrong = { ...q8Run, hs: swap(q8Run.hs), rwLogits: swap(q8Run.rwLogits) };
    const report = compareRuns(fp32Run, wrong, fp32.info.topK);
    expect(report.minHiddenStateCosine).toBeLessThan(SELF_CHECK_THRESHOLDS.minHiddenStateCosine);
    const failures = crossCheckFailures(report);
    expect(failures[0]).toMatch(/^hidden-state cosine 0\.\d{4} \(needs ≥ 0\.99\)$/);
    expect(crossCheckFailures(report, { minHiddenStateCosine: -1, topkSetAgreement: 1.01 })).toEqual([expect.stringMatching(/^top-k expert sets equal on 100\.0% of \d+ token-layers/)]);
  });

  it('runs of different prompts are refused, not compared', () => {
    expect(() => compareRuns(fp32Run, { ...q8Run, prompts: ['x', 'y'] }, 2)).toThrow(/not of the same prompts/);
  });

  it('on WASM the engine reports the check as skipped, with the reason', async () => {
    const [reply] = await fp32.request({ kind: 'selfCheck', id: 'check-1' });
    expect(reply).toMatchObject({ kind: 'selfChecked', modelId: 'moee-demo', check: { status: 'skipped', ep: 'wasm', reason: expect.stringContaining('WASM is the reference') } });
  });
});
