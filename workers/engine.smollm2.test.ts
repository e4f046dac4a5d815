/**
 * The pretrained default model, moee-smollm2 (4-bit ONNX), in Node (WASM) against HF fp32 goldens
 * of the same checkpoint, on texts the export never saw, with both paddings and two templates.
 *
 * The bounds pin what the 4-bit file measures today (min HS cosine 0.917, top-8 sets equal on 25% of
 * (token, layer) pairs; onnxruntime in Python gives the same figures), NOT issue 12's goal of 0.99 and
 * 97%: 4-bit round-to-nearest in blocks of 64 moves the hidden state enough to reorder near-tied
 * experts. The fp32 graph matches to 4.9e-7 (router logits) and 100% (verify_onnx.py, model card).
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
    expect(report.minHiddenStateCosine).toBeGreaterThanOrEqual(0.9);
    expect(report.topkSetAgreement).toBeGreaterThanOrEqual(0.2);
  }, 300_000);
});
