/**
 * The engine in Node (WASM) against the HF reference: fp32 router logits and final-norm HS within
 * 1e-4, int8 HS cosine >= 0.999 and top-k expert sets equal on >= 99% of tokens.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareWithGolden, type GoldenReport } from '../models/golden-check.ts';
import { DEFAULT_EMBED_OPTIONS } from './protocol.ts';
import { loadDemoGoldens } from '../tests/demo-goldens.ts';
import { createNodeEngine, type NodeEngine } from './node-engine.ts';

const goldens = loadDemoGoldens();
const TOP_K = 2;

describe.each(['fp32', 'q8'] as const)('demo model %s vs HF goldens', (dtype) => {
  let engine: NodeEngine;
  const reports: GoldenReport[] = [];
  beforeAll(async () => {
    engine = await createNodeEngine('moee-demo', dtype);
  });
  afterAll(() => {
    const worst = {
      maxAbsRouterLogitError: Math.max(...reports.map((r) => r.maxAbsRouterLogitError)),
      maxAbsHiddenStateError: Math.max(...reports.map((r) => r.maxAbsHiddenStateError)),
      minHiddenStateCosine: Math.min(...reports.map((r) => r.minHiddenStateCosine)),
      minTopkSetAgreement: Math.min(...reports.map((r) => r.topkSetAgreement)),
    };
    console.log(`[goldens ${dtype} node-wasm] ${JSON.stringify(worst)}`);
  });

  it.each(goldens.map((g) => [`${g.template}/${g.padding}`, g] as const))('%s', async (_, golden) => {
    const texts = (await import('../models/moee-demo/goldens/goldens.json', { with: { type: 'json' } })).default.texts as string[];
    const result = await engine.embed(texts, {
      ...DEFAULT_EMBED_OPTIONS,
      template: { id: golden.template },
      padding: golden.padding,
      tokenRouting: true,
      batchSize: 5, // different batches from the goldens': the numbers must not depend on them
    });
    const report = compareWithGolden(golden, result, TOP_K);
    reports.push(report);
    expect(report.promptsEqual).toBe(true);
    if (dtype === 'fp32') {
      expect(report.maxAbsRouterLogitError).toBeLessThan(1e-4);
      expect(report.maxAbsHiddenStateError).toBeLessThan(1e-4);
      expect(report.topkSetAgreement).toBe(1);
      expect(Array.from(result.nextTokenIds)).toEqual(Array.from(golden.top5NextIds));
    } else {
      expect(report.minHiddenStateCosine).toBeGreaterThanOrEqual(0.999);
      expect(report.topkSetAgreement).toBeGreaterThanOrEqual(0.99);
    }
  });
});
