/**
 * The yardstick (all-MiniLM-L6-v2 through Transformers.js' feature-extraction pipeline) against
 * sentence-transformers' own encode of 20 texts (models/all-minilm-l6-v2/goldens/reference.json,
 * written by models/build/minilm_export.py), through the engine's protocol in Node, beside a loaded
 * MoE model whose tapped session it must leave alone.
 *
 * fp32 (issue 13: within 1e-4) runs where minilm_export.py built the 90 MB file, which is not
 * committed. The committed q8 file (dynamic int8) measured min cosine 0.961 and mean 0.990 to the
 * reference here, as onnxruntime in Python measures it (0.968; build/report.json).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_EMBED_OPTIONS } from './protocol.ts';
import { createNodeEngine, type NodeEngine } from './node-engine.ts';
import { YARDSTICK, type YardstickResult } from './yardstick.ts';

const folder = new URL(`../models/${YARDSTICK.modelId}/`, import.meta.url);
const reference = JSON.parse(readFileSync(new URL('goldens/reference.json', folder), 'utf8')) as { texts: string[]; dims: [number, number]; embeddings: number[][] };
const fp32Built = existsSync(new URL('onnx/model.onnx', folder));

function compare(result: YardstickResult) {
  const { data, dims } = result.embeddings;
  let maxAbsError = 0;
  const cosines: number[] = [];
  for (let i = 0; i < dims[0]; i++) {
    let dot = 0;
    for (let j = 0; j < dims[1]; j++) {
      const ours = data[i * dims[1] + j];
      const theirs = reference.embeddings[i][j];
      maxAbsError = Math.max(maxAbsError, Math.abs(ours - theirs));
      dot += ours * theirs;
    }
    cosines.push(dot);
  }
  return { maxAbsError, minCosine: Math.min(...cosines), meanCosine: cosines.reduce((s, c) => s + c, 0) / cosines.length };
}

const cosineOf = (result: YardstickResult, a: number, b: number) => {
  const d = YARDSTICK.dims;
  let dot = 0;
  for (let j = 0; j < d; j++) dot += result.embeddings.data[a * d + j] * result.embeddings.data[b * d + j];
  return dot;
};

describe('the yardstick vs sentence-transformers', () => {
  let engine: NodeEngine;
  beforeAll(async () => {
    engine = await createNodeEngine('moee-demo', 'q8');
  }, 120_000);

  it('q8: every text close to the reference, paraphrases closer than unrelated texts, the MoE session untouched', async () => {
    const before = await engine.embed(reference.texts.slice(0, 4), DEFAULT_EMBED_OPTIONS);
    const result = await engine.yardstick(reference.texts);
    expect(result.embeddings.dims).toEqual(reference.dims);
    const figures = compare(result);
    console.log(`[yardstick q8 node-wasm] ${JSON.stringify(figures)}`);
    expect(figures.minCosine).toBeGreaterThanOrEqual(0.95);
    expect(figures.meanCosine).toBeGreaterThanOrEqual(0.985);
    // Texts 0/1, 2/3 and 6/7 are paraphrases; 4 and 5 are unrelated to each of them.
    for (const [a, b] of [[0, 1], [2, 3], [6, 7]]) {
      expect(cosineOf(result, a, b)).toBeGreaterThan(Math.max(cosineOf(result, a, 4), cosineOf(result, a, 5)));
    }
    // The yardstick loaded through the same runtime after the MoE model: the tapped session gives the same numbers.
    const after = await engine.embed(reference.texts.slice(0, 4), DEFAULT_EMBED_OPTIONS);
    expect(after.hs.data).toEqual(before.hs.data);
    expect(after.rwSoftmax.data).toEqual(before.rwSoftmax.data);
  }, 120_000);

  it('keeps request order whatever the lengths (blocks are cut from length-sorted texts)', async () => {
    // q8 quantises activations per block at run time, so a text's numbers depend a little on which texts
    // share its block; reversing the request keeps the blocks, so every row must come back exactly.
    const texts = reference.texts;
    const forward = await engine.yardstick(texts);
    const backward = await engine.yardstick([...texts].reverse());
    const d = YARDSTICK.dims;
    for (let i = 0; i < texts.length; i++) {
      expect(backward.embeddings.data.subarray((texts.length - 1 - i) * d, (texts.length - i) * d)).toEqual(forward.embeddings.data.subarray(i * d, (i + 1) * d));
    }
  }, 60_000);

  it('states the committed file\'s size', () => {
    expect(statSync(new URL('onnx/model_quantized.onnx', folder)).size).toBe(YARDSTICK.bytes);
  });

  it('refuses an empty text by name, like the engine', async () => {
    await expect(engine.yardstick(['A sentence.', '  '])).rejects.toMatchObject({ name: 'EmptyTextError' });
  });

  it.runIf(fp32Built)('fp32 (built locally by minilm_export.py): within 1e-4 of the reference', async () => {
    const result = await engine.yardstick(reference.texts, 'fp32');
    const figures = compare(result);
    console.log(`[yardstick fp32 node-wasm] ${JSON.stringify(figures)}`);
    expect(figures.maxAbsError).toBeLessThanOrEqual(1e-4);
  }, 120_000);
});
