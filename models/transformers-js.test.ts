/**
 * Transformers.js itself (its own tokenizer and AutoModelForCausalLM on onnxruntime-node) loads the
 * demo export and agrees with the Python reference: the same token ids on 1,000+ strings, the same
 * last-position logits and the same greedy continuation as HF transformers.
 * Transformers.js runs here on its default Node runtime (onnxruntime-node), not our bridge.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AutoModelForCausalLM, AutoTokenizer, env, Tensor } from '@huggingface/transformers';

env.allowRemoteModels = false;
env.localModelPath = new URL('./', import.meta.url).pathname;

const fixture = <T>(name: string): T => JSON.parse(readFileSync(new URL(`../tests/fixtures/${name}`, import.meta.url), 'utf8')) as T;

describe('Transformers.js on the demo model', () => {
  it('AutoTokenizer gives the Python tokenizer ids on >= 1,000 strings', async () => {
    const { cases } = fixture<{ cases: { text: string; ids: number[] }[] }>('tokenizer_parity.json');
    expect(cases.length).toBeGreaterThanOrEqual(1000);
    expect(cases.some((c) => c.text.length >= 10_000)).toBe(true);
    const tokenizer = await AutoTokenizer.from_pretrained('moee-demo');
    const mismatches = cases.filter((c) => JSON.stringify(tokenizer.encode(c.text, { add_special_tokens: false })) !== JSON.stringify(c.ids));
    expect(mismatches.map((c) => c.text.slice(0, 60))).toEqual([]);
  });

  it('AutoModelForCausalLM matches the HF logits and greedy tokens', async () => {
    const { cases } = fixture<{ cases: { prompt: string; input_ids: number[]; last_logits: number[]; greedy_ids: number[] }[] }>('generation.json');
    const model = await AutoModelForCausalLM.from_pretrained('moee-demo', { dtype: 'fp32', device: 'cpu' });
    for (const c of cases) {
      const ids = new Tensor('int64', BigInt64Array.from(c.input_ids.map(BigInt)), [1, c.input_ids.length]);
      const mask = new Tensor('int64', new BigInt64Array(c.input_ids.length).fill(1n), [1, c.input_ids.length]);
      const { logits } = (await model({ input_ids: ids, attention_mask: mask })) as { logits: Tensor };
      const vocab = logits.dims[2];
      const last = (logits.data as Float32Array).subarray((c.input_ids.length - 1) * vocab);
      const worst = c.last_logits.reduce((m, v, i) => Math.max(m, Math.abs(v - last[i])), 0);
      expect(worst).toBeLessThan(1e-4);
      // Greedy decoding through Transformers.js' own forward. Its generate() needs a KV-cache export
      // (past_key_values inputs, present outputs); ours is cache-free, like the embedding engine.
      const tokens = [...c.input_ids];
      for (let step = 0; step < c.greedy_ids.length; step++) {
        const t = new Tensor('int64', BigInt64Array.from(tokens.map(BigInt)), [1, tokens.length]);
        const m = new Tensor('int64', new BigInt64Array(tokens.length).fill(1n), [1, tokens.length]);
        const out = (await model({ input_ids: t, attention_mask: m })) as { logits: Tensor };
        const row = (out.logits.data as Float32Array).subarray((tokens.length - 1) * vocab, tokens.length * vocab);
        tokens.push(row.indexOf(Math.max(...row)));
      }
      expect(tokens.slice(c.input_ids.length)).toEqual(c.greedy_ids);
    }
    await model.dispose();
  });
});
