/**
 * The reference-set standardisation statistics that ship with the demo model were computed by the HF
 * implementation (models/build/reference_stats.py); the engine must reproduce them from the same
 * texts, and must send them with 'loaded' so that MoEE concat works for a single sentence.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { dimensionStats, matrix, moeeConcat } from '../core/index.ts';
import { createNodeEngine, type NodeEngine } from './node-engine.ts';
import { DEFAULT_EMBED_OPTIONS, type LoadedEvent } from './protocol.ts';
import { TEMPLATE_IDS } from './templates.ts';

const manifest = JSON.parse(readFileSync(new URL('../models/moee-demo/moee_reference_stats.json', import.meta.url), 'utf8')) as { texts: string[] };

describe('reference standardisation statistics', () => {
  let engine: NodeEngine;
  let loaded: LoadedEvent;
  beforeAll(async () => {
    engine = await createNodeEngine('', 'fp32');
    const events = await engine.request({ kind: 'load', id: 'load-ref', modelId: 'moee-demo', dtype: 'fp32', ep: 'wasm' });
    const event = events.find((e): e is LoadedEvent => e.kind === 'loaded');
    if (!event) throw new Error(`load failed: ${JSON.stringify(events.at(-1))}`);
    loaded = event;
  });

  it('ship for every built-in template, with HS and RW widths of the model', () => {
    const stats = loaded.referenceStats;
    expect(loaded.model.hasReferenceStats).toBe(true);
    for (const id of TEMPLATE_IDS) {
      const entry = stats?.[id];
      expect(entry, id).toBeDefined();
      expect(entry!.hs.mean.length).toBe(loaded.model.hiddenSize);
      expect(entry!.rw_softmax.std.length).toBe(loaded.model.moeLayers.length * loaded.model.numExperts);
    }
  });

  it.each(['none', 'prompteol'] as const)('equal the engine’s own statistics of the reference texts (%s)', async (template) => {
    expect(manifest.texts.length).toBe(256);
    const result = await engine.embed(manifest.texts, { ...DEFAULT_EMBED_OPTIONS, template: { id: template }, batchSize: 32 });
    const shipped = loaded.referenceStats![template]!;
    const rwWidth = result.rwSoftmax.dims[1] * result.rwSoftmax.dims[2];
    const ours = {
      hs: dimensionStats(matrix(result.hs.data, result.hs.dims[0], result.hs.dims[1])),
      rw_softmax: dimensionStats(matrix(result.rwSoftmax.data, manifest.texts.length, rwWidth)),
      rw_logits: dimensionStats(matrix(result.rwLogits.data, manifest.texts.length, rwWidth)),
    };
    for (const rep of ['hs', 'rw_softmax', 'rw_logits'] as const) {
      let worst = 0;
      for (let j = 0; j < ours[rep].mean.length; j++) {
        worst = Math.max(worst, Math.abs(ours[rep].mean[j] - shipped[rep].mean[j]), Math.abs(ours[rep].std[j] - shipped[rep].std[j]));
      }
      // fp32 ORT vs fp32 PyTorch: the goldens agree to 1e-4 per value; means and stds inherit that.
      expect(worst, rep).toBeLessThan(1e-4);
    }
  });

  it('make MoEE concat defined for a single sentence', async () => {
    const result = await engine.embed(['A single sentence.'], DEFAULT_EMBED_OPTIONS);
    const stats = loaded.referenceStats!.prompteol!;
    const toF64 = (s: { mean: Float32Array; std: Float32Array }) => ({ mean: Float64Array.from(s.mean), std: Float64Array.from(s.std) });
    const hs = matrix(result.hs.data, 1, result.hs.dims[1]);
    const rw = matrix(result.rwSoftmax.data, 1, result.rwSoftmax.dims[1] * result.rwSoftmax.dims[2]);
    const concat = moeeConcat(hs, rw, { hs: toF64(stats.hs), rw: toF64(stats.rw_softmax) });
    expect(concat.cols).toBe(hs.cols + rw.cols);
    expect(Array.from(concat.data).some((v) => Math.abs(v) > 0.1)).toBe(true);
  });
});
