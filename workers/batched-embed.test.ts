/**
 * A set over the engine's per-request limit through the real Node engine (the demo model): it is
 * split into requests the engine takes, progress covers the whole set, and the joined result is
 * what the same texts give in one request (here: the rows either side of the split); the same for the
 * yardstick (all-MiniLM-L6-v2).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createNodeEngine, type NodeEngine } from './node-engine.ts';
import { DEFAULT_EMBED_OPTIONS, MAX_TEXTS_PER_REQUEST, type EmbedOptions } from './protocol.ts';

let engine: NodeEngine;

beforeAll(async () => {
  engine = await createNodeEngine('moee-demo', 'q8');
});

// Short prompts keep 5,000 texts to about a minute on one WASM thread.
const OPTIONS: EmbedOptions = { ...DEFAULT_EMBED_OPTIONS, template: { id: 'none' }, batchSize: 64 };
const WORDS = ['river', 'stone', 'lamp', 'winter', 'bread', 'song', 'field', 'glass'];

describe('sets over MAX_TEXTS_PER_REQUEST', () => {
  it(`${MAX_TEXTS_PER_REQUEST + 3} texts embed in two requests, rows in order, progress to the end`, { timeout: 400_000 }, async () => {
    const texts = Array.from({ length: MAX_TEXTS_PER_REQUEST + 3 }, (_, i) => `${WORDS[i % WORDS.length]} ${i % 97}`);
    const seen: number[] = [];
    const result = await engine.embed(texts, OPTIONS, (done, total) => {
      expect(total).toBe(texts.length);
      seen.push(done);
    });
    const hidden = result.hs.dims[1];
    expect(result.hs.dims).toEqual([texts.length, hidden]);
    expect(result.rwSoftmax.dims[0]).toBe(texts.length);
    expect(result.prompts).toHaveLength(texts.length);
    expect(result.tokenCounts).toHaveLength(texts.length);
    expect(seen.at(-1)).toBe(texts.length);
    expect(seen.some((d) => d > MAX_TEXTS_PER_REQUEST)).toBe(true);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    // The rows around the split equal the same texts embedded in one small request.
    const around = [MAX_TEXTS_PER_REQUEST - 2, MAX_TEXTS_PER_REQUEST - 1, MAX_TEXTS_PER_REQUEST, MAX_TEXTS_PER_REQUEST + 2];
    const alone = await engine.embed(around.map((i) => texts[i]), OPTIONS);
    around.forEach((row, k) => {
      expect(result.prompts[row]).toBe(alone.prompts[k]);
      expect(Array.from(result.hs.data.subarray(row * hidden, (row + 1) * hidden))).toEqual(Array.from(alone.hs.data.subarray(k * hidden, (k + 1) * hidden)));
    });
  });
});

describe('the yardstick over MAX_TEXTS_PER_REQUEST', () => {
  it(`${MAX_TEXTS_PER_REQUEST + 3} texts in two requests: rows in order, progress to the end`, { timeout: 400_000 }, async () => {
    const texts = Array.from({ length: MAX_TEXTS_PER_REQUEST + 3 }, (_, i) => `${WORDS[i % WORDS.length]} ${i % 97}`);
    const seen: number[] = [];
    const result = await engine.yardstick(texts, undefined, (done) => seen.push(done));
    const d = result.embeddings.dims[1];
    expect(result.embeddings.dims).toEqual([texts.length, d]);
    expect(seen.at(-1)).toBe(texts.length);
    expect(seen.some((done) => done > MAX_TEXTS_PER_REQUEST)).toBe(true);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    // q8 quantises activations per block of texts, so rows embedded beside other texts match closely, not
    // exactly: each row around the split is nearest to its own text embedded alone, and within 0.98 cosine
    // (measured 0.9896 at the worst of these two-word texts).
    const around = [MAX_TEXTS_PER_REQUEST - 2, MAX_TEXTS_PER_REQUEST - 1, MAX_TEXTS_PER_REQUEST, MAX_TEXTS_PER_REQUEST + 2];
    const alone = await engine.yardstick(around.map((i) => texts[i]));
    const cos = (row: number, k: number) => {
      let dot = 0;
      for (let j = 0; j < d; j++) dot += result.embeddings.data[row * d + j] * alone.embeddings.data[k * d + j];
      return dot;
    };
    around.forEach((row, k) => {
      const scores = around.map((_, other) => cos(row, other));
      expect(scores[k]).toBeGreaterThan(0.98);
      expect(scores.indexOf(Math.max(...scores))).toBe(k);
    });
  });
});
