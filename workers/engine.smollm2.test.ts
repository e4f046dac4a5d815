/**
 * The pretrained default model, moee-smollm2 (4-bit ONNX), in Node (WASM) against HF fp32 goldens
 * of the same checkpoint, on texts the export never saw, with both paddings and two templates.
 *
 * The 4-bit file holds the checkpoint's own blocks (models/build/gguf_exact.py), so it is held to
 * fp32 figures, stricter than issue 12's goal (HS cosine >= 0.99, top-k sets equal on >= 97% of
 * (token, layer) pairs). Measured: min HS cosine 0.99999999, every top-8 set equal; onnxruntime in
 * Python gives 0.9999999 and 100% (verify_onnx.py, model card).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareWithGolden, type GoldenReport } from '../models/golden-check.ts';
import { readGoldens, type GoldenManifest } from '../models/goldens.ts';
import { DEFAULT_EMBED_OPTIONS } from './protocol.ts';
import { createNodeEngine, type NodeEngine } from './node-engine.ts';

const dir = new URL('../models/moee-smollm2/goldens/', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('goldens.json', dir), 'utf8')) as GoldenManifest;
const goldens = readGoldens(manifest, new Uint8Array(readFileSync(new URL('goldens.bin', dir))));

describe('moee-smollm2 q4 vs HF fp32 goldens', () => {
  let engine: NodeEngine;
  const reports: GoldenReport[] = [];
  beforeAll(async () => {
    engine = await createNodeEngine('moee-smollm2', 'q4');
  }, 300_000);
  afterAll(() => {
    console.log(`[goldens moee-smollm2 q4 node-wasm] ${JSON.stringify({
      minHiddenStateCosine: Math.min(...reports.map((r) => r.minHiddenStateCosine)),
      minTopkSetAgreement: Math.min(...reports.map((r) => r.topkSetAgreement)),
    })}`);
  });

  it.each(goldens.map((g) => [`${g.template}/${g.padding}`, g] as const))('%s', async (_, golden) => {
    const result = await engine.embed(manifest.texts, {
      ...DEFAULT_EMBED_OPTIONS,
      template: { id: golden.template },
      padding: golden.padding,
      tokenRouting: true,
      batchSize: 8,
    });
    const report = compareWithGolden(golden, result, manifest.model.num_experts_per_tok);
    reports.push(report);
    expect(report.promptsEqual).toBe(true);
    expect(report.minHiddenStateCosine).toBeGreaterThanOrEqual(0.9999);
    expect(report.topkSetAgreement).toBeGreaterThanOrEqual(0.99);
  }, 300_000);
});
